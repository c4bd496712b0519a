"""Deleting a session (by an admin, or retention) removes its objects from the store too:
at once when the store answers, later (never forgotten) when it does not; and the booth's own
copy goes only once verified in the store, after keep_local_days. A real S3 server on
loopback (tests/s3_server.py)."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from botocore.exceptions import BotoCoreError
from sqlalchemy import select

from kiosk.config import Settings
from kiosk.doctor import examine
from kiosk.recording.disk import DiskSpaceError, check_disk_for_new_session
from kiosk.storage import uploads
from kiosk.storage.deletions import remove_deleted
from kiosk.storage.inventory import check_objects
from kiosk.storage.s3 import make_client
from kiosk.store.database import Database, open_configured
from kiosk.store.deletion import delete_session, purge_expired
from kiosk.store.models import AuditEvent, InterviewSession, ObjectDeletion, SessionStatus
from kiosk.store.sessions import create_session
from tests.mounts import fill, tmpfs
from tests.s3_fixtures import s3_booth
from tests.s3_server import S3Server


def _uploaded_session(db: Database, settings: Settings, name: str = "Gone Soon") -> str:
    with db.session() as s, s.begin():
        row = create_session(s, name, status=SessionStatus.COMPLETED)
        s.flush()
        folder = settings.recordings_dir / row.id
        folder.mkdir(parents=True)
        (folder / "interview.mp4").write_bytes(os.urandom(6 * 2**20))
        (folder / "poster.jpg").write_bytes(os.urandom(2000))
        row.recording_video = f"{row.id}/interview.mp4"
        row.recording_created_at = datetime.now(UTC)
        session_id = row.id
    uploads.queue_missing(db, settings)
    client = make_client(settings.storage)
    while (upload := uploads.next_upload(db)) is not None:
        assert uploads.send(db, settings, client, upload).outcome is uploads.Outcome.VERIFIED
    return session_id


def _keys(server: S3Server, bucket: str) -> list[str]:
    listed = server.client().list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def test_a_deleted_sessions_objects_leave_the_bucket_audited(
    data_dir: Path, s3_server: S3Server, s3_bucket: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = s3_booth(data_dir, s3_server, s3_bucket, monkeypatch)
    db = open_configured(settings)
    try:
        kept = _uploaded_session(db, settings, "Kept")
        gone = _uploaded_session(db, settings)
        assert len(_keys(s3_server, s3_bucket)) == 4
        delete_session(db, settings, gone, deleted_by="Ada Admin")
        with db.session() as s:  # written with the deletion: the store is asked after
            assert sorted(s.scalars(select(ObjectDeletion.key))) == [
                f"interviews/{gone}/interview.mp4", f"interviews/{gone}/poster.jpg"]
        assert check_objects(db, settings).ok  # on their way out: not strays
        assert remove_deleted(db, settings.storage, make_client(settings.storage)) == 2
        assert _keys(s3_server, s3_bucket) == [f"interviews/{kept}/interview.mp4",
                                               f"interviews/{kept}/poster.jpg"]
        with db.session() as s:
            assert s.scalar(select(ObjectDeletion.id)) is None
            events = s.scalars(select(AuditEvent.detail)
                               .where(AuditEvent.action == "object_deleted")).all()
        assert len(events) == 2 and all(gone in e and s3_bucket in e for e in events)
    finally:
        db.close()


def test_retention_queues_the_objects_and_a_store_away_keeps_them_waiting(
    data_dir: Path, own_s3_server: S3Server, monkeypatch: pytest.MonkeyPatch,
) -> None:
    bucket = own_s3_server.create_bucket("kiosk-retention")
    settings = s3_booth(data_dir, own_s3_server, bucket, monkeypatch,
                        before="[review]\nretention_days = 30\n")
    db = open_configured(settings)
    try:
        old = _uploaded_session(db, settings, "Long Ago")
        with db.session() as s, s.begin():
            s.get(InterviewSession, old).recording_created_at = (
                datetime.now(UTC) - timedelta(days=31))
        own_s3_server.stop_server()
        assert purge_expired(db, settings) == [old]
        with pytest.raises(BotoCoreError):  # the client's own: the store is not there
            remove_deleted(db, settings.storage, make_client(settings.storage))
        with db.session() as s:
            waiting = s.scalars(select(ObjectDeletion)).all()
            assert len(waiting) == 2 and waiting[0].attempts == 1
            assert "cannot be reached" in waiting[0].last_error
        own_s3_server.start_again()
        assert remove_deleted(db, settings.storage, make_client(settings.storage)) == 2
        assert _keys(own_s3_server, bucket) == []
    finally:
        db.close()


def test_the_local_copy_goes_only_after_keep_local_days_and_a_fresh_read_back(
    data_dir: Path, s3_server: S3Server, s3_bucket: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = s3_booth(data_dir, s3_server, s3_bucket, monkeypatch)  # 30 days by default
    db = open_configured(settings)
    try:
        session_id = _uploaded_session(db, settings)
        changed_behind = _uploaded_session(db, settings, "Object Replaced")
        client = make_client(settings.storage)
        folder = settings.recordings_dir / session_id
        assert uploads.remove_local_copies(db, settings, client) == []  # not 30 days yet
        assert (folder / "interview.mp4").is_file()
        # Someone replaced an object in the bucket: its booth keeps its own copy.
        s3_server.client().put_object(Bucket=s3_bucket,
                                      Key=f"interviews/{changed_behind}/interview.mp4",
                                      Body=b"not the interview")
        later = datetime.now(UTC) + timedelta(days=31)
        assert uploads.remove_local_copies(db, settings, client, now=later) == [session_id]
        assert not folder.exists()
        assert (settings.recordings_dir / changed_behind / "interview.mp4").is_file()
        with db.session() as s:
            assert s.get(InterviewSession, session_id).local_removed_at is not None
        report = examine(settings)  # there, in the bucket: not missing
        assert {"session_id": session_id, "where": "the bucket"} in report.files_elsewhere
        assert report.rows_without_files == []
    finally:
        db.close()


def test_a_full_disk_with_a_backlog_waiting_removes_nothing_unverified(
    tmp_path: Path, own_s3_server: S3Server, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The store is away and the disk fills: the recorder's own rule refuses a new interview
    (what is recorded is kept), and no copy that is not verified in the store is removed."""
    bucket = own_s3_server.create_bucket("kiosk-full-disk")
    with tmpfs(tmp_path / "small-disk", "64m") as disk:
        settings = s3_booth(disk / "data", own_s3_server, bucket, monkeypatch, before=(
            "[recording]\ndisk_reserve_mb = 1\nlongest_interview_minutes = 1\n"
            "mb_per_minute = 2\n"))
        settings = replace(settings, storage=replace(settings.storage, keep_local_days=0))
        db = open_configured(settings)
        try:
            uploaded = _uploaded_session(db, settings, "Verified")
            own_s3_server.stop_server()
            with db.session() as s, s.begin():
                row = create_session(s, "Waiting", status=SessionStatus.COMPLETED)
                s.flush()
                folder = settings.recordings_dir / row.id
                folder.mkdir(parents=True)
                (folder / "interview.mp4").write_bytes(os.urandom(1 << 20))
                row.recording_video = f"{row.id}/interview.mp4"
                waiting = row.id
            uploads.queue_missing(db, settings)
            filler = fill(disk)
            with pytest.raises(DiskSpaceError):
                check_disk_for_new_session(settings)
            own_s3_server.start_again()
            removed = uploads.remove_local_copies(db, settings, make_client(settings.storage))
            assert removed == [uploaded]  # verified, and read back again just now
            assert (settings.recordings_dir / waiting / "interview.mp4").is_file()
            filler.unlink()
        finally:
            db.close()
