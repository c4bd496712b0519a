"""What only the SQLite file brings: WAL, permissions, damaged files, upgrades of old files."""

from __future__ import annotations

import shutil
import sqlite3
import stat
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kiosk.errors import StorageError
from kiosk.store.database import current_revision, head_revision, open_database
from kiosk.store.sessions import get_session

FIRST_RELEASE_DB = Path(__file__).parent / "data" / "kiosk-0001.db"
FIRST_RELEASE_SESSION = "6f1c1f9e-2b7a-4c39-9a53-3f4f0d1f0c01"


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def test_wal_mode_foreign_keys_and_owner_only_file(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    db = open_database(_url(path))
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_opening_waits_while_another_connection_writes_in_rollback_mode(
        tmp_path: Path) -> None:
    """SQLite refuses a switch to WAL at once (not after its busy timeout) while another
    connection holds a write lock in rollback mode, as a booth migrating a new file does."""
    path = tmp_path / "kiosk.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE left_by_another_booth (x)")
    result: list[object] = []

    def open_it() -> None:
        try:
            result.append(open_database(_url(path)))
        except Exception as exc:  # reported by the assertion below
            result.append(exc)

    opener = threading.Thread(target=open_it, daemon=True)
    opener.start()
    opener.join(0.5)
    assert result == [], f"gave up while the other connection wrote: {result}"
    holder.execute("COMMIT")
    holder.close()
    opener.join(15)
    [db] = result
    assert not isinstance(db, Exception), db
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert current_revision(conn) == head_revision()
    finally:
        db.close()


@pytest.mark.parametrize(
    "content",
    [
        b"this is a text file, not a database\n" * 10,
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        b"SQLite",  # shorter than a header
    ],
    ids=["text", "png", "short"],
)
def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "kiosk.db"
    path.write_bytes(content)
    with pytest.raises(StorageError, match=r"not a SQLite database.*left untouched"):
        open_database(_url(path))
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kiosk.db"]


def test_a_damaged_sqlite_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    open_database(_url(path)).close()
    data = bytearray(path.read_bytes())
    # Keep the 100-byte header, scribble over the schema page and what follows.
    data[100:4096] = b"\xde\xad\xbe\xef" * ((4096 - 100) // 4)
    path.write_bytes(bytes(data))
    for leftover in tmp_path.glob("kiosk.db-*"):
        leftover.unlink()
    before = path.read_bytes()
    with pytest.raises(StorageError, match=r"damaged.*left untouched"):
        open_database(_url(path))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kiosk.db"]


def test_a_database_with_committed_work_in_its_wal_is_opened_not_called_damaged(
    tmp_path: Path,
) -> None:
    """After a crash, committed rows may still be in the -wal file: the file opens with them.

    (The check skips a database whose WAL holds work, because the main file alone can look
    inconsistent after a checkpoint cut short; that case itself is not reproduced here.)"""
    path = tmp_path / "kiosk.db"
    open_database(_url(path)).close()
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA wal_autocheckpoint = 0")  # keep the work in the WAL, as a crash does
    writer.execute("INSERT INTO operators (name, role, pin_hash, failed_attempts, created_at) "
                   "VALUES ('it', 'admin', 'x', 0, '2026-01-01 00:00:00')")
    writer.commit()
    assert (tmp_path / "kiosk.db-wal").stat().st_size > 0
    db = open_database(_url(path))  # while the writer still has it open, too
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT name FROM operators").scalar() == "it"
    finally:
        db.close()
        writer.close()


def test_a_folder_in_place_of_the_database_is_refused(tmp_path: Path) -> None:
    (tmp_path / "kiosk.db").mkdir()
    with pytest.raises(StorageError, match="is a folder"):
        open_database(_url(tmp_path / "kiosk.db"))


def test_a_first_release_database_opens_migrated_with_its_rows_and_a_backup(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kiosk.db"
    shutil.copy(FIRST_RELEASE_DB, path)
    db = open_database(_url(path))
    try:
        with db.engine.connect() as conn:
            assert current_revision(conn) == head_revision()
        with db.session() as s:
            session = get_session(s, FIRST_RELEASE_SESSION)
            assert session.candidate_name == 'Amélie "Ami" Dupont 🎬'
            assert session.recording_video == f"{FIRST_RELEASE_SESSION}/interview.mp4"
            assert session.recording_created_at == datetime(2026, 10, 1, 8, 20, tzinfo=UTC)
            assert session.duration_ms is None
    finally:
        db.close()

    backups = list(tmp_path.glob("kiosk.db.before-*.bak"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as old:
        assert old.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
        assert old.execute("SELECT count(*) FROM sessions").fetchone() == (1,)
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600

    # Opening again migrates nothing, so it makes no second backup.
    open_database(_url(path)).close()
    assert len(list(tmp_path.glob("kiosk.db.before-*.bak"))) == 1


def test_a_database_from_a_newer_kiosk_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.db"
    open_database(_url(path)).close()
    engine = create_engine(_url(path))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    with pytest.raises(StorageError, match="made by a newer version"):
        open_database(_url(path))


def test_a_missing_database_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="does not exist"):
        open_database(_url(tmp_path / "nowhere" / "kiosk.db"))
