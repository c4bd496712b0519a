"""`kiosk doctor`: is the database reachable and current, is the recordings folder usable,
do the files on disk and the rows in the database agree, and is the audit chain whole?

It only reads (and writes one temporary file to prove the folder is writable): it never
migrates, deletes or moves anything, so it is safe to run on a booth that is in use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from kiosk.config import Settings
from kiosk.errors import StorageError, UnsafePathError
from kiosk.findings import Findings
from kiosk.recording.recovery import recoverable_sessions
from kiosk.store.audit import verify_chain
from kiosk.store.database import current_revision, head_revision, open_database
from kiosk.store.files import ensure_writable_folder, free_bytes, resolve_recording_path
from kiosk.store.models import InterviewSession


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
    unfinished_sessions: list[str] = field(default_factory=list)
    files_without_rows: list[str] = field(default_factory=list)
    rows_without_files: list[dict[str, str]] = field(default_factory=list)
    audit_events: int = 0
    audit_chain_ok: bool = False
    problems: list[str] = field(default_factory=list)


def examine(settings: Settings) -> DoctorReport:
    report = DoctorReport(
        database=settings.database_url_for_display,
        schema_head=head_revision(),
        recordings_root=str(settings.recordings_dir),
    )
    root = settings.recordings_dir
    try:
        ensure_writable_folder(root, "recordings folder")
        report.recordings_writable = True
        report.free_bytes = free_bytes(root)
    except StorageError as exc:
        report.problems.append(str(exc))

    try:
        db = open_database(settings.database_url, migrate=False)
    except StorageError as exc:
        report.problems.append(str(exc))
        return report
    try:
        with db.engine.connect() as conn:
            report.database_reachable = True
            report.schema_revision = current_revision(conn)
        if report.schema_revision != report.schema_head:
            report.problems.append(
                f"The database schema is at {report.schema_revision or 'nothing'}, not at the "
                f"newest migration {report.schema_head}; starting the kiosk upgrades it."
            )
            return report
        with db.session() as session:
            rows = [(session_id, video) for session_id, video in session.execute(
                select(InterviewSession.id, InterviewSession.recording_video))]
            chain = verify_chain(session)
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
    if not chain.ok:
        report.problems.append(f"The audit log was tampered with: {chain.problem}.")
    _compare_files_and_rows(root, rows, report)
    if report.unfinished_sessions:
        report.problems.append(
            f"{len(report.unfinished_sessions)} session(s) were left unfinished by a crash or "
            f"a power cut; 'kiosk recover' (or starting the kiosk) rebuilds them."
        )
    return report


def _compare_files_and_rows(root: Path, rows: list[tuple[str, str | None]],
                            report: DoctorReport) -> None:
    known_ids = set()
    expected_files = set()
    for session_id, recording_video in rows:
        known_ids.add(session_id)
        if not recording_video:
            continue
        try:
            path = resolve_recording_path(root, recording_video)
        except UnsafePathError as exc:
            report.rows_without_files.append({"session_id": session_id, "problem": str(exc)})
            continue
        expected_files.add(path)
        if not path.is_file():
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
