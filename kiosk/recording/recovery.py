"""Rebuilding interviews that a crash, a kill, a power cut or a full disk left unfinished.

Runs at start-up and with `kiosk recover`; `kiosk doctor` asks the same question through
`recoverable_sessions`, so it promises only what recovery will do. A session is recoverable
when it is still marked in progress, recording or merging, something of it is on this
machine's disk, and no running kiosk holds its recording lock.

The media files are the truth and the manifest is their index: a manifest that is missing or
damaged is made again from the part files' names and streams. Each take is rebuilt from what
survives of it (kiosk.recording.rebuild), the session merged and marked `recovered`. One that
truly cannot be rebuilt (nothing usable reached the disk) is marked `failed` with the reason,
its files kept; one that meets a full disk stays as it is, for the next try.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kiosk.config import Settings
from kiosk.errors import DiskFullError
from kiosk.media.probe import probe
from kiosk.recording.finish import NothingToMergeError, finish_session
from kiosk.recording.manifest import MANIFEST_NAME, PART_FILE, Manifest, ManifestError
from kiosk.store import sessions
from kiosk.store.database import Database
from kiosk.store.files import PARTS_FOLDER_NAME, RECORDING_LOCK_NAME, session_folder
from kiosk.store.locks import is_being_recorded
from kiosk.store.models import UNFINISHED_STATUSES, InterviewSession, SessionStatus

log = logging.getLogger(__name__)


class Standing(enum.StrEnum):
    """Where an unfinished session stands for this booth."""

    RECOVERABLE = "recoverable"
    NOT_ON_THIS_BOOTH = "not on this booth"  # with a shared database, another booth has it
    BEING_RECORDED = "being recorded"
    NOTHING_ON_DISK = "nothing on disk"  # its folder is here, but no answer reached it


class Outcome(enum.StrEnum):
    RECOVERED = "recovered"
    NOT_ON_THIS_BOOTH = "not on this booth"
    BEING_RECORDED = "being recorded"
    UNRECOVERABLE = "cannot be rebuilt"  # marked failed, with the reason; files kept
    FAILED = "failed"  # this try failed (a full disk, say): the next one tries again


_LEFT_ALONE = {
    Standing.NOT_ON_THIS_BOOTH: "No folder for it in this booth's recordings folder.",
    Standing.BEING_RECORDED: "A kiosk is recording it right now; it was left alone.",
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
    parts = folder / PARTS_FOLDER_NAME
    if parts.is_dir() and any(
            entry.name == MANIFEST_NAME or PART_FILE.match(entry.name)
            for entry in parts.iterdir()):
        return Standing.RECOVERABLE
    return Standing.NOTHING_ON_DISK


def unfinished_sessions(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(InterviewSession.id).where(
            InterviewSession.status.in_(UNFINISHED_STATUSES))))


def recoverable_sessions(db: Database, root: Path) -> list[str]:
    """Those that `recover_all` would act on now (rebuild, or mark as failed)."""
    return [sid for sid in unfinished_sessions(db)
            if standing(root, sid) in (Standing.RECOVERABLE, Standing.NOTHING_ON_DISK)]


def recover_all(db: Database, settings: Settings, *,
                questions: Sequence[str] = ()) -> list[RecoveryOutcome]:
    """`questions`: the texts of the configured question set, for a take whose manifest
    entry was lost (otherwise it is called "Question N")."""
    return [recover_session(db, settings, session_id, questions=questions)
            for session_id in unfinished_sessions(db)]


def recover_session(db: Database, settings: Settings, session_id: str, *,
                    questions: Sequence[str] = ()) -> RecoveryOutcome:
    found = standing(settings.recordings_dir, session_id)
    if found in _LEFT_ALONE:
        return RecoveryOutcome(session_id, Outcome(found.value), _LEFT_ALONE[found])
    folder = session_folder(settings.recordings_dir, session_id)
    try:
        if found is Standing.NOTHING_ON_DISK:
            raise NothingToMergeError("No answer of it reached this booth's disk.")
        manifest = _manifest(folder / PARTS_FOLDER_NAME, settings, session_id, questions)
        finished = finish_session(db, settings, manifest, status=SessionStatus.RECOVERED)
    except NothingToMergeError as exc:
        sessions.fail(db, session_id, str(exc))
        return RecoveryOutcome(session_id, Outcome.UNRECOVERABLE,
                               f"{exc} It is marked failed; its files were kept.")
    except DiskFullError as exc:
        return RecoveryOutcome(session_id, Outcome.FAILED, str(exc))
    except Exception as exc:  # one bad session must not stop the others, or the kiosk
        log.exception("recovering %s failed", session_id)
        return RecoveryOutcome(session_id, Outcome.FAILED, f"{exc} The parts were kept.")
    (folder / RECORDING_LOCK_NAME).unlink(missing_ok=True)
    return RecoveryOutcome(session_id, Outcome.RECOVERED, duration_s=finished.duration_s)


def _manifest(parts: Path, settings: Settings, session_id: str,
              questions: Sequence[str]) -> Manifest:
    """The manifest on disk or, if it is missing or damaged, one made from the parts."""
    try:
        return Manifest.load(parts / MANIFEST_NAME)
    except ManifestError as exc:
        log.warning("%s; rebuilding %s from its part files", exc, session_id)
    recording = settings.recording
    width, height, fps, rate = recording.width, recording.height, float(recording.fps), (
        recording.sample_rate)
    # The streams say how they were recorded, where a file of each survives.
    for path in sorted(parts.glob("q*-t*-v*.mkv")):
        info = probe(path)
        if info.width and info.height and info.fps:
            width, height, fps = info.width, info.height, info.fps
            break
    for path in sorted(parts.glob("q*-t*.m4a")):
        if (info := probe(path)).sample_rate:
            rate = info.sample_rate
            break
    known = _question_texts(parts)

    def question(index: int) -> str:
        if index in known:
            return known[index]
        return questions[index] if index < len(questions) else f"Question {index + 1}"

    return Manifest.from_parts(parts, session_id, width=width, height=height, fps=fps,
                               sample_rate=rate, question=question)


def _question_texts(parts: Path) -> dict[int, str]:
    """Question texts a damaged manifest still shows (its takes may be unreadable)."""
    try:
        data = json.loads((parts / MANIFEST_NAME).read_text(encoding="utf-8"))
        return {int(t["index"]): str(t["question"]) for t in data.get("takes", [])
                if isinstance(t, dict) and "index" in t and "question" in t}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}
