"""Rebuilding interviews that a crash, a kill or a power cut left unfinished.

Runs at start-up and with `kiosk recover`; `kiosk doctor` asks the same question through
`recoverable_sessions`. A session is recoverable when it is still marked in progress,
recording or merging, its parts (with their manifest) are on this machine, and no running
kiosk holds its recording lock. It is merged from what is on disk (a take that was cut off
is rebuilt from what survives) and marked `recovered`. Nothing is deleted unless the merge
was committed.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kiosk.config import Settings
from kiosk.recording.finish import NothingToMergeError, finish_session
from kiosk.recording.manifest import MANIFEST_NAME, Manifest
from kiosk.store.database import Database
from kiosk.store.files import PARTS_FOLDER_NAME, session_folder
from kiosk.store.locks import is_being_recorded
from kiosk.store.models import UNFINISHED_STATUSES, InterviewSession, SessionStatus


class Standing(enum.StrEnum):
    """Where an unfinished session stands for this booth."""

    RECOVERABLE = "recoverable"
    NOT_ON_THIS_BOOTH = "not on this booth"  # with a shared database, another booth has it
    BEING_RECORDED = "being recorded"
    NOTHING_TO_RECOVER = "nothing to recover"


class Outcome(enum.StrEnum):
    RECOVERED = "recovered"
    NOTHING_TO_RECOVER = "nothing to recover"
    NOT_ON_THIS_BOOTH = "not on this booth"
    BEING_RECORDED = "being recorded"
    FAILED = "failed"


_LEFT_ALONE = {
    Standing.NOT_ON_THIS_BOOTH: "No folder for it in this booth's recordings folder.",
    Standing.BEING_RECORDED: "A kiosk is recording it right now; it was left alone.",
    Standing.NOTHING_TO_RECOVER: "It has no recorded answers.",
}


@dataclass
class RecoveryOutcome:
    session_id: str
    outcome: Outcome
    message: str = ""
    duration_s: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def standing(root: Path, session_id: str) -> Standing:
    """The one test of "can this booth rebuild it now", for an unfinished session."""
    folder = session_folder(root, session_id)
    if not folder.exists():
        return Standing.NOT_ON_THIS_BOOTH
    if is_being_recorded(folder):
        return Standing.BEING_RECORDED
    if not (folder / PARTS_FOLDER_NAME / MANIFEST_NAME).exists():
        return Standing.NOTHING_TO_RECOVER
    return Standing.RECOVERABLE


def unfinished_sessions(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(InterviewSession.id).where(
            InterviewSession.status.in_(UNFINISHED_STATUSES))))


def recoverable_sessions(db: Database, root: Path) -> list[str]:
    return [sid for sid in unfinished_sessions(db)
            if standing(root, sid) is Standing.RECOVERABLE]


def recover_all(db: Database, settings: Settings) -> list[RecoveryOutcome]:
    return [recover_session(db, settings, session_id) for session_id in unfinished_sessions(db)]


def recover_session(db: Database, settings: Settings, session_id: str) -> RecoveryOutcome:
    found = standing(settings.recordings_dir, session_id)
    if found is not Standing.RECOVERABLE:
        return RecoveryOutcome(session_id, Outcome(found.value), _LEFT_ALONE[found])
    parts = session_folder(settings.recordings_dir, session_id) / PARTS_FOLDER_NAME
    try:
        manifest = Manifest.load(parts / MANIFEST_NAME)
        finished = finish_session(db, settings, manifest, status=SessionStatus.RECOVERED)
    except NothingToMergeError as exc:
        return RecoveryOutcome(session_id, Outcome.NOTHING_TO_RECOVER, str(exc))
    except Exception as exc:  # one bad session must not stop the others, or the kiosk
        return RecoveryOutcome(session_id, Outcome.FAILED, f"{exc} The parts were kept.")
    return RecoveryOutcome(session_id, Outcome.RECOVERED, duration_s=finished.duration_s)
