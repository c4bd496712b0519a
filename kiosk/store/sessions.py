"""Interview sessions: creating them, finding them, and their JSON form.

The JSON form keeps the seed's field names (`session_id`, `candidate_name`, `recording_url`,
`recording_created_at`, `file_size`, `file_name`) so programs written for the web version
read it unchanged; it is what `kiosk sessions list/show --json` print.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kiosk.errors import InvalidInputError, NotFoundError, UnsafePathError
from kiosk.store.files import resolve_recording_path
from kiosk.store.models import InterviewSession, SessionStatus

MAX_NAME_LENGTH = 200


def clean_candidate_name(name: str) -> str:
    """The name as it will be stored, or InvalidInputError saying what is wrong with it.

    Quotes, accents, any script and emoji are kept exactly; a name is one line of at most
    200 characters, with no control characters.
    """
    cleaned = unicodedata.normalize("NFC", name).strip()
    if not cleaned:
        raise InvalidInputError("Please enter a name.")
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in cleaned):
        raise InvalidInputError("A name must be a single line, without tabs or control characters.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidInputError(
            f"A name can be at most {MAX_NAME_LENGTH} characters long (this one has "
            f"{len(cleaned)})."
        )
    return cleaned


def clean_position(position: str | None) -> str | None:
    if position is None:
        return None
    cleaned = " ".join(unicodedata.normalize("NFC", position).split())
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidInputError(f"A position can be at most {MAX_NAME_LENGTH} characters long.")
    return cleaned or None


def create_session(
    db: Session,
    candidate_name: str,
    *,
    position: str | None = None,
    status: SessionStatus = SessionStatus.SCHEDULED,
) -> InterviewSession:
    """Add a session (not yet committed) after checking the name and position."""
    session = InterviewSession(
        candidate_name=clean_candidate_name(candidate_name),
        position=clean_position(position),
        status=status,
    )
    db.add(session)
    db.flush()
    return session


def list_sessions(db: Session) -> list[InterviewSession]:
    """Every session, newest first, with its question markers loaded."""
    query = (
        select(InterviewSession)
        .options(selectinload(InterviewSession.markers))
        .order_by(InterviewSession.created_at.desc(), InterviewSession.id)
    )
    return list(db.scalars(query))


def scheduled_today(db: Session, now: datetime | None = None) -> list[InterviewSession]:
    """Sessions still waiting for their candidate, created today (the booth's local day)."""
    local_now = (now or datetime.now(UTC)).astimezone()
    day_start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    query = (
        select(InterviewSession)
        .where(InterviewSession.status == SessionStatus.SCHEDULED,
               InterviewSession.created_at >= day_start.astimezone(UTC),
               InterviewSession.created_at < (day_start + timedelta(days=1)).astimezone(UTC))
        .order_by(InterviewSession.candidate_name, InterviewSession.id)
    )
    return list(db.scalars(query))


def get_session(db: Session, session_id: str) -> InterviewSession:
    found = db.get(InterviewSession, session_id.strip())
    if found is None:
        raise NotFoundError(f"No interview session has the id {session_id!r}.")
    return found


def session_to_dict(session: InterviewSession, recordings_root: Path) -> dict[str, Any]:
    """The session as JSON-ready data, in the seed's field names plus our own columns.

    A recording path that would leave the recordings root is never turned into a URL: the
    field `recording_error` says why instead.
    """
    recording_url = file_name = recording_error = thumbnail_url = None
    if session.recording_video:
        try:
            path = resolve_recording_path(recordings_root, session.recording_video)
            recording_url = path.as_uri()
            file_name = path.name
        except UnsafePathError as exc:
            recording_error = str(exc)
    if session.thumbnail:
        try:
            thumbnail_url = resolve_recording_path(recordings_root, session.thumbnail).as_uri()
        except UnsafePathError:
            thumbnail_url = None
    return {
        "session_id": session.id,
        "candidate_name": session.candidate_name,
        "position": session.position,
        "status": session.status.value,
        "created_at": _iso(session.created_at),
        "started_at": _iso(session.started_at),
        "completed_at": _iso(session.completed_at),
        "consent_at": _iso(session.consent_at),
        "recording_video": session.recording_video,
        "recording_url": recording_url,
        "recording_created_at": _iso(session.recording_created_at),
        "recording_error": recording_error,
        "file_size": session.size_bytes,
        "file_name": file_name,
        "duration_ms": session.duration_ms,
        "sha256": session.sha256,
        "thumbnail_url": thumbnail_url,
        "questions": [
            {
                "index": marker.index,
                "question": marker.question,
                "start_ms": marker.start_ms,
                "end_ms": marker.end_ms,
            }
            for marker in session.markers
        ],
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
