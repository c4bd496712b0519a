"""The ffmpeg executable that ships with imageio-ffmpeg (libx264 + aac), and the one way to
build, run and read a failure of its command lines.

Every command is an ffmpeg-python graph (inputs with their demuxer options, outputs with
their muxer options) compiled by `command`, which adds the quiet flags. `run` runs one to
its end; processes fed through a pipe are started with `subprocess.Popen(command(...))` by
their owners, and all of them report a failure with `last_words`.

There is no ffprobe in that wheel: probing is done by ffmpeg itself (see kiosk.media.probe).
"""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ffmpeg
import imageio_ffmpeg

from kiosk.errors import DiskFullError, KioskError

_PLAIN = ("-hide_banner", "-nostdin")
NO_SPACE = "No space left on device"  # what ffmpeg says (strerror of ENOSPC) on a full disk
QUIET = (*_PLAIN, "-loglevel", "error")


class MediaError(KioskError):
    """ffmpeg could not do what was asked; the message carries its last words."""


@functools.cache
def ffmpeg_exe() -> str:
    """The ffmpeg executable (IMAGEIO_FFMPEG_EXE overrides the one in the wheel)."""
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:
        raise MediaError(f"The ffmpeg program that records video is missing: {exc}") from None


def command(output: Any, *global_args: str, quiet: bool = True,
            unmapped: Sequence[Any] = ()) -> list[str]:
    """The command line of the ffmpeg-python `output`.

    quiet=False keeps ffmpeg's normal log level, for callers that read what it prints
    (a filter's showinfo). `unmapped`: inputs no stream is taken from (chapters, metadata),
    numbered after the inputs of `output`, in the order given.
    """
    spec = output.global_args(*(QUIET if quiet else _PLAIN), *global_args)
    # ffmpeg-python numbers first the inputs reachable from the last node it is given, then
    # those of the nodes before it, last to first.
    return ffmpeg.compile([*reversed(unmapped), spec], cmd=ffmpeg_exe())


def last_words(stderr: bytes | str, returncode: int | None = None) -> str:
    """What ffmpeg said last on stderr: on failure, the reason."""
    text = stderr.decode(errors="replace") if isinstance(stderr, bytes) else stderr
    lines = text.strip().splitlines()
    if lines:
        return lines[-1].strip()
    return "no message" if returncode is None else f"exit status {returncode}"


def run(args: list[str], *, what: str, timeout_s: float | None = 600,
        check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Run a command made by `command`; raise MediaError naming `what` if it fails."""
    try:
        done = subprocess.run(args, capture_output=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise MediaError(f"{what} took longer than {timeout_s:g} s and was stopped.") from None
    if check and done.returncode != 0:
        said = last_words(done.stderr, done.returncode)
        if NO_SPACE in done.stderr.decode(errors="replace"):
            raise DiskFullError(f"{what} failed: the disk is full ({said}).")
        raise MediaError(f"{what} failed: {said}")
    return done


def read_header(path: Path) -> str:
    """What ffmpeg says about `path` when it only opens it: format, duration, streams, chapters."""
    # ffmpeg-python cannot compile a command without an output, and this one must have none:
    # an output would be described too (its streams, its chapters) after the input's.
    done = run([ffmpeg_exe(), *_PLAIN, "-i", str(path)], what=f"Reading {path.name}",
               timeout_s=None, check=False)
    return done.stderr.decode(errors="replace")


def ffmpeg_version() -> str:
    """The first line of `ffmpeg -version`; raises MediaError if ffmpeg does not run."""
    # No output either, so not an ffmpeg-python graph.
    done = run([ffmpeg_exe(), *QUIET, "-version"], what="Running ffmpeg", timeout_s=30)
    return (done.stdout.decode(errors="replace").splitlines() or [""])[0]
