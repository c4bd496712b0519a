"""Capture: cameras and microphones behind one small interface each, the clock, the audio-master
timeline and the recorder that feeds ffmpeg (no Qt)."""
