"""A poster frame (JPEG) for the recruiter's list and the player's first look."""

from __future__ import annotations

import os
from pathlib import Path

import ffmpeg

from kiosk.media.ffmpeg import command, run

POSTER_WIDTH = 480


def write_poster(video: Path, out: Path, *, at_s: float) -> None:
    """Save the frame at `at_s` seconds of `video` as a small JPEG at `out` (atomically)."""
    partial = out.with_name(out.stem + ".partial.jpg")
    # -ss on the input: a seek, not a decode of everything before `at_s`.
    frame = ffmpeg.input(str(video), ss=f"{max(0.0, at_s):.3f}").output(
        str(partial), vf=f"scale={POSTER_WIDTH}:-2", **{"frames:v": 1, "q:v": 4})
    run(command(frame.overwrite_output()), what="Making the poster image")
    os.replace(partial, out)
