"""A poster frame (JPEG) for the recruiter's list and the player's first look."""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.media.ffmpeg import run_ffmpeg

POSTER_WIDTH = 480


def write_poster(video: Path, out: Path, *, at_s: float) -> None:
    """Save the frame at `at_s` seconds of `video` as a small JPEG at `out` (atomically)."""
    partial = out.with_name(out.stem + ".partial.jpg")
    run_ffmpeg(["-ss", f"{max(0.0, at_s):.3f}", "-i", video, "-frames:v", "1",
                "-vf", f"scale={POSTER_WIDTH}:-2", "-q:v", "4", "-y", partial],
               what="Making the poster image")
    os.replace(partial, out)
