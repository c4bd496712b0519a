"""Transcripts in the database: the job queue, the finished segments, and the search.

A job is claimed by a compare-and-set UPDATE (one statement, so SQLite takes its write lock
at once and PostgreSQL re-checks the row it locked): of several booths, one takes it. The
segments are written in the transaction that marks the job done, so a transcript is whole or
absent, never half. A worker killed mid-job leaves its claim; the next start on that host
gives back the claims of processes that are gone, and any booth takes a job whose lease ran
out (a worker renews it while it works, and while it waits for a candidate to finish).
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, func, or_, select, text, update
from sqlalchemy.orm import Session

from kiosk.media.webvtt import Cue, webvtt
from kiosk.store.database import Database
from kiosk.store.folding import search_key, search_words
from kiosk.store.models import (
    InterviewSession,
    JobState,
    QuestionMarker,
    TranscriptJob,
    TranscriptSegment,
)

LEASE_S = 120  # a claim not renewed for this long is anybody's
SEARCH_LIMIT = 100  # moments shown for one search: the newest transcribed first
POSTGRES_NEWEST_WINDOW = 20_000  # segments read in order before the GIN index is asked


@dataclass(frozen=True)
class Word:
    start_ms: int
    end_ms: int
    text: str


@dataclass(frozen=True)
class Segment:
    """A stretch of speech, timed in the merged recording."""

    question_index: int | None
    start_ms: int
    end_ms: int
    text: str
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class Answer:
    """One answer's place in the recording: what a worker transcribes, one at a time."""

    index: int
    question: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Claim:
    """A job this worker holds: what to transcribe, and the claim that proves it."""

    job_id: int
    session_id: str
    worker: str
    recording_video: str | None  # relative to the recordings root
    duration_ms: int | None
    answers: tuple[Answer, ...]
    attempts: int
    language: str | None = None  # the one the candidate chose, if the booth knew it


@dataclass(frozen=True)
class JobStatus:
    state: JobState
    progress_ms: int
    total_ms: int | None
    attempts: int
    model: str | None
    language: str | None
    error: str | None
    finished_at: datetime | None

    @property
    def fraction(self) -> float | None:
        """How much of the audio is done, 0 to 1; None before the job knows its length."""
        if not self.total_ms:
            return None
        return min(1.0, self.progress_ms / self.total_ms)


@dataclass(frozen=True)
class Transcript:
    """One interview's transcript: segments only once the job is done."""

    session_id: str
    status: JobStatus | None  # None: never queued (nothing was recorded)
    segments: tuple[Segment, ...] = field(default=())

    @property
    def done(self) -> bool:
        return self.status is not None and self.status.state is JobState.DONE


@dataclass(frozen=True)
class Hit:
    """A moment where the searched words were said."""

    session_id: str
    candidate_name: str
    question_index: int | None
    question: str | None
    start_ms: int
    end_ms: int
    text: str


