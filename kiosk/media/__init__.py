"""Media: the ffmpeg executable and everything done with it: encode, merge, probe, poster,
clapper analysis, repair of a cut-off recording (no Qt)."""
