"""`kiosk doctor`: is the database reachable and current, is the recordings folder usable
and roomy enough for a new interview, do the files on disk and the rows in the database
agree, did any interview fail, and is the audit chain whole, keyed and guarded?

It only reads (and writes one temporary file to prove the folder is writable): it never
migrates, deletes or moves anything, so it is safe to run on a booth that is in use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from kiosk.config import Settings
from kiosk.errors import StorageError, UnsafePathError
from kiosk.findings import Findings
from kiosk.recording.disk import required_free_bytes
from kiosk.recording.recovery import recoverable_sessions
from kiosk.storage.inventory import check_objects, storage_status
from kiosk.store.audit import guard_problems, key_file_for, verify_chain
from kiosk.store.database import (
    Database,
    alembic_config,
    current_revision,
    head_revision,
    open_database,
    open_for_reading,
)
from kiosk.store.files import (
    ensure_writable_folder,
    format_size,
    free_bytes,
    resolve_recording_path,
)
from kiosk.store.models import InterviewSession, JobState, SessionStatus, TranscriptJob
from kiosk.store.transcripts import job_counts
from kiosk.transcripts.model import NoModelError, find_model

# Every problem about the audit log starts so; the booth page gathers them by it.
AUDIT_LOG = "The audit log"


@dataclass
class DoctorReport(Findings):
    database: str
    database_reachable: bool = False
    schema_revision: str | None = None
    database_readable: bool = False  # every table read: the checks below it were made
    schema_head: str = ""
    recordings_root: str = ""
    recordings_writable: bool = False
    free_bytes: int | None = None
    required_free_bytes: int = 0  # what a new interview needs (the recorder's own rule)
    schema_from_newer_version: bool = False
    unfinished_sessions: list[str] = field(default_factory=list)
    failed_sessions: list[dict[str, str]] = field(default_factory=list)
    files_without_rows: list[str] = field(default_factory=list)
    rows_without_files: list[dict[str, str]] = field(default_factory=list)
    # Not here, and not missing: on the booth that recorded them (not uploaded yet), or in
    # the object store ({"session_id", "where"}).
    files_elsewhere: list[dict[str, str]] = field(default_factory=list)
    audit_events: int = 0
    audit_chain_ok: bool = False
    # Where the chain ends ({"events", "last_hash"}): compared with one printed or exported
    # earlier, it shows events cut off the end.
    audit_head: dict[str, Any] | None = None
    audit_key_file: str = ""
    audit_key_id: str | None = None
    audit_keyed_events: int = 0
    audit_guards_missing: list[str] = field(default_factory=list)
    # The speech model that transcribes (None: none usable, or transcripts switched off),
    # and the transcript jobs by state.
    transcripts_enabled: bool = True
    transcripts_model: str | None = None
    transcripts: dict[str, int] = field(default_factory=dict)
    transcripts_failed: list[dict[str, str]] = field(default_factory=list)
    # [storage] kind = "s3": the bucket as this booth sees it, the backlog, and the store
    # against the rows (see kiosk.storage.inventory).
    storage: dict[str, Any] | None = None
    storage_check: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)


def examine(settings: Settings) -> DoctorReport:
    report = DoctorReport(
        database=settings.database_url_for_display,
        schema_head=head_revision(),
        recordings_root=str(settings.recordings_dir),
        required_free_bytes=required_free_bytes(settings),
        audit_key_file=str(key_file_for(settings.database_url)),
    )
    root = settings.recordings_dir
    try:
        ensure_writable_folder(root, "recordings folder")
        report.recordings_writable = True
        report.free_bytes = free_bytes(root)
    except StorageError as exc:
        report.problems.append(str(exc))
    if report.free_bytes is not None and report.free_bytes < report.required_free_bytes:
        report.problems.append(
            f"Only {format_size(report.free_bytes)} is free in {root}; a new interview needs "
            f"{format_size(report.required_free_bytes)} (the longest interview plus the "
            f"reserve), so the booth will not start one. Export and delete old recordings, "
            f"or free space on this disk.")

    _examine_model(settings, report)
    try:
        db = _open(settings.database_url)
    except StorageError as exc:
        report.problems.append(str(exc))
        return report
    try:
        with db.engine.connect() as conn:
            report.database_reachable = True
            report.schema_revision = current_revision(conn)
        if report.schema_revision != report.schema_head:
            report.problems.append(_schema_problem(report))
            return report
        with db.session() as session:
            rows = [_Row(*row) for row in session.execute(
                select(InterviewSession.id, InterviewSession.recording_video,
                       InterviewSession.booth_name, InterviewSession.uploaded_at))]
            report.failed_sessions = [
                {"session_id": session_id, "candidate_name": name}
                for session_id, name in session.execute(
                    select(InterviewSession.id, InterviewSession.candidate_name)
                    .where(InterviewSession.status == SessionStatus.FAILED)
                    .order_by(InterviewSession.created_at))]
            chain = verify_chain(session, key_file=Path(report.audit_key_file))
            guards = guard_problems(session.connection())
            report.transcripts_failed = [
                {"session_id": session_id, "error": error or ""}
                for session_id, error in session.execute(
                    select(TranscriptJob.session_id, TranscriptJob.error)
                    .where(TranscriptJob.state == JobState.FAILED)
                    .order_by(TranscriptJob.id))]
        report.transcripts = {state.value: n for state, n in job_counts(db).items()}
        _examine_storage(settings, db, report)
        # Only those with answers on this booth's disk (another booth may be recording the
        # rest) that no running kiosk is recording right now.
        report.unfinished_sessions = recoverable_sessions(db, root)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        report.problems.append(f"The database cannot be read: {reason}")
        return report
    finally:
        db.close()

    report.database_readable = True
    report.audit_events = chain.events
    report.audit_chain_ok = chain.ok
    report.audit_head = chain.head.to_dict() if chain.head else None
    report.audit_key_id = chain.key_id
    report.audit_keyed_events = chain.keyed_events
    report.audit_guards_missing = list(guards)
    if chain.problem:
        report.problems.append(f"{AUDIT_LOG} was tampered with: {chain.problem}.")
    report.problems.extend(f"{AUDIT_LOG} could not be fully checked: "
                           f"{problem[0].lower()}{problem[1:]}" for problem in chain.key_problems)
    report.problems.extend(
        f"{AUDIT_LOG} is no longer append-only: its guard, the trigger {name}, {what}, so the "
        f"database accepts changes to its events. Someone with direct access to the "
        f"database did this; docs/deploy.md says how to put it back."
        for name, what in guards.items())
    _compare_files_and_rows(root, rows, report, booth_name=settings.booth_name)
    if report.unfinished_sessions:
        report.problems.append(
            f"{len(report.unfinished_sessions)} session(s) were left unfinished by a crash or "
            f"a power cut; 'kiosk recover' (or starting the kiosk) rebuilds them."
        )
    if report.failed_sessions:
        names = ", ".join(f"{row['candidate_name']} ({row['session_id'][:8]})"
                          for row in report.failed_sessions)
        report.problems.append(
            f"{len(report.failed_sessions)} interview(s) failed and could not be rebuilt: "
            f"{names}.")
    if report.transcripts_failed:
        first = report.transcripts_failed[0]
        report.problems.append(
            f"{len(report.transcripts_failed)} transcript(s) could not be made, the first "
            f"({first['session_id'][:8]}) because: {first['error']} "
            f"'kiosk transcripts run ID' tries one again.")
    return report


def _examine_storage(settings: Settings, db: Database, report: DoctorReport) -> None:
    if settings.storage.kind == "local":
        return
    status = storage_status(db, settings)
    report.storage = status.to_dict()
    if status.problem:
        report.problems.append(f"Uploads wait: {status.problem} The recordings stay on this "
                               f"booth until it is fixed.")
        return
    check = check_objects(db, settings)
    report.storage_check = check.to_dict()
    if check.missing:
        report.problems.append(f"{len(check.missing)} uploaded file(s) are missing from the "
                               f"bucket, the first {check.missing[0]['key']}.")
    if check.different:
        report.problems.append(f"{len(check.different)} object(s) differ from the recording "
                               f"uploaded, the first {check.different[0]['key']}.")
    if check.without_rows:
        report.problems.append(f"{len(check.without_rows)} object(s) in the bucket belong to no "
                               f"session, the first {check.without_rows[0]}.")


def _examine_model(settings: Settings, report: DoctorReport) -> None:
    report.transcripts_enabled = settings.transcripts.enabled
    if not settings.transcripts.enabled:
        return
    try:
        report.transcripts_model = find_model(settings).name
    except NoModelError as exc:
        report.problems.append(str(exc))


def _schema_problem(report: DoctorReport) -> str:
    revision, head = report.schema_revision, report.schema_head
    if revision is not None and not _known_revision(revision):
        report.schema_from_newer_version = True
        # As every other command says it (kiosk.store.database.upgrade_to_head).
        return (f"The database is at schema {revision}, which this kiosk does not know (its "
                f"newest is {head}): it was made by a newer version. Install that version.")
    return (f"The database schema is at {revision or 'nothing'}, not at the newest migration "
            f"{head}; starting the kiosk upgrades it.")


def _known_revision(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


class _Row(NamedTuple):
    session_id: str
    recording_video: str | None
    booth_name: str | None
    uploaded_at: datetime | None


def _compare_files_and_rows(root: Path, rows: list[_Row], report: DoctorReport, *,
                            booth_name: str) -> None:
    known_ids = set()
    expected_files = set()
    for row in rows:
        session_id, recording_video = row.session_id, row.recording_video
        known_ids.add(session_id)
        if not recording_video:
            continue
        try:
            path = resolve_recording_path(root, recording_video)
        except UnsafePathError as exc:
            report.rows_without_files.append({"session_id": session_id, "problem": str(exc)})
            continue
        expected_files.add(path)
        if path.is_file():
            continue
        if row.uploaded_at is not None:
            report.files_elsewhere.append({"session_id": session_id, "where": "the bucket"})
        elif row.booth_name is not None and row.booth_name != booth_name:
            # Recorded by another booth sharing the database, and not uploaded yet.
            report.files_elsewhere.append({"session_id": session_id,
                                           "where": f"booth {row.booth_name}"})
        else:
            report.rows_without_files.append(
                {"session_id": session_id, "problem": f"{recording_video} is missing"}
            )

    if root.is_dir():
        for entry in sorted(root.iterdir()):
            if entry.name.startswith("."):
                continue
            if not entry.is_dir() or entry.name not in known_ids:
                report.files_without_rows.append(entry.name)
                continue
            for media in sorted(entry.glob("*.mp4")):
                if media.resolve() not in expected_files:
                    report.files_without_rows.append(f"{entry.name}/{media.name}")

    if report.files_without_rows:
        report.problems.append(
            f"{len(report.files_without_rows)} file(s) or folder(s) in the recordings folder "
            f"belong to no session."
        )
    if report.rows_without_files:
        report.problems.append(
            f"{len(report.rows_without_files)} session(s) name a recording that is missing or "
            f"outside the recordings folder."
        )


def _open(url: str) -> Database:
    """As it is (doctor migrates nothing); on a disk that only reads, read-only."""
    try:
        return open_database(url, migrate=False)
    except StorageError as first:
        try:
            return open_for_reading(url, migrate=False)
        except StorageError:
            raise first from None
