"""Rebuilding a take that was cut off while it was being recorded (a crash, a kill, a power
cut, an encoder that died): what survives on disk is remuxed, every surviving frame is kept,
and the sound, which is the master, is padded with silence if it ended before the picture.
"""

from __future__ import annotations

import re

from kiosk.media.encode import AAC_PRIMING_SAMPLES
from kiosk.media.merge import VideoSegment
from kiosk.media.probe import stream_end_times
from kiosk.media.repair import pad_audio, remux_copy
from kiosk.recording.manifest import Manifest, TakeEntry
from kiosk.store.files import FOLDER_MODE
from kiosk.words import TakeStatus

RECOVERED_FOLDER = "recovered"


def rebuild_take(manifest: Manifest, take: TakeEntry) -> TakeEntry:
    """Remux what survives of an interrupted take; the manifest's new entry for it.

    Every surviving frame is kept. Sound is the master, so if it ends before the picture it
    is extended with silence (the picture cannot be cut exactly without re-encoding it).
    """
    parts = manifest.folder
    recovered = parts / RECOVERED_FOLDER
    recovered.mkdir(mode=FOLDER_MODE, exist_ok=True)
    pattern = re.compile(re.escape(take.stem) + r"-v(\d+)\.mkv$")
    found = sorted((int(m[1]), p) for p in parts.iterdir() if (m := pattern.match(p.name)))
    segments: list[VideoSegment] = []
    for _, source in found:
        fixed = recovered / source.name
        if not remux_copy(source, fixed):
            continue
        video_end = stream_end_times(fixed).get("video", 0.0)
        frames = round(video_end * manifest.fps)
        if frames > 0:
            segments.append(VideoSegment(fixed, frames))
    audio_source = parts / take.audio_name
    audio_fixed = recovered / audio_source.name
    audio_s = 0.0
    if audio_source.exists() and remux_copy(audio_source, audio_fixed):
        end = stream_end_times(audio_fixed).get("audio", 0.0)
        audio_s = max(0.0, end - AAC_PRIMING_SAMPLES / manifest.sample_rate)
    if not segments or audio_s <= 0:
        return manifest.update(take, status=TakeStatus.DISCARDED,
                               reason="nothing usable survived")
    picture_s = sum(segment.frames for segment in segments) / manifest.fps
    if audio_s < picture_s:
        pad_audio(audio_fixed, picture_s, manifest.sample_rate)
    return manifest.update(take, status=TakeStatus.DONE, reason="recovered",
                           segments=tuple(segments),
                           audio=audio_fixed.relative_to(parts).as_posix())
