"""What recruiters add to a session: timestamped notes, 1-5 ratings, and who watched it.

Also the two read models the recruiter's screens are built on: the sessions list (one light
row per session, fast for tens of thousands) and the review of one session (its JSON, notes,
ratings and view history), which is also the export's sidecar.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Float, cast, func, select
from sqlalchemy.orm import Session, selectinload

from kiosk.errors import InvalidInputError, NotFoundError
from kiosk.store.database import Database
from kiosk.store.models import (
    InterviewSession,
    Note,
    Operator,
    Rating,
    RecordingView,
    SessionStatus,
    utcnow,
)
from kiosk.store.operators import SignedInOperator
from kiosk.store.sessions import get_session, refuse_unsafe_text, session_to_dict

MAX_NOTE_LENGTH = 2000


class SessionRow(NamedTuple):
    """One line of the sessions list."""

    session_id: str
    candidate_name: str
    position: str | None
    status: SessionStatus
    date: datetime  # when it was recorded (or, before it was, when it was scheduled)
    duration_ms: int | None
    thumbnail: str | None  # relative to the recordings root
    rating: float | None  # the mean of the overall ratings
    ended_early: bool  # the interview stopped before its last question
    questions_answered: int | None
    questions_total: int | None


def list_session_rows(db: Database) -> list[SessionRow]:
    """Every session as a list row, newest first, in one query."""
    overall = (select(Rating.session_id, cast(func.avg(Rating.score), Float).label("rating"))
               .where(Rating.question_index.is_(None))
               .group_by(Rating.session_id).subquery())
    date = func.coalesce(InterviewSession.recording_created_at, InterviewSession.created_at)
    query = (select(InterviewSession.id, InterviewSession.candidate_name,
                    InterviewSession.position, InterviewSession.status, date,
                    InterviewSession.duration_ms, InterviewSession.thumbnail, overall.c.rating,
                    InterviewSession.ended_early, InterviewSession.questions_answered,
                    InterviewSession.questions_total)
             .outerjoin(overall, overall.c.session_id == InterviewSession.id)
             .order_by(InterviewSession.created_at.desc(), InterviewSession.id))
    # A plain connection, not an ORM session, and one date per row: for 10,000 rows the
    # ORM's bookkeeping and the time-zone conversions are most of the time this takes.
    with db.engine.connect() as conn:
        return list(map(SessionRow._make, conn.execute(query).all()))


@dataclass(frozen=True)
class NoteEntry:
    id: int
    time_ms: int
    text: str
    author_id: int | None
    author_name: str  # "a former operator" once the author was removed
    created_at: datetime
    updated_at: datetime | None


@dataclass(frozen=True)
class RatingEntry:
    question_index: int | None  # None: the interview as a whole
    score: int
    operator_id: int | None
    operator_name: str


@dataclass(frozen=True)
class ViewEntry:
    operator_name: str
    opened_at: datetime
    watched_ms: int


@dataclass(frozen=True)
class SessionReview:
    """Everything the details pane shows of one session, read in one go."""

    data: dict[str, Any]  # as `kiosk sessions show --json` prints it
    notes: list[NoteEntry]
    ratings: list[RatingEntry]
    views: list[ViewEntry]

    def my_rating(self, operator_id: int, question_index: int | None) -> int | None:
        for rating in self.ratings:
            if rating.operator_id == operator_id and rating.question_index == question_index:
                return rating.score
        return None

    def mean_rating(self, question_index: int | None) -> tuple[float | None, int]:
        scores = [r.score for r in self.ratings if r.question_index == question_index]
        return (sum(scores) / len(scores) if scores else None), len(scores)

    def to_export_dict(self) -> dict[str, Any]:
        """The sidecar: the session's JSON plus its notes and ratings."""
        return {
            **self.data,
            "notes": [{"time_ms": n.time_ms, "text": n.text, "author": n.author_name,
                       "created_at": n.created_at.isoformat(),
                       "updated_at": n.updated_at.isoformat() if n.updated_at else None}
                      for n in self.notes],
            "ratings": [{"question_index": r.question_index, "score": r.score,
                         "operator": r.operator_name} for r in self.ratings],
        }


FORMER_OPERATOR = "a former operator"


