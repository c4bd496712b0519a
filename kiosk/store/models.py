"""The database tables, as typed SQLAlchemy 2.x models.

Every time is timezone-aware UTC in Python. SQLite has no time zones, so `UTCDateTime` stores
naive UTC there and gives the zone back on the way out; PostgreSQL keeps `timestamptz`.
Paths are stored relative to the recordings root and resolved by `kiosk.store.files`.
"""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# Named constraints, so that migrations (and SQLite batch mode) can refer to them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the kiosk stores aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"  # created ahead by a recruiter; the candidate has not started
    IN_PROGRESS = "in_progress"  # the candidate is in the flow, between answers
    RECORDING = "recording"  # an answer is being written to parts/
    MERGING = "merging"  # parts are being merged into interview.mp4
    COMPLETED = "completed"
    RECOVERED = "recovered"  # rebuilt from parts after a crash, a kill or a power cut
    DECLINED = "declined"  # consent refused: nothing was recorded
    FAILED = "failed"


# Left in one of these by a crash, a kill or a power cut: recovery rebuilds them.
UNFINISHED_STATUSES = (SessionStatus.IN_PROGRESS, SessionStatus.RECORDING, SessionStatus.MERGING)


class IncidentKind(enum.StrEnum):
    """Something a recruiter should know about how an interview was recorded."""

    STALL = "stall"  # the booth froze: the picture or the sound stood still for a while
    NO_PICTURE = "no_picture"  # only the sound of an answer survived: a still picture stands in
    NO_SOUND = "no_sound"  # only the picture survived: silence stands in
    UNRECOVERABLE = "unrecoverable"  # nothing of the interview could be rebuilt


class JobState(enum.StrEnum):
    """Where an interview's transcription is. Only `kiosk.store.transcripts` changes it."""

    PENDING = "pending"  # waiting for a booth with no candidate recording
    RUNNING = "running"  # claimed by one booth's worker (claimed_by), until lease_until
    DONE = "done"  # its segments are whole: written with this state, in one transaction
    FAILED = "failed"  # the recording could not be decoded or transcribed (error says why)


class Role(enum.StrEnum):
    RECRUITER = "recruiter"
    ADMIN = "admin"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as plain strings (no native enum, no CHECK), so a new status needs no migration.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=20,
        values_callable=lambda members: [m.value for m in members],
    )


