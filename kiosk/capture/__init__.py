"""Capture: devices to part files. Cameras and microphones behind one small interface each,
the live sources, the clock, the audio-master timeline and the part recorder (no Qt, no
database)."""