def load_review(db: Database, session_id: str, recordings_root: Path) -> SessionReview:
    with db.session() as s:
        session = s.scalars(
            select(InterviewSession).where(InterviewSession.id == session_id)
            .options(selectinload(InterviewSession.markers),
                     selectinload(InterviewSession.notes).selectinload(Note.author),
                     selectinload(InterviewSession.ratings),
                     selectinload(InterviewSession.views),
                     selectinload(InterviewSession.incidents))).one_or_none()
        if session is None:
            raise NotFoundError(f"No interview session has the id {session_id!r}.")
        # A removed operator's id is None: they are named as a former operator.
        names: dict[int | None, str] = {
            op_id: name for op_id, name in s.execute(select(Operator.id, Operator.name))}
        notes = [NoteEntry(n.id, n.time_ms, n.text, n.author_id,
                           n.author.name if n.author else FORMER_OPERATOR,
                           n.created_at, n.updated_at) for n in session.notes]
        ratings = [RatingEntry(r.question_index, r.score, r.operator_id,
                               names.get(r.operator_id, FORMER_OPERATOR))
                   for r in sorted(session.ratings,
                                   key=lambda r: (r.question_index is not None,
                                                  r.question_index or 0, r.id))]
        views = [ViewEntry(names.get(v.operator_id, FORMER_OPERATOR), v.opened_at,
                           v.watched_ms) for v in reversed(session.views)]
        return SessionReview(session_to_dict(session, recordings_root), notes, ratings, views)


def clean_note_text(text: str) -> str:
    refuse_unsafe_text(text, "A note")
    cleaned = unicodedata.normalize("NFC", text).strip()
    if not cleaned:
        raise InvalidInputError("A note needs some text.")
    if len(cleaned) > MAX_NOTE_LENGTH:
        raise InvalidInputError(f"A note can be at most {MAX_NOTE_LENGTH} characters long "
                                f"(this one has {len(cleaned)}).")
    return cleaned


def add_note(db: Database, session_id: str, author: SignedInOperator, time_ms: int,
             text: str) -> int:
    """Add a note at `time_ms` of the recording; its id."""
    text = clean_note_text(text)
    with db.session() as s, s.begin():
        get_session(s, session_id)
        note = Note(session_id=session_id, time_ms=max(0, int(time_ms)), text=text,
                    author_id=author.id)
        s.add(note)
        s.flush()
        return note.id


def edit_note(db: Database, note_id: int, author: SignedInOperator, text: str) -> None:
    text = clean_note_text(text)
    with db.session() as s, s.begin():
        note = _own_note(s, note_id, author)
        note.text = text
        note.updated_at = utcnow()


def delete_note(db: Database, note_id: int, author: SignedInOperator) -> None:
    with db.session() as s, s.begin():
        s.delete(_own_note(s, note_id, author))


def set_rating(db: Database, session_id: str, operator: SignedInOperator,
               question_index: int | None, score: int) -> None:
    """The operator's 1-5 score for one question (or None: the whole interview)."""
    if not 1 <= score <= 5:
        raise InvalidInputError(f"A rating is from 1 to 5, not {score}.")
    with db.session() as s, s.begin():
        get_session(s, session_id)
        existing = s.scalars(select(Rating).where(
            Rating.session_id == session_id, Rating.operator_id == operator.id,
            Rating.question_index.is_(None) if question_index is None
            else Rating.question_index == question_index)).first()
        if existing is None:
            s.add(Rating(session_id=session_id, operator_id=operator.id,
                         question_index=question_index, score=score))
        else:
            existing.score = score


def start_view(db: Database, session_id: str, operator: SignedInOperator) -> int:
    """Record that `operator` opened the recording now; the id to update as they watch."""
    with db.session() as s, s.begin():
        view = RecordingView(session_id=session_id, operator_id=operator.id, watched_ms=0)
        s.add(view)
        s.flush()
        return view.id


def update_view(db: Database, view_id: int, watched_ms: int) -> None:
    """How long the recording has been watched in this view so far (the session may be gone)."""
    with db.session() as s, s.begin():
        view = s.get(RecordingView, view_id)
        if view is not None:
            view.watched_ms = max(view.watched_ms, int(watched_ms))


def _own_note(s: Session, note_id: int, author: SignedInOperator) -> Note:
    note = s.get(Note, note_id)
    if note is None:
        raise NotFoundError("That note no longer exists.")
    if note.author_id != author.id:
        raise InvalidInputError("Only the person who wrote a note can change or delete it.")
    return note
