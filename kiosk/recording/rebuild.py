"""Rebuilding a take that did not end normally (a crash, a kill, a power cut, an encoder that
died, a full disk) or whose files were damaged: what survives on disk is remuxed and every
surviving frame is kept. The sound, which is the master, is padded with silence if it ended
before the picture. A take that kept only one stream keeps it: a still picture or silence
stands in for the other, so the interview stays in sync and plays, and the take says what
was missing.
"""

from __future__ import annotations

import re
from pathlib import Path

from kiosk.media.encode import AAC_PRIMING_SAMPLES
from kiosk.media.merge import VideoSegment
from kiosk.media.probe import probe, stream_end_times
from kiosk.media.repair import pad_audio, remux_copy, silence, still_picture
from kiosk.recording.manifest import Manifest, TakeEntry
from kiosk.store.files import FOLDER_MODE
from kiosk.words import TakeStatus

RECOVERED_FOLDER = "recovered"
WITHOUT_PICTURE = "recovered without its picture"
WITHOUT_SOUND = "recovered without its sound"
NOTHING_SURVIVED = "nothing usable survived"


def needs_rebuild(manifest: Manifest, take: TakeEntry, *, deep: bool) -> bool:
    """Cut off, or a finished take whose files are not all there; `deep`: or whose files'
    headers do not show their stream (a file damaged on disk; one ffmpeg run per file)."""
    if take.status.cut_off:
        return True
    if take.status is not TakeStatus.DONE:
        return False
    files = manifest.files(take)
    if not files.video or not all(
            _has_data(path) for path in [files.audio, *(s.path for s in files.video)]):
        return True
    return deep and (probe(files.audio).audio_codec is None or any(
        probe(segment.path).video_codec is None for segment in files.video))


def rebuild_take(manifest: Manifest, take: TakeEntry) -> TakeEntry:
    """Remux what survives of `take`; the manifest's new entry for it (saved)."""
    parts = manifest.folder
    recovered = parts / RECOVERED_FOLDER
    recovered.mkdir(mode=FOLDER_MODE, exist_ok=True)
    # Always from the files as recorded (a take rebuilt before points at its copies; 0.1.0
    # wrote that into its stem as "recovered/<stem>").
    stem = Path(take.stem).name
    pattern = re.compile(re.escape(stem) + r"-v(\d+)\.mkv$")
    found = sorted((int(m[1]), p) for p in parts.iterdir() if (m := pattern.match(p.name)))
    segments: list[VideoSegment] = []
    for _, source in found:
        fixed = recovered / source.name
        if not remux_copy(source, fixed):
            continue
        frames = round(stream_end_times(fixed).get("video", 0.0) * manifest.fps)
        if frames > 0:
            segments.append(VideoSegment(fixed, frames))
    audio_source = parts / f"{stem}.m4a"
    audio_fixed = recovered / audio_source.name
    audio_s = 0.0
    if _has_data(audio_source) and remux_copy(audio_source, audio_fixed):
        end = stream_end_times(audio_fixed).get("audio", 0.0)
        audio_s = max(0.0, end - AAC_PRIMING_SAMPLES / manifest.sample_rate)
    picture_s = sum(segment.frames for segment in segments) / manifest.fps
    reason = "recovered"
    if not segments and audio_s <= 0:
        return manifest.update(take, status=TakeStatus.DISCARDED, reason=NOTHING_SURVIVED)
    if not segments:
        still = recovered / f"{stem}-still.mkv"
        still_picture(still, audio_s, manifest.width, manifest.height, manifest.fps)
        segments.append(VideoSegment(still, max(1, round(audio_s * manifest.fps))))
        picture_s, reason = segments[0].frames / manifest.fps, WITHOUT_PICTURE
    if audio_s <= 0:
        silence(audio_fixed, picture_s, manifest.sample_rate)
        reason = WITHOUT_SOUND
    elif audio_s < picture_s:
        pad_audio(audio_fixed, picture_s, manifest.sample_rate)
    return manifest.update(take, status=TakeStatus.DONE, reason=reason,
                           segments=tuple(segments),
                           audio=audio_fixed.relative_to(parts).as_posix())


def _has_data(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0
