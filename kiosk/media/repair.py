"""Making a file cut off while it was being recorded usable again: its readable packets copied
into a clean container, its sound padded with silence to the length of its picture.
"""

from __future__ import annotations

import os
from pathlib import Path

import ffmpeg

from kiosk.errors import KioskError
from kiosk.media.encode import AAC_PRIMING_SAMPLES, AUDIO_BITRATE, FRAGMENTED_MP4
from kiosk.media.ffmpeg import command, run


def remux_command(source: Path, target: Path) -> list[str]:
    # Audio stays fragmented MP4 like a recorded part, so its priming is laid out the same.
    container = FRAGMENTED_MP4 if target.suffix == ".m4a" else {}
    return command(ffmpeg.input(str(source))
                   .output(str(target), map=0, c="copy", **container).overwrite_output())


def remux_copy(source: Path, target: Path) -> bool:
    """Copy the readable packets of a possibly truncated `source` into `target`, a clean
    container (fragmented MP4 for .m4a, like a recorded part); False if nothing could be read.
    """
    try:
        run(remux_command(source, target), what=f"Reading what survives of {source.name}")
    except KioskError:
        return False
    return target.exists() and target.stat().st_size > 0


def pad_command(source: Path, out: Path, seconds: float, sample_rate: int) -> list[str]:
    # The priming frame is trimmed before padding: the new encoder adds its own, so the
    # result has one, laid out as in a recorded part.
    sound = (f"atrim=start_sample={AAC_PRIMING_SAMPLES},asetpts=PTS-STARTPTS,"
             f"apad=whole_dur={seconds:.6f}")
    return command(ffmpeg.input(str(source)).output(
        str(out), af=sound, ar=sample_rate, **{"c:a": "aac", "b:a": AUDIO_BITRATE},
        **FRAGMENTED_MP4).overwrite_output())


def pad_audio(path: Path, seconds: float, sample_rate: int) -> None:
    """Re-encode the recorded sound `path` (AAC, fragmented MP4) padded with silence to
    `seconds`, in place; raises MediaError if ffmpeg fails (`path` is then unchanged)."""
    padded = path.with_name(path.stem + ".padded.m4a")
    run(pad_command(path, padded, seconds, sample_rate),
        what="Extending the sound of an interrupted answer")
    os.replace(padded, path)
