"""The audit log: a hash chain the database keeps append-only, checked by `kiosk doctor`."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from kiosk.doctor import examine
from kiosk.store.audit import GENESIS_HASH, Action, append_event, verify_chain
from kiosk.store.database import open_database
from kiosk.store.models import AuditEvent
from tests.migrations import migrating


def _append(db, count: int, action: str = Action.EXPORTED) -> None:
    for number in range(count):
        with db.session() as s, s.begin():
            append_event(s, action, operator_name="Rita", session_id=f"s{number}",
                         detail={"number": number, "note": "Zoë 🎤"})


def _tamper(db, sql: str) -> None:
    """What someone with the database file and a SQL shell could do: lift the guard first."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_events_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER USER")
        conn.exec_driver_sql(sql)


def _verify(db):
    with db.session() as s:
        return verify_chain(s)


def test_events_are_chained_and_the_chain_checks_out(booth_db) -> None:
    _, db = booth_db
    _append(db, 3)
    with db.session() as s:
        events = s.query(AuditEvent).order_by(AuditEvent.id).all()
    assert events[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert len({e.hash for e in events}) == 3
    report = _verify(db)
    assert (report.ok, report.events) == (True, 3)


def test_the_database_refuses_to_change_or_delete_an_event(booth_db) -> None:
    _, db = booth_db
    _append(db, 1)
    for sql in ("UPDATE audit_events SET operator_name = 'Mallory'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.exec_driver_sql(sql)
    assert _verify(db).ok


def test_an_edited_row_is_detected_and_named(booth_db) -> None:
    settings, db = booth_db
    _append(db, 4)
    _tamper(db, "UPDATE audit_events SET operator_name = 'Mallory' WHERE id = 3")
    report = _verify(db)
    assert not report.ok
    assert report.first_bad_id == 3
    assert report.events == 4
    assert "changed after it was written" in report.problem
    doctor = examine(settings)
    assert not doctor.ok and not doctor.audit_chain_ok
    assert any("audit event 3 was changed" in p for p in doctor.problems)


def test_a_removed_row_is_detected(booth_db) -> None:
    _, db = booth_db
    _append(db, 4)
    _tamper(db, "DELETE FROM audit_events WHERE id = 2")
    report = _verify(db)
    assert report.first_bad_id == 3
    assert "removed or inserted" in report.problem


def test_rows_cut_off_the_end_are_detected(booth_db) -> None:
    _, db = booth_db
    _append(db, 4)
    _tamper(db, "DELETE FROM audit_events WHERE id = 4")
    report = _verify(db)
    assert not report.ok
    assert "missing from the end" in report.problem


def test_booths_appending_at_once_keep_one_chain(booth_db) -> None:
    """Several connections (as several booths) appending together never fork the chain."""
    settings, _ = booth_db
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def booth() -> None:
        db = open_database(settings.database_url)
        try:
            barrier.wait()
            _append(db, 10)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=booth, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    db = open_database(settings.database_url)
    try:
        report = _verify(db)
    finally:
        db.close()
    assert (report.ok, report.events) == (True, 40)


def test_the_migration_chains_events_written_before_it(database_url: str) -> None:
    db = open_database(database_url)
    db.close()
    with migrating(database_url) as (conn, config):
        command.downgrade(config, "0002")
        for number, at in enumerate((datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
                                     datetime(2026, 1, 5, 9, 0, 0, 250_000, tzinfo=UTC))):
            conn.execute(text("INSERT INTO audit_events (at, action, operator_name, "
                              "session_id, detail) VALUES (:at, 'exported', 'Rita', :sid, "
                              "NULL)"),
                         {"at": at.replace(tzinfo=None) if conn.dialect.name == "sqlite"
                          else at, "sid": f"s{number}"})
        command.upgrade(config, "head")
    db = open_database(database_url)
    try:
        assert _verify(db).ok
        _append(db, 1)
        report = _verify(db)
        assert (report.ok, report.events) == (True, 3)
    finally:
        db.close()
