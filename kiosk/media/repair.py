"""Making a file cut off while it was being recorded usable again: its readable packets copied
into a clean container, its sound padded with silence to the length of its picture; and the
stream an answer lost altogether made up (a still picture, silence), so it stays in sync.
"""

from __future__ import annotations

import os
from pathlib import Path

import ffmpeg

from kiosk.errors import DiskFullError, KioskError
from kiosk.media.encode import (
    AAC_PRIMING_SAMPLES,
    AUDIO_BITRATE,
    CRF,
    FRAGMENTED_MP4,
    GOP_FRAMES,
)
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
    except DiskFullError:
        raise  # the file may be fine: only there is no room for its copy
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


def still_picture_command(out: Path, seconds: float, width: int, height: int,
                          fps: float) -> list[str]:
    # Encoded as a recorded part is (H.264 4:2:0, headers on every keyframe), so it joins
    # the other answers with stream copy.
    picture = ffmpeg.input(f"color=c=black:s={width}x{height}:r={fps:g}:d={seconds:.6f}",
                           f="lavfi")
    return command(picture.output(
        str(out), format="matroska", vcodec="libx264", preset="ultrafast", crf=CRF,
        pix_fmt="yuv420p", g=GOP_FRAMES, **{"x264-params": "repeat-headers=1"},
    ).overwrite_output())


def still_picture(out: Path, seconds: float, width: int, height: int, fps: float) -> None:
    """A black picture of `seconds`, for an answer whose own picture did not survive."""
    run(still_picture_command(out, seconds, width, height, fps),
        what="Making a picture for an answer that has only its sound")


def silence_command(out: Path, seconds: float, sample_rate: int) -> list[str]:
    # Like a recorded part's sound: mono AAC in fragmented MP4, its priming frame first.
    sound = ffmpeg.input(f"anullsrc=r={sample_rate}:cl=mono", f="lavfi", t=f"{seconds:.6f}")
    return command(sound.output(str(out), format="mp4", acodec="aac", **FRAGMENTED_MP4,
                                **{"b:a": AUDIO_BITRATE}).overwrite_output())


def silence(out: Path, seconds: float, sample_rate: int) -> None:
    """`seconds` of silence, for an answer whose own sound did not survive."""
    run(silence_command(out, seconds, sample_rate),
        what="Making the sound of an answer that has only its picture")
