"""The session lifecycle: the store alone changes a session's status, and refuses a change
the session cannot make from where it is."""

from __future__ import annotations

import pytest

from kiosk.errors import NotFoundError
from kiosk.store import sessions
from kiosk.store.database import Database
from kiosk.store.models import SessionStatus
from kiosk.store.sessions import (
    FinishedRecording,
    Marker,
    StatusChangeError,
    create_session,
    get_session,
)

RECORDED = FinishedRecording(video="x/interview.mp4", thumbnail="x/poster.jpg",
                             duration_ms=4000, size_bytes=10, sha256="0" * 64,
                             markers=[Marker(0, "Why this job?", 0, 4000)])


def _status(db: Database, session_id: str) -> SessionStatus:
    with db.session() as s:
        return get_session(s, session_id).status


def _scheduled(db: Database, name: str = "Ada Lovelace") -> str:
    with db.session() as s, s.begin():
        return create_session(s, name).id


def test_an_interview_walks_its_lifecycle_to_completed(booth_db) -> None:
    _, db = booth_db
    session_id = sessions.give_consent(db, "Ada Lovelace", _scheduled(db))
    assert _status(db, session_id) is SessionStatus.SCHEDULED
    sessions.start_session(db, session_id)
    for _ in range(2):
        sessions.answer_started(db, session_id)
        assert _status(db, session_id) is SessionStatus.RECORDING
        sessions.answer_ended(db, session_id)
        assert _status(db, session_id) is SessionStatus.IN_PROGRESS
    sessions.start_merging(db, session_id)
    sessions.finish(db, session_id, RECORDED, status=SessionStatus.COMPLETED)
    with db.session() as s:
        row = get_session(s, session_id)
        assert row.status is SessionStatus.COMPLETED
        assert row.consent_at is not None and row.started_at is not None
        assert row.completed_at is not None and row.duration_ms == 4000
        assert [(m.index, m.question, m.end_ms) for m in row.markers] == [
            (0, "Why this job?", 4000)]


def test_completing_a_declined_session_is_refused_and_changes_nothing(booth_db) -> None:
    _, db = booth_db
    session_id = _scheduled(db)
    sessions.decline(db, session_id)
    with pytest.raises(StatusChangeError, match="is declined: it cannot become merging"):
        sessions.start_merging(db, session_id)
    with pytest.raises(StatusChangeError, match="is declined: it cannot become completed"):
        sessions.finish(db, session_id, RECORDED, status=SessionStatus.COMPLETED)
    with db.session() as s:
        row = get_session(s, session_id)
        assert row.status is SessionStatus.DECLINED
        assert row.recording_video is None and row.markers == []


@pytest.mark.parametrize(
    ("setup", "change"),
    [
        # A session that was never started cannot record, nor end an answer.
        ([], lambda db, sid: sessions.answer_started(db, sid)),
        ([], lambda db, sid: sessions.answer_ended(db, sid)),
        # A finished one cannot be declined, started again, or have its consent withdrawn.
        (["complete"], lambda db, sid: sessions.decline(db, sid)),
        (["complete"], lambda db, sid: sessions.start_session(db, sid)),
        (["complete"], lambda db, sid: sessions.withdraw_consent(db, sid)),
        # A session in progress is past declining.
        (["start"], lambda db, sid: sessions.decline(db, sid)),
    ],
)
def test_impossible_changes_are_refused(booth_db, setup, change) -> None:
    _, db = booth_db
    session_id = _scheduled(db)
    if "start" in setup or "complete" in setup:
        sessions.start_session(db, session_id)
    if "complete" in setup:
        sessions.start_merging(db, session_id)
        sessions.finish(db, session_id, RECORDED, status=SessionStatus.COMPLETED)
    before = _status(db, session_id)
    with pytest.raises(StatusChangeError):
        change(db, session_id)
    assert _status(db, session_id) is before


def test_a_session_finishes_only_completed_or_recovered(booth_db) -> None:
    _, db = booth_db
    session_id = _scheduled(db)
    sessions.start_session(db, session_id)
    sessions.start_merging(db, session_id)
    with pytest.raises(ValueError, match="not declined"):
        sessions.finish(db, session_id, RECORDED, status=SessionStatus.DECLINED)
    sessions.finish(db, session_id, RECORDED, status=SessionStatus.RECOVERED)
    assert _status(db, session_id) is SessionStatus.RECOVERED


def test_a_session_deleted_meanwhile_is_named(booth_db) -> None:
    _, db = booth_db
    with pytest.raises(NotFoundError, match="no-such-id no longer exists"):
        sessions.start_session(db, "no-such-id")
    sessions.withdraw_consent(db, "no-such-id")  # nothing waits for it: nothing to do


def test_consent_on_a_session_another_booth_took_gives_the_candidate_their_own(
        booth_db) -> None:
    _, db = booth_db
    taken = _scheduled(db, "Grace Hopper")
    sessions.start_session(db, taken)
    own = sessions.give_consent(db, "Grace Hopper", taken)
    assert own != taken
    assert _status(db, own) is SessionStatus.SCHEDULED
    assert _status(db, taken) is SessionStatus.IN_PROGRESS
