"""Rebuilding interviews that a crash, a kill or a power cut left unfinished.

Runs at start-up and with `kiosk recover`. A session still marked in progress, recording or
merging that has parts on this machine, and that no running kiosk holds (its recording lock
is free), is merged from what is on disk and marked `recovered`; a take that was cut off is
rebuilt from what survives (kiosk.capture.rebuild). Nothing is deleted unless the merge was
committed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select

from kiosk.capture.session import (
    MANIFEST_NAME,
    Manifest,
    NothingToMergeError,
    finish_session,
)
from kiosk.config import Settings
from kiosk.store.database import Database
from kiosk.store.files import PARTS_FOLDER_NAME, session_folder
from kiosk.store.locks import is_being_recorded
from kiosk.store.models import UNFINISHED_STATUSES, InterviewSession, SessionStatus


@dataclass
class RecoveryOutcome:
    session_id: str
    outcome: str  # recovered | nothing to recover | not on this booth | being recorded | failed
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
    if is_being_recorded(folder):
        return RecoveryOutcome(session_id, "being recorded",
                               "A kiosk is recording it right now; it was left alone.")
    if not manifest_path.exists():
        return RecoveryOutcome(session_id, "nothing to recover", "It has no recorded answers.")
    try:
        manifest = Manifest.load(manifest_path)
        # finish_session rebuilds the takes that were cut off.
        finish_session(db, settings, session_id, manifest, status=SessionStatus.RECOVERED)
    except NothingToMergeError as exc:
        return RecoveryOutcome(session_id, "nothing to recover", str(exc))
    except Exception as exc:  # one bad session must not stop the others, or the kiosk
        return RecoveryOutcome(session_id, "failed", f"{exc} The parts were kept.")
    duration = sum(
        sum(int(seg["frames"]) for seg in take.segments) / manifest.fps
        for take in manifest.kept_takes()
    )
    return RecoveryOutcome(session_id, "recovered", duration_s=duration)
