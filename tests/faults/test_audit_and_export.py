"""Faults from the adversarial review of the audit log, `kiosk doctor` and export, each
reproduced the way the reviewer did it and shown handled.

The audit faults are what someone with write access to the database (and not to the data
folder) can do: lift the append-only triggers, rewrite the chain with the project's own
hash function, cut events off the end and fix the head row.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from kiosk.cli import main
from kiosk.doctor import examine
from kiosk.recording.disk import DiskSpaceError, check_disk_for_new_session
from kiosk.store.audit import GENESIS_HASH, Action, append_event, event_hash, verify_chain
from kiosk.store.database import open_database
from kiosk.store.export import ExportError, export_session, export_stem
from kiosk.store.models import AuditEvent, SessionStatus
from kiosk.store.sessions import create_session, get_session
from tests.migrations import migrating
from tests.recruiter import add_recorded_session

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"

# The triggers of migration 0003, as someone lifting them would put them back.
SQLITE_GUARDS = {
    name: f"CREATE TRIGGER {name} BEFORE {verb} ON audit_events "
          f"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    for name, verb in (("audit_events_no_update", "UPDATE"),
                       ("audit_events_no_delete", "DELETE"))
}
POSTGRES_GUARDS = {
    "audit_events_no_change": "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE "
                              "ON audit_events FOR EACH ROW EXECUTE FUNCTION "
                              "audit_events_append_only()",
    "audit_events_no_truncate": "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON "
                                "audit_events FOR EACH STATEMENT EXECUTE FUNCTION "
                                "audit_events_append_only()",
}


# -- helpers: what the reviewer did ---------------------------------------------------------

def _append(db, count: int) -> None:
    for number in range(count):
        with db.session() as s, s.begin():
            append_event(s, Action.SIGNED_IN, operator_name="Rita", session_id=f"s{number}",
                         detail={"number": number})


def _guards(conn) -> dict[str, str]:
    return SQLITE_GUARDS if conn.dialect.name == "sqlite" else POSTGRES_GUARDS


def _drop_guards(conn, names=None) -> None:
    for name in names or _guards(conn):
        on = "" if conn.dialect.name == "sqlite" else " ON audit_events"
        conn.exec_driver_sql(f"DROP TRIGGER {name}{on}")


def _restore_guards(conn) -> None:
    for statement in _guards(conn).values():
        conn.exec_driver_sql(statement)


def _has_key_column(db) -> bool:
    return "key_id" in {c["name"] for c in inspect(db.engine).get_columns("audit_events")}


def _rebuild_unkeyed(db, *, change_event: int, keep_key_ids: bool = False) -> None:
    """Lift the guards, change one event, recompute every hash with `event_hash` and fix the
    head row, then put the guards back: all with database access alone."""
    with db.session() as s:
        events = s.query(AuditEvent).order_by(AuditEvent.id).all()
        rows = [(e.id, e.at, e.action, e.operator_name, e.session_id, e.detail) for e in events]
    keyed = _has_key_column(db)
    with db.engine.begin() as conn:
        _drop_guards(conn)
        prev = GENESIS_HASH
        for event_id, at, action, operator, session_id, detail in rows:
            if event_id == change_event:
                operator = "Mallory"
            digest = event_hash(prev, at, action, operator, session_id, detail)
            values = {"id": event_id, "op": operator, "prev": prev, "hash": digest}
            clear_key = ", key_id = NULL" if keyed and not keep_key_ids else ""
            conn.execute(text(f"UPDATE audit_events SET operator_name = :op, prev_hash = :prev,"
                              f" hash = :hash{clear_key} WHERE id = :id"), values)
            prev = digest
        conn.execute(text("UPDATE audit_chain SET events = :n, last_hash = :h WHERE id = 1"),
                     {"n": len(rows), "h": prev})
        _restore_guards(conn)


def _truncate(db, keep: int) -> None:
    """Cut every event after the first `keep` off and point the head row at the last one
    kept: no hash to compute, so no key needed."""
    with db.session() as s:
        kept = s.query(AuditEvent).order_by(AuditEvent.id).limit(keep).all()
    last_id, last_hash = (kept[-1].id, kept[-1].hash) if kept else (0, GENESIS_HASH)
    with db.engine.begin() as conn:
        _drop_guards(conn)
        conn.execute(text("DELETE FROM audit_events WHERE id > :id"), {"id": last_id})
        conn.execute(text("UPDATE audit_chain SET events = :n, last_hash = :h WHERE id = 1"),
                     {"n": len(kept), "h": last_hash})
        _restore_guards(conn)


def _doctor_json(capsys, monkeypatch, database_url: str) -> tuple[int, dict]:
    monkeypatch.setenv("KIOSK_DATABASE_URL", database_url)
    code = main(["doctor", "--json"])
    return code, json.loads(capsys.readouterr().out)


def _doctor_text(capsys, monkeypatch, database_url: str) -> tuple[int, str]:
    monkeypatch.setenv("KIOSK_DATABASE_URL", database_url)
    code = main(["doctor"])
    return code, capsys.readouterr().out


def _audit_problems(report) -> list[str]:
    return [p for p in report.problems if "audit" in p.lower()]


# -- A. the audit chain ---------------------------------------------------------------------

@pytest.mark.parametrize("keep_key_ids", [False, True], ids=["key-cleared", "key-kept"])
def test_a_chain_rebuilt_with_database_access_alone_is_caught(booth_db, keep_key_ids) -> None:
    settings, db = booth_db
    _append(db, 4)
    assert examine(settings).ok
    _rebuild_unkeyed(db, change_event=2, keep_key_ids=keep_key_ids)
    with db.session() as s:  # the reviewer's finding: the unkeyed walk is happy with it
        rows = s.query(AuditEvent).order_by(AuditEvent.id).all()
        prev = GENESIS_HASH
        for e in rows:
            assert e.prev_hash == prev
            assert event_hash(prev, e.at, e.action, e.operator_name, e.session_id,
                              e.detail) == e.hash
            prev = e.hash
    report = examine(settings)
    assert not report.ok and not report.audit_chain_ok
    assert report.audit_guards_missing == []  # put back: only the key tells
    problems = _audit_problems(report)
    assert problems and "event 1" in problems[0], report.problems


def test_a_dropped_trigger_is_named(booth_db) -> None:
    settings, db = booth_db
    _append(db, 1)
    with db.engine.begin() as conn:
        name = next(iter(_guards(conn)))
        _drop_guards(conn, [name])
    report = examine(settings)
    assert not report.ok
    assert report.audit_chain_ok  # the chain itself is still whole
    assert report.audit_guards_missing == [name]
    assert any(name in p and "append-only" in p for p in report.problems), report.problems


@pytest.mark.postgres
def test_a_disabled_trigger_is_named(postgres_url: str, settings) -> None:
    settings = replace(settings, database_url=postgres_url)
    db = open_database(postgres_url)
    try:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change")
    finally:
        db.close()
    report = examine(settings)
    assert report.audit_guards_missing == ["audit_events_no_change"]
    assert any("audit_events_no_change" in p for p in report.problems)


def test_the_key_lives_in_the_data_folder_owner_only(settings) -> None:
    from kiosk.store.audit import KEY_FILE_NAME, key_file_for
    from kiosk.store.database import open_configured

    db = open_configured(settings)
    try:
        key = settings.data_dir / KEY_FILE_NAME
        assert key_file_for(settings.database_url) == key
        assert not key.exists()  # made on first use
        _append(db, 2)
        assert key.is_file()
        if os.name == "posix":
            assert stat.S_IMODE(key.stat().st_mode) == 0o600
        with db.session() as s:
            assert {e.key_id for e in s.query(AuditEvent)} != {None}
            assert verify_chain(s).ok
    finally:
        db.close()


def test_a_missing_or_changed_key_is_said_and_recording_goes_on(booth_db) -> None:
    from kiosk.store.audit import key_file_for

    settings, db = booth_db
    _append(db, 2)
    key = key_file_for(settings.database_url)
    original = key.read_bytes()
    key.unlink()
    report = examine(settings)
    assert not report.ok
    assert any("missing" in p and str(key) in p for p in _audit_problems(report)), \
        report.problems
    _append(db, 1)  # the booth keeps working: a new key for the new events
    assert key.is_file() and key.read_bytes() != original
    report = examine(settings)
    assert not report.ok
    assert any("another key" in p for p in _audit_problems(report)), report.problems
    key.write_bytes(original)  # the right key back: the first two check out, the third not
    report = examine(settings)
    assert any("another key" in p and "1 audit event" in p for p in _audit_problems(report)), \
        report.problems


def test_a_damaged_key_is_said_and_never_stops_an_event(booth_db) -> None:
    from kiosk.store.audit import key_file_for

    settings, db = booth_db
    _append(db, 1)
    key = key_file_for(settings.database_url)
    key.write_text("not a key")
    _append(db, 1)  # written all the same, unkeyed, and the file is left for a person
    assert key.read_text() == "not a key"
    with db.session() as s:
        assert s.query(AuditEvent).count() == 2
    problems = _audit_problems(examine(settings))
    assert any("damaged" in p and str(key) in p for p in problems), problems


def test_a_truncation_shows_against_the_head_in_an_earlier_export(
        booth_db, tmp_path: Path, capsys, monkeypatch) -> None:
    settings, db = booth_db
    session_id = add_recorded_session(db, settings)
    _append(db, 3)
    usb = tmp_path / "usb"
    usb.mkdir()
    result = export_session(db, settings, session_id, usb, exported_by="Rita")
    exported_head = json.loads(result.sidecar.read_text(encoding="utf-8"))["export"][
        "audit_head"]
    assert exported_head["events"] == 3  # the chain as it stood when the copy was made
    code, before = _doctor_json(capsys, monkeypatch, settings.database_url)
    assert code == 0, before["problems"]
    assert before["audit_head"]["events"] == 4  # the export's own event is on it now

    _truncate(db, keep=1)  # the last three cut off, the head row fixed
    with db.session() as s:
        hashes = {e.hash for e in s.query(AuditEvent)}
    code, after = _doctor_json(capsys, monkeypatch, settings.database_url)
    # Against the heads seen earlier: fewer events, and that last hash is gone.
    assert after["audit_head"]["events"] < exported_head["events"] < before["audit_head"][
        "events"]
    assert exported_head["last_hash"] not in hashes
    assert before["audit_head"]["last_hash"] not in hashes
    _, shown = _doctor_text(capsys, monkeypatch, settings.database_url)
    assert re.search(rf"head: +{after['audit_head']['events']} events?, last hash "
                     rf"{after['audit_head']['last_hash']}", shown), shown


def test_unkeyed_events_from_an_earlier_release_still_verify_and_stay_guarded(
        database_url: str, settings) -> None:
    settings = replace(settings, database_url=database_url)
    open_database(database_url).close()
    with migrating(database_url) as (conn, config):
        command.downgrade(config, "0003")
        prev = GENESIS_HASH
        for number in range(2):
            at = datetime(2026, 1, 5, 9, number, tzinfo=UTC)
            digest = event_hash(prev, at, "exported", "Rita", f"s{number}", None)
            conn.execute(text("INSERT INTO audit_events (at, action, operator_name, session_id,"
                              " detail, prev_hash, hash) VALUES (:at, 'exported', 'Rita', :sid,"
                              " NULL, :prev, :hash)"),
                         {"at": at.replace(tzinfo=None) if conn.dialect.name == "sqlite"
                          else at, "sid": f"s{number}", "prev": prev, "hash": digest})
            prev = digest
        conn.execute(text("UPDATE audit_chain SET events = 2, last_hash = :h"), {"h": prev})
        command.upgrade(config, "head")
    db = open_database(database_url)
    try:
        assert examine(settings).ok
        _append(db, 2)  # this release's events are keyed
        with db.session() as s:
            keys = [e.key_id for e in s.query(AuditEvent).order_by(AuditEvent.id)]
        assert keys[:2] == [None, None] and None not in keys[2:]
        report = examine(settings)
        assert report.ok, report.problems
        # Rewritten as if all four were from the earlier release: the key knows better.
        _rebuild_unkeyed(db, change_event=3)
        report = examine(settings)
        assert not report.audit_chain_ok
        assert any("not keyed" in p for p in _audit_problems(report)), report.problems
        # Everything cut back to before the key was made: fewer events than it has seen.
        _truncate(db, keep=1)
        report = examine(settings)
        assert any("fewer" in p for p in _audit_problems(report)), report.problems
    finally:
        db.close()


# -- B. doctor's words ------------------------------------------------------------------------

def test_a_newer_schema_is_said_as_every_command_says_it(booth_db, capsys, monkeypatch) -> None:
    settings, db = booth_db
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    report = examine(settings)
    assert not report.ok
    assert any("made by a newer version" in p for p in report.problems), report.problems
    assert not any("upgrades it" in p for p in report.problems)
    code, shown = _doctor_text(capsys, monkeypatch, settings.database_url)
    assert code == 1
    assert "made by a newer version" in shown
    assert "BROKEN" not in shown and "upgrades it" not in shown
    assert "Audit log" not in shown or "not checked" in shown


def test_too_little_free_space_is_a_problem(booth_db) -> None:
    settings, _ = booth_db
    assert examine(settings).ok  # the real setting fits on this disk
    greedy = replace(settings, recording=replace(settings.recording,
                                                 longest_interview_minutes=10**9))
    report = examine(greedy)
    assert not report.ok
    assert any("free" in p and "new interview" in p for p in report.problems), report.problems


def test_sizes_below_a_gigabyte_are_said_in_megabytes(settings, monkeypatch) -> None:
    from kiosk.store.files import format_size

    assert format_size(15 * 2**20) == "15 MB"
    assert format_size(0) == "0 MB"
    assert format_size(3 * 2**30 // 2) == "1.5 GB"
    small = replace(settings, recording=replace(settings.recording, longest_interview_minutes=1,
                                                mb_per_minute=5, disk_reserve_mb=10))
    small.recordings_dir.mkdir(parents=True)
    monkeypatch.setattr("kiosk.recording.disk.free_bytes", lambda folder: 3 * 2**20)
    with pytest.raises(DiskSpaceError) as refused:
        check_disk_for_new_session(small)
    assert "3 MB free" in str(refused.value) and "15 MB needed" in str(refused.value)


def test_failed_sessions_are_named_by_candidate(booth_db, capsys, monkeypatch) -> None:
    settings, db = booth_db
    with db.session() as s, s.begin():
        failed = create_session(s, "Ada Lovelace", status=SessionStatus.FAILED).id
        create_session(s, "Grace Hopper")
    report = examine(settings)
    assert report.failed_sessions == [{"session_id": failed, "candidate_name": "Ada Lovelace"}]
    assert any("Ada Lovelace" in p and "failed" in p for p in report.problems), report.problems
    _, shown = _doctor_text(capsys, monkeypatch, settings.database_url)
    assert "Ada Lovelace" in shown and "Grace Hopper" not in shown


def test_the_booth_page_says_a_failed_session_and_too_little_space(settings) -> None:
    from kiosk.health import RECORDINGS, STORAGE, check_storage_and_database
    from kiosk.store.database import open_configured

    db = open_configured(settings)
    try:
        with db.session() as s, s.begin():
            create_session(s, "Ada Lovelace", status=SessionStatus.FAILED)
    finally:
        db.close()
    greedy = replace(settings, recording=replace(settings.recording,
                                                 longest_interview_minutes=10**9))
    checks = {check.key: check for check in check_storage_and_database(greedy)}
    assert checks[RECORDINGS].verdict == "Problem"
    assert "Ada Lovelace" in checks[RECORDINGS].detail
    assert "failed" in checks[RECORDINGS].headline
    assert checks[STORAGE].verdict == "Problem" and "not enough" in checks[STORAGE].headline


# -- C. export --------------------------------------------------------------------------------

def _stem(db, session_id: str) -> str:
    with db.session() as s:
        row = get_session(s, session_id)
        return export_stem(row.candidate_name, row.recording_created_at.isoformat(), session_id)


def test_a_partial_left_by_a_killed_export_is_cleaned(booth_db, tmp_path: Path) -> None:
    settings, db = booth_db
    session_id = add_recorded_session(db, settings)
    usb = tmp_path / "usb"
    usb.mkdir()
    stem = _stem(db, session_id)
    (usb / f"{stem}.mp4.partial").write_bytes(b"half a copy")  # the export was killed
    (usb / f"{stem}.json.partial").write_text("{")
    (usb / "someone-else.mp4.partial").write_bytes(b"not ours")
    result = export_session(db, settings, session_id, usb, exported_by="Rita")
    assert result.video.name == f"{stem}.mp4"
    assert sorted(p.name for p in usb.iterdir()) == sorted(
        [f"{stem}.mp4", f"{stem}.json", "someone-else.mp4.partial"])


def test_a_file_in_the_way_is_named(booth_db, tmp_path: Path) -> None:
    settings, db = booth_db
    session_id = add_recorded_session(db, settings)
    usb = tmp_path / "usb"
    usb.mkdir()
    stem = _stem(db, session_id)
    (usb / f"{stem}.mp4.partial").mkdir()  # not a copy of ours: left alone, and named
    with pytest.raises(ExportError) as refused:
        export_session(db, settings, session_id, usb, exported_by="Rita")
    assert f"{stem}.mp4.partial" in str(refused.value)
    assert (usb / f"{stem}.mp4.partial").is_dir()


def test_export_into_the_recordings_folder_is_refused(booth_db) -> None:
    settings, db = booth_db
    session_id = add_recorded_session(db, settings)
    for inside in (settings.recordings_dir, settings.recordings_dir / session_id):
        with pytest.raises(ExportError, match="recordings folder"):
            export_session(db, settings, session_id, inside, exported_by="Rita")
    assert examine(settings).files_without_rows == []


def test_file_names_carry_no_bidi_controls(booth_db, tmp_path: Path) -> None:
    stem = export_stem(f"{BIDI}Ada\u202e Love\u2066lace\u200f", "2026-03-01T10:00:00+00:00",
                       "0123456789abcdef")
    assert not set(stem) & set(BIDI)
    assert stem.startswith("Ada-Lovelace-")
    assert export_stem(BIDI, "2026-03-01T10:00:00+00:00", "abcdefgh").startswith("interview-")

    settings, db = booth_db
    session_id = add_recorded_session(db, settings)
    with db.engine.begin() as conn:  # an old row, from before names were checked at entry
        conn.execute(text("UPDATE sessions SET candidate_name = :n WHERE id = :id"),
                     {"n": "\u202egnp.exe\u202c Ada", "id": session_id})
    usb = tmp_path / "usb"
    usb.mkdir()
    result = export_session(db, settings, session_id, usb, exported_by="Rita")
    for path in (result.video, result.sidecar):
        assert not set(path.name) & set(BIDI), path.name
