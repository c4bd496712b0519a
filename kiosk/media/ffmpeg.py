"""Finding and running the ffmpeg executable that ships with imageio-ffmpeg (libx264 + aac).

There is no ffprobe in that wheel: probing is done by ffmpeg itself (see kiosk.media.probe).
"""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Sequence
from pathlib import Path

import imageio_ffmpeg

from kiosk.errors import KioskError

QUIET = ("-hide_banner", "-nostdin", "-loglevel", "error")


class MediaError(KioskError):
    """ffmpeg could not do what was asked; the message carries its last words."""


@functools.cache
def ffmpeg_exe() -> str:
    """The ffmpeg executable (IMAGEIO_FFMPEG_EXE overrides the one in the wheel)."""
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:
        raise MediaError(f"The ffmpeg program that records video is missing: {exc}") from None


def run_ffmpeg(args: Sequence[str | Path], *, what: str, timeout_s: float = 600) -> str:
    """Run ffmpeg quietly; return its stderr; raise MediaError naming `what` on failure."""
    command = [ffmpeg_exe(), *QUIET, *map(str, args)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, errors="replace",
                              timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise MediaError(f"{what} took longer than {timeout_s:g} s and was stopped.") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise MediaError(f"{what} failed: {last}")
    return done.stderr
