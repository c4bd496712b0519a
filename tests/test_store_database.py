"""The storage suite: runs on SQLite and on a real PostgreSQL server (see conftest)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from kiosk.store.audit import append_event
from kiosk.store.database import alembic_config, current_revision, head_revision, open_database
from kiosk.store.models import (
    AuditEvent,
    Base,
    Note,
    Operator,
    QuestionMarker,
    Rating,
    RecordingView,
    Role,
    SessionStatus,
    described_by_models,
)
from kiosk.store.sessions import create_session, get_session, list_sessions
from tests.migrations import migrating


def test_migrations_have_a_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    assert script.get_current_head() == head_revision()


def test_open_brings_a_new_database_to_the_newest_migration(database_url: str) -> None:
    db = open_database(database_url)
    try:
        with db.engine.connect() as conn:
            assert current_revision(conn) == head_revision()
    finally:
        db.close()


def test_migrations_build_exactly_the_models(database_url: str) -> None:
    """The migrations and the models describe the same schema: no drift either way."""
    db = open_database(database_url)
    try:
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": described_by_models})
            differences = compare_metadata(context, Base.metadata)
    finally:
        db.close()
    assert differences == []


def test_rows_round_trip_with_aware_utc_times(database_url: str) -> None:
    db = open_database(database_url)
    recorded = datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    name = "Zoë \"Zed\" O'Brien-Łukasz 🎤 渡辺"
    try:
        with db.session() as s, s.begin():
            session = create_session(s, name, position="Booth engineer")
            session.recording_video = f"{session.id}/interview.mp4"
            session.recording_created_at = recorded
            session.markers.append(
                QuestionMarker(index=0, question="Tell us about you", start_ms=0, end_ms=1500)
            )
            session_id = session.id
        with db.session() as s:
            loaded = get_session(s, session_id)
            assert loaded.candidate_name == name
            assert loaded.status is SessionStatus.SCHEDULED
            assert loaded.recording_created_at == recorded
            assert loaded.recording_created_at.tzinfo == UTC
            assert loaded.created_at.tzinfo == UTC
            assert abs(loaded.created_at - datetime.now(UTC)) < timedelta(minutes=1)
            assert [m.question for m in loaded.markers] == ["Tell us about you"]
    finally:
        db.close()


def test_naive_datetimes_are_refused(database_url: str) -> None:
    db = open_database(database_url)
    try:
        with db.session() as s:
            session = create_session(s, "Ada")
            session.consent_at = datetime(2026, 1, 1, 12, 0)  # no time zone
            with pytest.raises(Exception, match="naive datetime"):
                s.flush()
    finally:
        db.close()


def test_every_table_takes_a_row_and_deleting_a_session_removes_its_rows(
    database_url: str,
) -> None:
    db = open_database(database_url)
    try:
        with db.session() as s, s.begin():
            operator = Operator(name="Rita", role=Role.RECRUITER, pin_hash="scrypt$x")
            session = create_session(s, "Grace", status=SessionStatus.COMPLETED)
            s.add(operator)
            s.flush()
            session.markers.append(QuestionMarker(index=0, question="Q", start_ms=0, end_ms=10))
            session.notes.append(Note(time_ms=5, text="clear answer", author=operator))
            session.ratings.append(Rating(question_index=None, score=4, operator_id=operator.id))
            session.views.append(RecordingView(operator_id=operator.id, watched_ms=12000))
            append_event(s, "exported", operator_name="Rita", session_id=session.id)
            session_id = session.id
        with db.session() as s, s.begin():
            s.delete(get_session(s, session_id))
        with db.session() as s:
            for model in (QuestionMarker, Note, Rating, RecordingView):
                assert s.scalar(select(func.count()).select_from(model)) == 0, model
            # The audit trail outlives the session it names.
            assert s.scalar(select(func.count()).select_from(AuditEvent)) == 1
            assert s.scalar(select(func.count()).select_from(Operator)) == 1
    finally:
        db.close()


def test_foreign_keys_and_checks_are_enforced(database_url: str) -> None:
    db = open_database(database_url)
    try:
        with db.session() as s:
            s.add(QuestionMarker(session_id="no-such-session", index=0, question="Q",
                                 start_ms=0, end_ms=1))
            with pytest.raises(IntegrityError):
                s.flush()
        with db.session() as s:
            session = create_session(s, "Lin")
            session.ratings.append(Rating(score=6))
            with pytest.raises(IntegrityError):
                s.flush()
    finally:
        db.close()


def test_list_is_newest_first(database_url: str) -> None:
    db = open_database(database_url)
    try:
        with db.session() as s, s.begin():
            older = create_session(s, "First")
            older.created_at = datetime.now(UTC) - timedelta(days=1)
            create_session(s, "Second")
        with db.session() as s:
            assert [x.candidate_name for x in list_sessions(s)] == ["Second", "First"]
    finally:
        db.close()


def test_downgrade_then_upgrade_keeps_the_sessions(database_url: str) -> None:
    db = open_database(database_url)
    try:
        with db.session() as s, s.begin():
            session = create_session(s, "Kept Through Migrations")
            session.recording_video = f"{session.id}/interview.mp4"
            session.duration_ms = 61_000
        with migrating(database_url) as (conn, config):
            command.downgrade(config, "0001")
            assert current_revision(conn) == "0001"
            names = conn.execute(text("SELECT candidate_name, recording_video FROM sessions"))
            assert [tuple(r) for r in names] == [
                ("Kept Through Migrations", f"{session.id}/interview.mp4")
            ]
            command.upgrade(config, "head")
        with db.session() as s:
            loaded = get_session(s, session.id)
            assert loaded.candidate_name == "Kept Through Migrations"
            assert loaded.duration_ms is None  # the column came back empty, the row stayed
    finally:
        db.close()


def test_booths_starting_together_migrate_once(database_url: str) -> None:
    """Several processes opening one new database at once: one migrates, all succeed."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def start_booth() -> None:
        try:
            barrier.wait()
            open_database(database_url).close()
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    # Daemon threads: a deadlocked booth must fail this test, not hang the whole run.
    booths = [threading.Thread(target=start_booth, daemon=True) for _ in range(4)]
    for booth in booths:
        booth.start()
    for booth in booths:
        booth.join(timeout=60)
    assert not any(booth.is_alive() for booth in booths), "a booth is stuck migrating"
    assert errors == []
    db = open_database(database_url)
    try:
        with db.engine.connect() as conn:
            assert current_revision(conn) == head_revision()
            versions = conn.execute(text("SELECT count(*) FROM alembic_version")).scalar()
            assert versions == 1
    finally:
        db.close()
