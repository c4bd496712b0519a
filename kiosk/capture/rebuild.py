"""Rebuilding a take that was cut off while it was being recorded (a crash, a kill, a power
cut, an encoder that died): what survives on disk is remuxed, every surviving frame is kept,
and the sound, which is the master, is padded with silence if it ended before the picture.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.errors import KioskError
from kiosk.media.encode import AAC_PRIMING_SAMPLES, AUDIO_BITRATE, FRAGMENTED_MP4
from kiosk.media.ffmpeg import run_ffmpeg
from kiosk.media.probe import stream_end_times
from kiosk.store.files import FOLDER_MODE

RECOVERED_FOLDER = "recovered"

if TYPE_CHECKING:
    from kiosk.capture.session import Manifest, TakeEntry


def rebuild_take(manifest: Manifest, take: TakeEntry, parts: Path) -> None:
    """Remux what survives of an interrupted take and record it in the manifest as done.

    Every surviving frame is kept. Sound is the master, so if it ends before the picture it
    is extended with silence (the picture cannot be cut exactly without re-encoding it).
    """
    recovered = parts / RECOVERED_FOLDER
    recovered.mkdir(mode=FOLDER_MODE, exist_ok=True)
    pattern = re.compile(re.escape(take.stem) + r"-v(\d+)\.mkv$")
    found = sorted((int(m[1]), p) for p in parts.iterdir() if (m := pattern.match(p.name)))
    segments: list[dict] = []
    for _, source in found:
        fixed = recovered / source.name
        if not _remux(source, fixed):
            continue
        video_end = stream_end_times(fixed).get("video", 0.0)
        frames = round(video_end * manifest.fps)
        if frames > 0:
            segments.append({"file": f"{RECOVERED_FOLDER}/{source.name}", "frames": frames})
    audio_source = parts / f"{take.stem}.m4a"
    audio_fixed = recovered / audio_source.name
    audio_s = 0.0
    if audio_source.exists() and _remux(audio_source, audio_fixed):
        end = stream_end_times(audio_fixed).get("audio", 0.0)
        audio_s = max(0.0, end - AAC_PRIMING_SAMPLES / manifest.sample_rate)
    if not segments or audio_s <= 0:
        take.status = "discarded"
        take.reason = "nothing usable survived"
        return
    picture_s = sum(segment["frames"] for segment in segments) / manifest.fps
    if audio_s < picture_s:
        _extend_audio(audio_fixed, picture_s, manifest.sample_rate)
    take.segments = segments
    take.status = "done"
    take.reason = "recovered"
    take.stem = f"{RECOVERED_FOLDER}/{take.stem}"  # its audio is the remuxed copy


def _extend_audio(path: Path, seconds: float, sample_rate: int) -> None:
    """Re-encode `path` padded with silence to `seconds` (its priming laid out as before)."""
    padded = path.with_name(path.stem + ".padded.m4a")
    run_ffmpeg(
        ["-i", path, "-af",
         f"atrim=start_sample={AAC_PRIMING_SAMPLES},asetpts=PTS-STARTPTS,"
         f"apad=whole_dur={seconds:.6f}",
         "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ar", str(sample_rate),
         *_fragmented_mp4_args(), "-y", padded],
        what="Extending the sound of an interrupted answer",
    )
    os.replace(padded, path)


def _fragmented_mp4_args() -> list[str]:
    return [arg for key, value in FRAGMENTED_MP4.items() for arg in (f"-{key}", str(value))]


def _remux(source: Path, target: Path) -> bool:
    """Copy the readable packets of a possibly truncated file into a clean container."""
    # Audio stays fragmented MP4 like a recorded part, so its priming is laid out the same.
    container = _fragmented_mp4_args() if target.suffix == ".m4a" else []
    try:
        run_ffmpeg(["-i", source, "-map", "0", "-c", "copy", *container, "-y", target],
                   what=f"Reading what survives of {source.name}")
    except KioskError:
        return False
    return target.exists() and target.stat().st_size > 0
