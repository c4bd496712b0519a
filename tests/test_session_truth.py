"""What a session row says is what happened: a walk-in who leaves leaves nothing behind, and
an interview left half-way says so, in the store and on the recruiter's screens.

The real kiosk (screens, flow, booth, synthetic devices), as tests/test_candidate_kiosk.py.
"""

# The candidate kiosk's fixtures are imported by name, which pyflakes takes for redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.config import Settings
from kiosk.interview.flow import Screen
from kiosk.store import sessions
from kiosk.store.database import Database
from kiosk.store.models import InterviewSession, SessionStatus
from kiosk.store.review import list_session_rows
from kiosk.store.sessions import create_session, get_session, scheduled_today
from kiosk.ui.candidate.kiosk import CandidateKiosk
from kiosk.ui.recruiter.sessions_model import STATUS, SessionsModel
from tests.engine import quick_interview
from tests.test_candidate_kiosk import (  # noqa: F401 (fixtures)
    booth_settings,
    click,
    db,
    make_kiosk,
    on,
    start_first_answer,
)

IDLE_S = 20  # short, for the test; the warning before the reset is part of it


@pytest.fixture
def impatient(booth_settings: Settings) -> Settings:
    return dataclasses.replace(booth_settings, interview=dataclasses.replace(
        booth_settings.interview, idle_seconds=IDLE_S))


@pytest.fixture
def kiosk(qtbot: QtBot, impatient: Settings, db: Database) -> Iterator[CandidateKiosk]:
    made = make_kiosk(qtbot, impatient, db)
    yield made
    made.shutdown()


def _rows(db: Database) -> list[InterviewSession]:
    with db.session() as s:
        return list(s.query(InterviewSession))


def test_a_walk_in_who_leaves_before_answering_is_never_offered_to_the_next_candidate(
        qtbot: QtBot, kiosk: CandidateKiosk, db: Database) -> None:
    with db.session() as s, s.begin():
        create_session(s, "Kwame Mensah")  # scheduled by a recruiter: stays offered
    qtbot.wait(1000)
    qtbot.mouseClick(kiosk.welcome, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(on(kiosk, Screen.IDENTIFY))
    qtbot.wait(1000)
    qtbot.keyClicks(kiosk.identify.name, "Walter Walkin")
    click(qtbot, kiosk.identify.next)
    qtbot.waitUntil(on(kiosk, Screen.CONSENT))
    click(qtbot, kiosk.consent.accept)
    qtbot.waitUntil(on(kiosk, Screen.DEVICE_CHECK))
    kiosk.booth.wait_idle(10)  # the consent is stored on the booth's own thread
    assert any(r.candidate_name == "Walter Walkin" for r in _rows(db))
    # ... and walks away at the device check: back to Welcome by the idle rule.
    qtbot.waitUntil(on(kiosk, Screen.WELCOME), timeout=(IDLE_S + 15) * 1000)
    kiosk.booth.wait_idle(10)
    assert [r.candidate_name for r in _rows(db)] == ["Kwame Mensah"]
    assert [s.candidate_name for s in scheduled_today_of(db)] == ["Kwame Mensah"]
    qtbot.wait(1000)  # a screen takes no touch in its first moment (a double tap)
    qtbot.mouseClick(kiosk.welcome, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(on(kiosk, Screen.IDENTIFY))
    assert [b.text() for b in kiosk.identify.pick_buttons if "Walter" in b.text()] == []


def test_someone_in_the_interview_now_is_not_offered_at_another_booth(db: Database) -> None:
    with db.session() as s, s.begin():
        scheduled = create_session(s, "Grace Hopper").id
    sessions.give_consent(db, "Grace Hopper", scheduled)  # at booth 1
    assert scheduled_today_of(db) == []  # booth 2 does not show her name
    sessions.withdraw_consent(db, scheduled)  # she left before answering
    assert [s.id for s in scheduled_today_of(db)] == [scheduled]


def test_an_interview_left_half_way_says_so_in_the_row_and_the_list(
        qtbot: QtBot, kiosk: CandidateKiosk, db: Database, impatient: Settings) -> None:
    start_first_answer(qtbot, kiosk, "Ana Half")
    qtbot.wait(1500)
    click(qtbot, kiosk.question.done)
    qtbot.waitUntil(on(kiosk, Screen.RETAKE))
    click(qtbot, kiosk.question.keep)
    qtbot.waitUntil(on(kiosk, Screen.PREPARE))
    # Question 2 of 2 is on screen; the candidate walks away.
    qtbot.waitUntil(lambda: kiosk.flow.state.screen is Screen.WELCOME
                    and not kiosk.flow.state.saving, timeout=(IDLE_S + 60) * 1000)
    (row,) = _rows(db)
    assert row.status is SessionStatus.COMPLETED
    assert (row.questions_answered, row.questions_total, row.ended_early) == (1, 2, True)
    model = SessionsModel(impatient.recordings_dir)
    model.set_rows(list_session_rows(db), STATUS, Qt.SortOrder.AscendingOrder)
    assert model.data(model.index(0, STATUS)) == "Completed · left early, 1 of 2 answered"


def test_an_interview_answered_to_its_end_is_not_marked_early(db: Database,
                                                              impatient: Settings) -> None:
    session_id = quick_interview(db, impatient)
    with db.session() as s:
        row = get_session(s, session_id)
        assert (row.ended_early, row.questions_answered) == (False, 3)


def scheduled_today_of(db: Database) -> list[InterviewSession]:
    with db.session() as s:
        return scheduled_today(s)