def worker_name() -> str:
    """This process, as a claim names it: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def queue(s: Session, session_id: str) -> None:
    """Ask for a session's transcript (again), in the caller's transaction.

    The finish of an interview calls this in the transaction that commits the recording, so
    a committed interview always has its job.
    """
    job = s.scalar(select(TranscriptJob).where(TranscriptJob.session_id == session_id))
    if job is None:
        s.add(TranscriptJob(session_id=session_id, state=JobState.PENDING, attempts=0,
                            progress_ms=0))
        return
    job.state, job.claimed_by, job.lease_until = JobState.PENDING, None, None
    job.progress_ms, job.error, job.finished_at = 0, None, None


def requeue(db: Database, session_id: str) -> bool:
    """Transcribe a session again (its old transcript stays until the new one is whole).
    False when it has no recording, or a live worker is on it now."""
    with db.session() as s, s.begin():
        row = s.get(InterviewSession, session_id)
        if row is None or row.recording_video is None:
            return False
        job = row.transcript_job
        if (job is not None and job.state is JobState.RUNNING and job.lease_until is not None
                and job.lease_until > _now()):
            return False
        queue(s, session_id)
    return True


def release_abandoned(db: Database, *, host: str | None = None) -> list[str]:
    """Give back the claims of this host's processes that are gone (killed, a power cut).

    Returns the sessions whose jobs went back to the queue. Other hosts' claims wait for
    their lease to run out: a process on another booth cannot be asked whether it lives.
    """
    host = host or socket.gethostname()
    released = []
    with db.session() as s, s.begin():
        running = s.execute(select(TranscriptJob.id, TranscriptJob.session_id,
                                   TranscriptJob.claimed_by)
                            .where(TranscriptJob.state == JobState.RUNNING)).all()
        for job_id, session_id, claimed_by in running:
            if not _gone(claimed_by, host):
                continue
            result = s.execute(update(TranscriptJob)
                               .where(TranscriptJob.id == job_id,
                                      TranscriptJob.state == JobState.RUNNING,
                                      TranscriptJob.claimed_by == claimed_by)
                               .values(state=JobState.PENDING, claimed_by=None,
                                       lease_until=None, progress_ms=0))
            if _changed(result):
                released.append(session_id)
    return released


def claim_next(db: Database, worker: str, *, session_id: str | None = None,
               lease_s: float = LEASE_S) -> Claim | None:
    """Take the oldest job that is free (or one session's), or None when there is none."""
    for _ in range(5):  # another booth may win the row between our look and our UPDATE
        now = _now()
        free = or_(TranscriptJob.state == JobState.PENDING,
                   and_(TranscriptJob.state == JobState.RUNNING,
                        TranscriptJob.lease_until < now))
        oldest = select(TranscriptJob.id).where(free).order_by(TranscriptJob.id).limit(1)
        if session_id is not None:
            oldest = oldest.where(TranscriptJob.session_id == session_id)
        with db.session() as s, s.begin():
            taken = s.execute(
                update(TranscriptJob)
                .where(TranscriptJob.id == oldest.scalar_subquery(), free)
                .values(state=JobState.RUNNING, claimed_by=worker,
                        lease_until=now + timedelta(seconds=lease_s),
                        attempts=TranscriptJob.attempts + 1, progress_ms=0, error=None)
                .returning(TranscriptJob.id, TranscriptJob.session_id, TranscriptJob.attempts)
            ).first()
            if taken is not None:
                return _claim(s, *taken, worker=worker)
            if not s.scalar(select(func.count()).select_from(TranscriptJob).where(free)):
                return None
    return None


def renew(db: Database, claim: Claim, *, progress_ms: int | None = None,
          total_ms: int | None = None, lease_s: float = LEASE_S) -> bool:
    """Keep the claim another lease, saying how far the job is; False if it was lost."""
    values: dict[str, object] = {"lease_until": _now() + timedelta(seconds=lease_s)}
    if progress_ms is not None:
        values["progress_ms"] = progress_ms
    if total_ms is not None:
        values["total_ms"] = total_ms
    with db.session() as s, s.begin():
        return _changed(s.execute(update(TranscriptJob).where(*_held(claim)).values(**values)))


def complete(db: Database, claim: Claim, segments: Sequence[Segment], *, model: str,
             language: str | None) -> bool:
    """Replace the session's transcript with `segments` and mark the job done, in one
    transaction; False (and nothing written) if the claim was lost meanwhile."""
    with db.session() as s, s.begin():
        done = s.execute(update(TranscriptJob).where(*_held(claim)).values(
            state=JobState.DONE, claimed_by=None, lease_until=None, finished_at=_now(),
            progress_ms=func.coalesce(TranscriptJob.total_ms, 0), model=model,
            language=language, error=None))
        if not _changed(done):
            return False
        s.execute(delete(TranscriptSegment)
                  .where(TranscriptSegment.session_id == claim.session_id))
        s.add_all(_segment_row(claim.session_id, segment) for segment in segments)
    return True


def fail(db: Database, claim: Claim, reason: str) -> bool:
    """The recording could not be transcribed: the job says why and is not tried again
    until someone asks (`kiosk transcripts run ID`)."""
    with db.session() as s, s.begin():
        return _changed(s.execute(update(TranscriptJob).where(*_held(claim)).values(
            state=JobState.FAILED, claimed_by=None, lease_until=None, finished_at=_now(),
            error=reason)))


def give_back(db: Database, claim: Claim) -> None:
    """Put an unfinished job back in the queue (the worker is stopping)."""
    with db.session() as s, s.begin():
        s.execute(update(TranscriptJob).where(*_held(claim)).values(
            state=JobState.PENDING, claimed_by=None, lease_until=None, progress_ms=0))


def load_transcript(db: Database, session_id: str) -> Transcript:
    with db.session() as s:
        job = s.scalar(select(TranscriptJob).where(TranscriptJob.session_id == session_id))
        if job is None:
            return Transcript(session_id=session_id, status=None)
        status = JobStatus(state=job.state, progress_ms=job.progress_ms,
                           total_ms=job.total_ms, attempts=job.attempts, model=job.model,
                           language=job.language, error=job.error,
                           finished_at=job.finished_at)
        if status.state is not JobState.DONE:
            return Transcript(session_id=session_id, status=status)
        rows = s.scalars(select(TranscriptSegment)
                         .where(TranscriptSegment.session_id == session_id)
                         .order_by(TranscriptSegment.start_ms, TranscriptSegment.id)).all()
        return Transcript(session_id=session_id, status=status,
                          segments=tuple(_segment(row) for row in rows))


def job_counts(db: Database) -> dict[JobState, int]:
    """How many jobs are in each state (every state named, zeros too)."""
    with db.session() as s:
        counts = dict(s.execute(select(TranscriptJob.state, func.count())
                                .group_by(TranscriptJob.state)).all())
    return {state: counts.get(state, 0) for state in JobState}


def search(db: Database, words: str, *, limit: int = SEARCH_LIMIT) -> list[Hit]:
    """The moments where every one of `words` was said (the last may be the start of a
    word, as it is while someone types), newest transcribed first."""
    tokens = search_words(words)
    if not tokens:
        return []
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            ids = _sqlite_matches(conn, tokens, limit)
        else:
            ids = _postgres_matches(conn, tokens, limit)
        if not ids:
            return []
        marker = QuestionMarker
        statement = (
            select(TranscriptSegment.session_id, InterviewSession.candidate_name,
                   TranscriptSegment.question_index, marker.question,
                   TranscriptSegment.start_ms, TranscriptSegment.end_ms, TranscriptSegment.text)
            .join(InterviewSession, InterviewSession.id == TranscriptSegment.session_id)
            .outerjoin(marker, and_(marker.session_id == TranscriptSegment.session_id,
                                    marker.index == TranscriptSegment.question_index))
            .where(TranscriptSegment.id.in_(ids))
            .order_by(TranscriptSegment.id.desc()))
        return [Hit(*row) for row in conn.execute(statement).all()]


def _sqlite_matches(conn: Connection, tokens: list[str], limit: int) -> list[int]:
    # Each word quoted, so none is read as an FTS5 operator (AND, NEAR, a column name).
    query = " ".join(f'"{token}"' for token in tokens) + "*"
    return list(conn.execute(text(
        "SELECT rowid FROM transcript_fts WHERE transcript_fts MATCH :query "
        "ORDER BY rowid DESC LIMIT :limit"), {"query": query, "limit": limit}).scalars())


def _postgres_matches(conn: Connection, tokens: list[str], limit: int) -> list[int]:
    """Newest first in two passes, each made to take its own plan. Left to itself the
    planner walks the primary key backwards for ORDER BY ... LIMIT, which reads the whole
    table for a word said rarely or not at all (1.9 s over 10,000 interviews); the GIN
    index alone reads every match of a common word (70 ms, 270 ms for a short prefix).
    So: the newest segments first, read in order; then, only if that did not find enough,
    the GIN index for the older ones. Both under 30 ms at that size."""
    query = " & ".join([*tokens[:-1], f"{tokens[-1]}:*"])
    newest = conn.execute(text("SELECT coalesce(max(id), 0) FROM transcript_segments")).scalar()
    floor = max(0, (newest or 0) - POSTGRES_NEWEST_WINDOW)
    found = list(conn.execute(text(
        "WITH recent AS MATERIALIZED (SELECT id, transcript_fts_vector AS words "
        "FROM transcript_segments WHERE id > :floor) "
        "SELECT id FROM recent WHERE words @@ to_tsquery('simple', :query) "
        "ORDER BY id DESC LIMIT :limit"),
        {"floor": floor, "query": query, "limit": limit}).scalars())
    if len(found) < limit and floor > 0:
        found += conn.execute(text(
            "WITH older AS MATERIALIZED (SELECT id FROM transcript_segments "
            "WHERE transcript_fts_vector @@ to_tsquery('simple', :query)) "
            "SELECT id FROM older WHERE id <= :floor ORDER BY id DESC LIMIT :limit"),
            {"floor": floor, "query": query, "limit": limit - len(found)}).scalars()
    return found


def transcript_to_dict(transcript: Transcript) -> dict[str, Any]:
    """As `kiosk transcripts show --json` prints it and the export's JSON sidecar holds it."""
    status = transcript.status
    return {
        "session_id": transcript.session_id,
        "state": status.state.value if status else None,
        "progress": status.fraction if status else None,
        "model": status.model if status else None,
        "language": status.language if status else None,
        "error": status.error if status else None,
        "finished_at": status.finished_at.isoformat() if status and status.finished_at else None,
        "segments": [
            {"question_index": seg.question_index, "start_ms": seg.start_ms,
             "end_ms": seg.end_ms, "text": seg.text,
             "words": [[w.start_ms, w.end_ms, w.text] for w in seg.words]}
            for seg in transcript.segments
        ],
    }


def transcript_webvtt(transcript: Transcript) -> str:
    """The transcript as WebVTT captions, one cue per segment."""
    return webvtt(Cue(seg.start_ms, seg.end_ms, seg.text) for seg in transcript.segments)


def words_to_json(words: Iterable[Word]) -> str:
    return json.dumps([[w.start_ms, w.end_ms, w.text] for w in words], ensure_ascii=False,
                      separators=(",", ":"))


def _segment_row(session_id: str, segment: Segment) -> TranscriptSegment:
    return TranscriptSegment(session_id=session_id, question_index=segment.question_index,
                             start_ms=segment.start_ms, end_ms=segment.end_ms,
                             text=segment.text, folded=search_key(segment.text),
                             words=words_to_json(segment.words))


def _segment(row: TranscriptSegment) -> Segment:
    words = tuple(Word(int(a), int(b), str(w)) for a, b, w in json.loads(row.words or "[]"))
    return Segment(question_index=row.question_index, start_ms=row.start_ms,
                   end_ms=row.end_ms, text=row.text, words=words)


def _claim(s: Session, job_id: int, session_id: str, attempts: int, *, worker: str) -> Claim:
    row = s.get(InterviewSession, session_id)
    assert row is not None, "a job's session outlives it (the foreign key cascades)"
    answers = tuple(Answer(m.index, m.question, m.start_ms, m.end_ms) for m in row.markers)
    return Claim(job_id=job_id, session_id=session_id, worker=worker,
                 recording_video=row.recording_video, duration_ms=row.duration_ms,
                 answers=answers, attempts=attempts, language=row.language)


def _held(claim: Claim) -> tuple:
    return (TranscriptJob.id == claim.job_id, TranscriptJob.state == JobState.RUNNING,
            TranscriptJob.claimed_by == claim.worker)


def _gone(claimed_by: str | None, host: str) -> bool:
    if not claimed_by:
        return True
    claim_host, _, pid_text = claimed_by.rpartition(":")
    if claim_host != host or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid() or os.name == "nt":
        return False  # Windows' os.kill(pid, 0) would end that process: the lease decides
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # somebody's process with that number: alive
    return False


def _changed(result: object) -> bool:
    return getattr(result, "rowcount", 0) == 1


def _now() -> datetime:
    return datetime.now(UTC)
