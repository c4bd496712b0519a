"""Rebuilding interviews that a crash, a kill or a power cut left unfinished.

Runs at start-up and with `kiosk recover`. A session still marked in progress, recording or
merging that has parts on this machine is merged from what is on disk and marked
`recovered`. A take that was being recorded is remuxed (its containers survive a kill up to
the last flushed packets) and cut to where both its picture and its sound still reach, so it
joins the others in sync. Nothing is deleted unless the merge was committed.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import select

from kiosk.capture.session import MANIFEST_NAME, Manifest, TakeEntry, finish_session
from kiosk.config import Settings
from kiosk.errors import KioskError
from kiosk.media.encode import AAC_PRIMING_SAMPLES, AUDIO_BITRATE, FRAGMENTED_MP4
from kiosk.media.ffmpeg import run_ffmpeg
from kiosk.media.probe import stream_end_times
from kiosk.store.database import Database
from kiosk.store.files import PARTS_FOLDER_NAME, session_folder
from kiosk.store.models import UNFINISHED_STATUSES, InterviewSession, SessionStatus

RECOVERED_FOLDER = "recovered"


@dataclass
class RecoveryOutcome:
    session_id: str
    outcome: str  # recovered | nothing to recover | not on this booth | failed
    message: str = ""
    duration_s: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def recover_all(db: Database, settings: Settings) -> list[RecoveryOutcome]:
    with db.session() as s:
        unfinished = list(s.scalars(select(InterviewSession.id).where(
            InterviewSession.status.in_(UNFINISHED_STATUSES))))
    return [recover_session(db, settings, session_id) for session_id in unfinished]


def recover_session(db: Database, settings: Settings, session_id: str) -> RecoveryOutcome:
    folder = session_folder(settings.recordings_dir, session_id)
    parts = folder / PARTS_FOLDER_NAME
    manifest_path = parts / MANIFEST_NAME
    if not folder.exists():
        # With a shared database, another booth may be recording it right now.
        return RecoveryOutcome(session_id, "not on this booth",
                               "No folder for it in this booth's recordings folder.")
    if not manifest_path.exists():
        return RecoveryOutcome(session_id, "nothing to recover", "It has no recorded answers.")
    try:
        manifest = Manifest.load(manifest_path)
        recovered = parts / RECOVERED_FOLDER
        for take in manifest.takes:
            if take.status == "recording":
                _rebuild_take(manifest, take, parts, recovered)
        if not manifest.kept_takes():
            return RecoveryOutcome(session_id, "nothing to recover",
                                   "No answer had any usable recording.")
        # The rebuilt takes point into recovered/; finished ones stay where they were.
        finish_session(db, settings, session_id, manifest, status=SessionStatus.RECOVERED,
                       parts_dir=parts)
    except (KioskError, OSError, ValueError) as exc:
        return RecoveryOutcome(session_id, "failed", f"{exc} The parts were kept.")
    duration = sum(
        sum(int(seg["frames"]) for seg in take.segments) / manifest.fps
        for take in manifest.kept_takes()
    )
    return RecoveryOutcome(session_id, "recovered", duration_s=duration)


def _rebuild_take(manifest: Manifest, take: TakeEntry, parts: Path, recovered: Path) -> None:
    """Remux what survives of an interrupted take and record it in the manifest as done.

    Every surviving frame is kept. Sound is the master, so if it ends before the picture it
    is extended with silence (the picture cannot be cut exactly without re-encoding it).
    """
    recovered.mkdir(exist_ok=True)
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