class InterviewSession(Base):
    """One candidate's interview: the seed's session row with its recording."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    candidate_name: Mapped[str] = mapped_column(Text)
    position: Mapped[str | None] = mapped_column(Text)
    status: Mapped[SessionStatus] = mapped_column(
        _enum(SessionStatus, "session_status"), default=SessionStatus.SCHEDULED, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The seed's two recording fields: a path relative to the recordings root, and when it was made.
    recording_video: Mapped[str | None] = mapped_column(Text)
    recording_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    thumbnail: Mapped[str | None] = mapped_column(Text)
    # Who came without being scheduled: never offered in the list of today's candidates.
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # How much of the interview there is: answers kept, of the set's questions, and whether
    # it stopped before the end (the candidate walked away, the booth failed).
    questions_answered: Mapped[int | None] = mapped_column(Integer)
    questions_total: Mapped[int | None] = mapped_column(Integer)
    ended_early: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The booth that recorded it ([booth_name], the host name by default); None: recorded
    # before booths were named. Its files are on that booth until they are uploaded.
    booth_name: Mapped[str | None] = mapped_column(String(200))
    # Every file of the interview is in the object store, read back and checked.
    uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The booth's own copy is gone (after the upload and [storage] keep_local_days).
    local_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language the candidate chose (None: not yet, or recorded before there was a choice).
    language: Mapped[str | None] = mapped_column(String(35))
    # kiosk.accommodations.Accommodations as JSON, set by a recruiter; None: none.
    accommodations: Mapped[str | None] = mapped_column(Text)

    markers: Mapped[list[QuestionMarker]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="QuestionMarker.index",
    )
    notes: Mapped[list[Note]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Note.time_ms",
    )
    ratings: Mapped[list[Rating]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True
    )
    views: Mapped[list[RecordingView]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True,
        order_by="RecordingView.opened_at",
    )
    incidents: Mapped[list[RecordingIncident]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True,
        order_by="RecordingIncident.id",
    )
    transcript_job: Mapped[TranscriptJob | None] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True
    )


class QuestionMarker(Base):
    """Where the answer to one question starts and ends in the merged recording."""

    __tablename__ = "question_markers"
    __table_args__ = (
        UniqueConstraint("session_id", "index"),
        CheckConstraint("start_ms >= 0 AND end_ms >= start_ms", name="times_ordered"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    index: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(Text)
    start_ms: Mapped[int] = mapped_column(BigInteger)
    end_ms: Mapped[int] = mapped_column(BigInteger)

    session: Mapped[InterviewSession] = relationship(back_populates="markers")


class RecordingIncident(Base):
    """What went wrong while an interview was recorded or rebuilt, and what it cost."""

    __tablename__ = "recording_incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"),
                                            index=True)
    kind: Mapped[IncidentKind] = mapped_column(_enum(IncidentKind, "incident_kind"))
    question_index: Mapped[int | None] = mapped_column(Integer)
    at_ms: Mapped[int | None] = mapped_column(BigInteger)  # in the interview file
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)
    detail: Mapped[str] = mapped_column(Text, default="")  # which stream; a reason

    session: Mapped[InterviewSession] = relationship(back_populates="incidents")


class UploadState(enum.StrEnum):
    PENDING = "pending"  # waiting for the network, or its turn (oldest first)
    UPLOADING = "uploading"  # a multipart upload is open (upload_id): its parts resume it
    VERIFIED = "verified"  # the object was read back: its size and SHA-256 match
    FAILED = "failed"  # refused for good (say, the file changed since it was recorded)


class Upload(Base):
    """One file of an interview on its way to the object store, resumable after any stop.

    The open multipart upload's id and each part sent are rows, so a kill, a power cut or a
    dropped network resumes where it stopped: the store's own list of parts is asked, and
    only the missing ones are sent. `bytes_sent` counts every byte put on the wire.
    """

    __tablename__ = "uploads"
    __table_args__ = (UniqueConstraint("session_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))  # interview.mp4, poster.jpg
    key: Mapped[str] = mapped_column(Text)  # <prefix>/<session-id>/<name>
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))  # the whole file's, hex
    state: Mapped[UploadState] = mapped_column(_enum(UploadState, "upload_state"),
                                               default=UploadState.PENDING, index=True)
    upload_id: Mapped[str | None] = mapped_column(Text)
    part_size: Mapped[int | None] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    bytes_sent: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    parts: Mapped[list[UploadPart]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="UploadPart.number")


class UploadPart(Base):
    """A part the store has acknowledged, with the checksums it was sent with (a store's
    list of parts need not give them back, and completing the upload needs them)."""

    __tablename__ = "upload_parts"

    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id", ondelete="CASCADE"),
                                           primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    etag: Mapped[str] = mapped_column(Text)
    sha256_b64: Mapped[str] = mapped_column(String(64))


class ObjectDeletion(Base):
    """An object of a deleted session still to remove from the object store.

    Written in the transaction that deletes the session (so nothing is forgotten when the
    store is out of reach), removed by the upload worker once the store said it is gone.
    No foreign key: the session is gone by then.
    """

    __tablename__ = "object_deletions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(String(36))
    key: Mapped[str] = mapped_column(Text)
    upload_id: Mapped[str | None] = mapped_column(Text)  # a multipart upload still open
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class TranscriptJob(Base):
    """One interview's transcription: a queue row that survives a kill or a power cut.

    A worker claims a pending row (or one whose lease ran out) by a compare-and-set UPDATE, so
    of several booths sharing a database one only takes it; a kill leaves it RUNNING with a
    claim that the next start of that booth (or the lease's end) gives back.
    """

    __tablename__ = "transcript_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), unique=True)
    state: Mapped[JobState] = mapped_column(_enum(JobState, "job_state"),
                                            default=JobState.PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(200))  # host:pid of the worker
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    progress_ms: Mapped[int] = mapped_column(BigInteger, default=0)  # of the audio, done
    total_ms: Mapped[int | None] = mapped_column(BigInteger)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    model: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)

    session: Mapped[InterviewSession] = relationship(back_populates="transcript_job")


class TranscriptSegment(Base):
    """A stretch of speech in the merged recording, with its words' own times.

    `folded` is the text with case and accents removed, the way the name search compares:
    what SQLite's FTS5 table and PostgreSQL's GIN index are built on.
    """

    __tablename__ = "transcript_segments"
    __table_args__ = (
        CheckConstraint("start_ms >= 0 AND end_ms >= start_ms", name="times_ordered"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    question_index: Mapped[int | None] = mapped_column(Integer)
    start_ms: Mapped[int] = mapped_column(BigInteger)
    end_ms: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    folded: Mapped[str] = mapped_column(Text)
    # [[start_ms, end_ms, "word"], ...] as JSON: read with the segment, never searched alone.
    words: Mapped[str] = mapped_column(Text, default="[]")


class Operator(Base):
    """A recruiter or admin who unlocks the review side with a PIN."""

    __tablename__ = "operators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "operator_role"))
    pin_hash: Mapped[str] = mapped_column(Text)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Note(Base):
    """A recruiter's note at a moment of the recording."""

    __tablename__ = "notes"
    __table_args__ = (CheckConstraint("time_ms >= 0", name="time_not_negative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    time_ms: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[InterviewSession] = relationship(back_populates="notes")
    author: Mapped[Operator | None] = relationship()


class Rating(Base):
    """A 1-5 score for one question (question_index set) or the whole interview (None)."""

    __tablename__ = "ratings"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    question_index: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[InterviewSession] = relationship(back_populates="ratings")


class RecordingView(Base):
    """One opening of a recording: who, when, and how long they watched."""

    __tablename__ = "recording_views"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    watched_ms: Mapped[int] = mapped_column(BigInteger, default=0)

    session: Mapped[InterviewSession] = relationship(back_populates="views")


class AuditEvent(Base):
    """Something worth answering for later. Rows outlive the sessions they name (no FK).

    Append-only (the database refuses UPDATE and DELETE), and chained: each event carries
    the hash of the one before and its own, so an edited or removed row is detectable
    (kiosk.store.audit). Only `kiosk.store.audit.append_event` adds them. `key_id` names the
    key of an HMAC-keyed event; events from before keys (an earlier release) have none.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(64))
    operator_name: Mapped[str | None] = mapped_column(String(200))
    session_id: Mapped[str | None] = mapped_column(String(36), index=True)
    detail: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(16))


class AuditChain(Base):
    """The head of the audit chain: one row, updated by every append.

    Updating it first is what makes appends take turns (SQLite's write lock, PostgreSQL's
    row lock), and it remembers the last hash, so events cut off the end are noticed too.
    """

    __tablename__ = "audit_chain"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    events: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))


# The search index lives beside the tables: SQLite's FTS5 table (and the shadow tables FTS5
# makes for it); PostgreSQL's stored tsvector column (transcript_fts_vector) and its GIN
# index. Migration 0007 makes them; no model describes them, so a schema comparison leaves
# them out, and the kiosk never writes them.
SEARCH_INDEX_PREFIX = "transcript_fts"
POSTGRES_SEARCH_INDEX = "ix_transcript_segments_fts"


def described_by_models(obj: object, name: str | None, type_: str, reflected: bool,
                        compare_to: object) -> bool:
    """Alembic's include_object: False for the search index that the models do not declare."""
    return not (name or "").startswith((SEARCH_INDEX_PREFIX, POSTGRES_SEARCH_INDEX))
