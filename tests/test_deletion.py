"""Deleting one session, and the retention period's purge, on both databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from kiosk.config import ReviewSettings
from kiosk.errors import KioskError, NotFoundError
from kiosk.store.audit import verify_chain
from kiosk.store.deletion import delete_session, purge_expired
from kiosk.store.files import RECORDING_LOCK_NAME
from kiosk.store.locks import FileLock
from kiosk.store.models import AuditEvent, Note, SessionStatus
from kiosk.store.sessions import create_session, get_session

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def _session(db, settings, name: str, *, recorded_days_ago: float | None,
             created_days_ago: float = 0, status=SessionStatus.COMPLETED) -> str:
    """A session row (with a folder holding its file, if it was recorded)."""
    with db.session() as s, s.begin():
        row = create_session(s, name, status=status)
        row.created_at = NOW - timedelta(days=created_days_ago)
        if recorded_days_ago is not None:
            row.recording_created_at = NOW - timedelta(days=recorded_days_ago)
            row.recording_video = f"{row.id}/interview.mp4"
            folder = settings.recordings_dir / row.id
            folder.mkdir()
            (folder / "interview.mp4").write_bytes(b"video")
            (folder / "poster.jpg").write_bytes(b"poster")
        row.notes.append(Note(time_ms=0, text="note"))
        return row.id


def test_an_admin_deletes_one_session_files_rows_and_all(booth_db) -> None:
    settings, db = booth_db
    gone = _session(db, settings, "Gone", recorded_days_ago=1)
    kept = _session(db, settings, "Kept", recorded_days_ago=1)
    delete_session(db, settings, gone, deleted_by="Ada")
    assert not (settings.recordings_dir / gone).exists()
    assert (settings.recordings_dir / kept / "interview.mp4").is_file()
    with db.session() as s:
        with pytest.raises(NotFoundError):
            get_session(s, gone)
        assert s.scalar(select(func.count()).select_from(Note)) == 1
        (event,) = s.scalars(select(AuditEvent)).all()
        assert (event.action, event.operator_name, event.session_id) == (
            "session_deleted", "Ada", gone)
        assert "Gone" not in (event.detail or "")  # the log outlives the candidate's data
        assert verify_chain(s).ok


def test_a_session_being_recorded_is_not_deleted(booth_db) -> None:
    settings, db = booth_db
    busy = _session(db, settings, "Busy", recorded_days_ago=None,
                    status=SessionStatus.RECORDING)
    folder = settings.recordings_dir / busy
    folder.mkdir()
    lock = FileLock(folder / RECORDING_LOCK_NAME)
    assert lock.acquire()
    try:
        with pytest.raises(KioskError, match="being recorded right now"):
            delete_session(db, settings, busy, deleted_by="Ada")
    finally:
        lock.release()
    with db.session() as s:
        assert get_session(s, busy).candidate_name == "Busy"


def test_retention_purges_exactly_the_old_sessions(booth_db) -> None:
    settings, db = booth_db
    settings = replace(settings, review=ReviewSettings(retention_days=30))
    old = _session(db, settings, "Old recording", recorded_days_ago=31, created_days_ago=31)
    # Scheduled long ago, recorded recently: the recording's age is what counts.
    recent = _session(db, settings, "Recent", recorded_days_ago=2, created_days_ago=60)
    old_never_recorded = _session(db, settings, "No-show", recorded_days_ago=None,
                                  created_days_ago=45, status=SessionStatus.SCHEDULED)
    young_never_recorded = _session(db, settings, "Tomorrow", recorded_days_ago=None,
                                    created_days_ago=1, status=SessionStatus.SCHEDULED)
    just_inside = _session(db, settings, "Just inside", recorded_days_ago=29.9)
    # Left unfinished by a crash: recovery's business, never purged.
    crashed = _session(db, settings, "Crashed", recorded_days_ago=None, created_days_ago=90,
                       status=SessionStatus.IN_PROGRESS)

    purged = purge_expired(db, settings, now=NOW)

    assert sorted(purged) == sorted([old, old_never_recorded])
    assert not (settings.recordings_dir / old).exists()
    with db.session() as s:
        for session_id in (recent, young_never_recorded, just_inside, crashed):
            get_session(s, session_id)
        for session_id in purged:
            with pytest.raises(NotFoundError):
                get_session(s, session_id)
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert sorted(e.session_id for e in events) == sorted(purged)
        assert {e.action for e in events} == {"retention_purge"}
        assert all('"retention_days": 30' in e.detail for e in events)
    assert purge_expired(db, settings, now=NOW) == []  # nothing left to do


def test_no_retention_period_keeps_everything(booth_db) -> None:
    settings, db = booth_db
    assert settings.review.retention_days == 0
    kept = _session(db, settings, "Ancient", recorded_days_ago=3000, created_days_ago=3000)
    assert purge_expired(db, settings, now=NOW) == []
    with db.session() as s:
        get_session(s, kept)
