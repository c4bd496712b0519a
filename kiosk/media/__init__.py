"""Media: the ffmpeg executable and everything done with it: encode, merge, probe, poster,
clapper analysis (no Qt)."""
