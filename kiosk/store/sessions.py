"""Interview sessions: their lifecycle, finding them, and their JSON form.

This module alone creates session rows and changes their status. Each change is a named
function that refuses one the session cannot make from where it is (StatusChangeError):

    scheduled -> in progress -> recording <-> in progress -> merging -> completed | recovered
    scheduled -> declined
    in progress | recording | merging -> failed (nothing of it could be rebuilt)

The JSON form keeps the seed's field names (`session_id`, `candidate_name`, `recording_url`,
`recording_created_at`, `file_size`, `file_name`) so programs written for the web version
read it unchanged; it is what `kiosk sessions list/show --json` print.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kiosk.accommodations import Accommodations
from kiosk.errors import InvalidInputError, KioskError, NotFoundError, UnsafePathError
from kiosk.store import transcripts
from kiosk.store.database import Database
from kiosk.store.files import resolve_recording_path
from kiosk.store.models import (
    UNFINISHED_STATUSES,
    IncidentKind,
    InterviewSession,
    QuestionMarker,
    RecordingIncident,
    SessionStatus,
)

log = logging.getLogger(__name__)

MAX_NAME_LENGTH = 200
# Explicit text-direction controls (embeddings, overrides, isolates, marks). They make a name
# display as something else ("Ada\u202eecilA" shows as "AdaAlice"), and right-to-left
# scripts never need them typed in. Joiners (U+200C, U+200D) are not among them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                          "\u200e\u200f\u061c")


class StatusChangeError(KioskError):
    """A session was asked for a status it cannot reach from the one it has."""


def clean_candidate_name(name: str) -> str:
    """The name as it will be stored, or InvalidInputError saying what is wrong with it.

    Quotes, accents, any script and emoji are kept exactly; a name is one line of at most
    200 characters, with no control characters.
    """
    refuse_unsafe_text(name, "A name")
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
    refuse_unsafe_text(position, "A position")
    cleaned = " ".join(unicodedata.normalize("NFC", position).split())
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidInputError(f"A position can be at most {MAX_NAME_LENGTH} characters long.")
    return cleaned or None


def refuse_unsafe_text(text: str, what: str) -> None:
    """InvalidInputError if `text` is not valid text or holds a text-direction control.

    `what` starts the message ("A name", "A note"). Shared by everything typed in that is
    cleaned: names, positions, operator names, notes.
    """
    if any(unicodedata.category(ch) == "Cs" for ch in text):
        # Lone surrogates: bytes that were not UTF-8 (surrogateescape), or broken UTF-16.
        raise InvalidInputError(f"{what} is not valid text: part of it is not UTF-8.")
    found = sorted({ch for ch in text if ch in BIDI_CONTROLS})
    if found:
        named = ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch)}" for ch in found)
        raise InvalidInputError(
            f"{what} must not contain text-direction control characters ({named}): they can "
            f"make it display as something else.")


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


# -- the lifecycle ----------------------------------------------------------------------

def give_consent(db: Database, candidate: str, scheduled_id: str | None, *,
                 language: str | None = None) -> str:
    """Store the time of consent (and the candidate's language) on the scheduled session, or
    on a new one; its id.

    A scheduled session that is no longer waiting (another booth took it) is left alone and
    the candidate gets a session of their own, with the accommodations they were given.
    """
    with db.session() as s, s.begin():
        row = s.get(InterviewSession, scheduled_id) if scheduled_id else None
        if row is None or row.status is not SessionStatus.SCHEDULED:
            given = row.accommodations if row is not None else None
            row = create_session(s, candidate)
            row.walk_in = True
            row.accommodations = given
        row.consent_at = datetime.now(UTC)
        row.language = language
        return row.id


def withdraw_consent(db: Database, session_id: str) -> None:
    """The candidate left before any answer: a scheduled session waits for them again; a
    walk-in's leaves nothing behind (its name is never shown to anyone else)."""
    with db.session() as s, s.begin():
        row = s.get(InterviewSession, session_id)
        if row is None:
            return  # deleted meanwhile: nothing is waiting
        _require(row, SessionStatus.SCHEDULED, (SessionStatus.SCHEDULED,))
        if row.walk_in:
            s.delete(row)
        else:
            row.consent_at = None


def decline(db: Database, session_id: str) -> None:
    """Consent refused: nothing will be recorded for this scheduled session."""
    _change(db, session_id, SessionStatus.DECLINED, (SessionStatus.SCHEDULED,))


def start_session(db: Database, session_id: str, *, booth_name: str | None = None) -> None:
    """The first answer is about to be recorded (the start time is kept from the first), on
    the booth named `booth_name`: its files are there until they are uploaded."""
    with db.session() as s, s.begin():
        row = _get(s, session_id)
        _require(row, SessionStatus.IN_PROGRESS,
                 (SessionStatus.SCHEDULED, SessionStatus.IN_PROGRESS))
        row.status = SessionStatus.IN_PROGRESS
        if row.started_at is None:
            row.started_at = datetime.now(UTC)
        if booth_name is not None:
            row.booth_name = booth_name


def answer_started(db: Database, session_id: str) -> None:
    # From recording too: an answer whose end failed is still marked so (its parts are kept).
    _change(db, session_id, SessionStatus.RECORDING,
            (SessionStatus.IN_PROGRESS, SessionStatus.RECORDING))


def answer_ended(db: Database, session_id: str) -> None:
    _change(db, session_id, SessionStatus.IN_PROGRESS, (SessionStatus.RECORDING,))


def start_merging(db: Database, session_id: str) -> None:
    """From any unfinished status: recovery takes sessions wherever a crash left them."""
    _change(db, session_id, SessionStatus.MERGING, UNFINISHED_STATUSES)


@dataclass(frozen=True)
class Marker:
    index: int
    question: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Incident:
    kind: IncidentKind
    question_index: int | None = None
    at_ms: int | None = None
    duration_ms: int | None = None
    detail: str = ""


@dataclass(frozen=True)
class FinishedRecording:
    """What the finish step made, as the session row keeps it (paths relative to the root)."""

    video: str
    thumbnail: str
    duration_ms: int
    size_bytes: int
    sha256: str
    markers: Sequence[Marker]
    incidents: Sequence[Incident] = ()
    questions_total: int | None = None  # of the question set; None where unknown
    ended_early: bool = False


def finish(db: Database, session_id: str, recording: FinishedRecording, *,
           status: SessionStatus) -> None:
    """Merged and verified: commit the recording and its question markers in one go."""
    if status not in (SessionStatus.COMPLETED, SessionStatus.RECOVERED):
        raise ValueError(f"a session finishes completed or recovered, not {status.value}")
    with db.session() as s, s.begin():
        row = _get(s, session_id)
        _require(row, status, (SessionStatus.MERGING,))
        now = datetime.now(UTC)
        row.status = status
        row.completed_at = now
        row.recording_video = recording.video
        row.recording_created_at = now
        row.duration_ms = recording.duration_ms
        row.size_bytes = recording.size_bytes
        row.sha256 = recording.sha256
        row.thumbnail = recording.thumbnail
        row.questions_answered = len(recording.markers)
        row.questions_total = recording.questions_total
        row.ended_early = recording.ended_early
        row.markers.clear()
        s.flush()
        for marker in recording.markers:
            row.markers.append(QuestionMarker(index=marker.index, question=marker.question,
                                              start_ms=marker.start_ms, end_ms=marker.end_ms))
        row.incidents.clear()
        row.incidents.extend(_incident_row(incident) for incident in recording.incidents)
        transcripts.queue(s, session_id)  # committed with the recording, or not at all


def fail(db: Database, session_id: str, reason: str) -> None:
    """Nothing of the interview could be rebuilt: said why, for the recruiter and IT; its
    files stay where they are."""
    with db.session() as s, s.begin():
        row = _get(s, session_id)
        _require(row, SessionStatus.FAILED, UNFINISHED_STATUSES)
        row.status = SessionStatus.FAILED
        row.completed_at = datetime.now(UTC)
        row.incidents.append(_incident_row(Incident(IncidentKind.UNRECOVERABLE, detail=reason)))


def _incident_row(incident: Incident) -> RecordingIncident:
    return RecordingIncident(kind=incident.kind, question_index=incident.question_index,
                             at_ms=incident.at_ms, duration_ms=incident.duration_ms,
                             detail=incident.detail)


def _change(db: Database, session_id: str, to: SessionStatus,
            allowed: Collection[SessionStatus]) -> None:
    with db.session() as s, s.begin():
        row = _get(s, session_id)
        _require(row, to, allowed)
        row.status = to


def _get(s: Session, session_id: str) -> InterviewSession:
    row = s.get(InterviewSession, session_id)
    if row is None:
        raise NotFoundError(f"The session {session_id} no longer exists.")
    return row


def _require(row: InterviewSession, to: SessionStatus,
             allowed: Collection[SessionStatus]) -> None:
    if row.status not in allowed:
        raise StatusChangeError(
            f"The session {row.id} is {row.status.value.replace('_', ' ')}: it cannot "
            f"become {to.value.replace('_', ' ')}.")


def list_sessions(db: Session) -> list[InterviewSession]:
    """Every session, newest first, with its question markers loaded."""
    query = (
        select(InterviewSession)
        .options(selectinload(InterviewSession.markers),
                 selectinload(InterviewSession.incidents))
        .order_by(InterviewSession.created_at.desc(), InterviewSession.id)
    )
    return list(db.scalars(query))


def scheduled_today(db: Session, now: datetime | None = None) -> list[InterviewSession]:
    """Sessions still waiting for their candidate, created today (the booth's local day)."""
    local_now = (now or datetime.now(UTC)).astimezone()
    day_start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    query = (
        select(InterviewSession)
        # Not a walk-in, nor someone in the interview right now (at this or another booth).
        .where(InterviewSession.status == SessionStatus.SCHEDULED,
               InterviewSession.walk_in.is_(False), InterviewSession.consent_at.is_(None),
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
        "questions_answered": session.questions_answered,
        "questions_total": session.questions_total,
        "ended_early": session.ended_early,
        "walk_in": session.walk_in,
        "booth_name": session.booth_name,
        "language": session.language,
        "accommodations": accommodations_of(session).to_json(),
        "uploaded_at": _iso(session.uploaded_at),
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
        "incidents": [
            {
                "kind": incident.kind.value,
                "question_index": incident.question_index,
                "at_ms": incident.at_ms,
                "duration_ms": incident.duration_ms,
                "detail": incident.detail,
            }
            for incident in session.incidents
        ],
    }


def accommodations_of(session: InterviewSession) -> Accommodations:
    """The session's accommodations; a stored value this booth cannot read counts as none
    (logged), so that one row never stops the list or the booth."""
    if not session.accommodations:
        return Accommodations()
    try:
        return Accommodations.from_json(json.loads(session.accommodations))
    except (ValueError, TypeError, AttributeError, InvalidInputError) as exc:
        log.warning("session %s: accommodations not readable (%s): %r", session.id, exc,
                    session.accommodations)
        return Accommodations()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
