"""The recruiter's Schedule page: today's candidates added, changed and cancelled by keys and
clicks, bad values refused in words with nothing lost, every change audited with the
operator's name; and the details pane saying what the candidate was given."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kiosk.accommodations import Accommodations
from kiosk.config import Settings
from kiosk.store.audit import Action
from kiosk.store.database import Database, open_configured
from kiosk.store.models import AuditEvent
from kiosk.store.schedule import schedule_candidate
from kiosk.store.sessions import accommodations_of, give_consent, scheduled_today, start_session
from kiosk.ui.recruiter import RecruiterView
from kiosk.ui.recruiter.schedule_page import SchedulePage
from tests.recruiter import Staff, add_staff

SCHEDULE_ACTIONS = (Action.SESSION_SCHEDULED, Action.SCHEDULE_CHANGED,
                    Action.SCHEDULE_CANCELLED)


@dataclass(frozen=True)
class Booth:
    settings: Settings
    db: Database
    staff: Staff


@pytest.fixture
def booth(settings: Settings) -> Iterator[Booth]:
    db = open_configured(settings)
    try:
        yield Booth(settings, db, add_staff(db))
    finally:
        db.close()


def _view(qtbot: QtBot, booth: Booth, operator: str = "recruiter") -> RecruiterView:
    view = RecruiterView(booth.settings, booth.db, getattr(booth.staff, operator))
    qtbot.addWidget(view)
    # Made before the window is activated: the player's video widget, made later, takes
    # the activation away on the offscreen platform.
    view.details  # noqa: B018
    view.resize(1280, 800)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)  # the keyboard's keys go to it
    return view


def _open_schedule(qtbot: QtBot, view: RecruiterView) -> SchedulePage:
    qtbot.mouseClick(view.schedule_button, Qt.MouseButton.LeftButton)
    assert view.pages.currentWidget() is view.schedule
    assert view.title.text() == "Schedule"
    return view.schedule


def _focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def _key(qtbot: QtBot, key: Qt.Key, times: int = 1) -> None:
    """Keys pressed where the focus is, as a keyboard would."""
    for _ in range(times):
        qtbot.keyClick(_focused(), key)


def _tick(qtbot: QtBot, box: QCheckBox) -> None:
    """A click on the box itself (a click right of its words is not one on it)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(12, box.height() // 2))


def _events(db: Database) -> list[tuple[str, str | None, dict]]:
    """The schedule's audit events: action, who, and what (the detail)."""
    with db.session() as s:
        rows = s.execute(select(AuditEvent.action, AuditEvent.operator_name, AuditEvent.detail)
                         .where(AuditEvent.action.in_(SCHEDULE_ACTIONS))
                         .order_by(AuditEvent.id)).all()
    return [(action, who, json.loads(detail) if detail else {}) for action, who, detail in rows]


def _today(db: Database) -> list[tuple[str, str | None, Accommodations]]:
    with db.session() as s:
        return [(row.candidate_name, row.position, accommodations_of(row))
                for row in scheduled_today(s)]


def _cells(page: SchedulePage) -> list[list[str]]:
    return [[page.table.item(row, column).text() for column in range(3)]
            for row in range(page.table.rowCount())]


def test_a_candidate_is_added_by_keyboard_alone_and_audited(qtbot: QtBot, booth: Booth) -> None:
    view = _view(qtbot, booth)
    page = _open_schedule(qtbot, view)
    assert page.empty.isVisible() and not page.table.isVisible()
    assert _focused() is page.add_button
    _key(qtbot, Qt.Key.Key_Return)  # the Add button, pressed from the keyboard
    assert page.form.isVisible() and _focused() is page.name
    qtbot.keyClicks(page.name, "Kwame Mensah")
    _key(qtbot, Qt.Key.Key_Return)  # on to the position
    assert _focused() is page.position
    qtbot.keyClicks(page.position, "Support engineer")
    _key(qtbot, Qt.Key.Key_Tab)
    assert _focused() is page.extra_time
    _key(qtbot, Qt.Key.Key_Down, 4)  # 1.25x, 1.5x, 1.75x, 2x
    _key(qtbot, Qt.Key.Key_Tab)
    assert _focused() is page.extra_retakes
    _key(qtbot, Qt.Key.Key_Down)  # 1 more
    _key(qtbot, Qt.Key.Key_Tab, 3)  # past larger text and high contrast
    assert _focused() is page.read_aloud
    _key(qtbot, Qt.Key.Key_Space)
    _key(qtbot, Qt.Key.Key_Tab, 2)  # past Discard
    assert _focused() is page.save_button
    _key(qtbot, Qt.Key.Key_Return)

    assert not page.form.isVisible()
    given = Accommodations(extra_time=2.0, extra_retakes=1, read_aloud=True)
    assert _today(booth.db) == [("Kwame Mensah", "Support engineer", given)]
    assert _cells(page) == [["Kwame Mensah", "Support engineer",
                             "2x time, 1 extra retake, questions read aloud"]]
    assert "Kwame Mensah is scheduled" in page.notice.text() and page.notice.isVisible()
    [(action, who, detail)] = _events(booth.db)
    assert (action, who) == (Action.SESSION_SCHEDULED, "Rita Recruiter")
    assert detail["candidate_name"] == "Kwame Mensah"
    assert detail["accommodations"] == given.to_json()

    # The interviews list shows the new candidate once the recruiter goes back to it.
    qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)
    assert view.pages.currentWidget() is view.sessions
    assert [row.candidate_name for row in view.sessions.model.rows] == ["Kwame Mensah"]


def test_a_candidate_is_edited_by_clicks_and_the_change_is_audited(
        qtbot: QtBot, booth: Booth) -> None:
    session_id = schedule_candidate(booth.db, "Zoë O'Brien", position="Team lead",
                                    accommodations=Accommodations(read_aloud=True), by="IT")
    view = _view(qtbot, booth, "admin")
    page = _open_schedule(qtbot, view)
    assert _cells(page) == [["Zoë O'Brien", "Team lead", "questions read aloud"]]
    assert _focused() is page.table

    # Enter on the row opens it; Esc closes it again with nothing changed.
    _key(qtbot, Qt.Key.Key_Return)
    assert page.form.isVisible() and page.editing == session_id
    assert page.name.text() == "Zoë O'Brien" and page.read_aloud.isChecked()
    qtbot.keyClick(page.name, Qt.Key.Key_Escape)
    assert not page.form.isVisible()
    assert [action for action, _who, _detail in _events(booth.db)] == [
        Action.SESSION_SCHEDULED]

    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    assert page.form.isVisible()
    assert not page.add_button.isEnabled() and not page.cancel_button.isEnabled()
    page.position.selectAll()
    qtbot.keyClicks(page.position, "Night shift lead")
    page.extra_time.setCurrentIndex(page.extra_time.findText("1.5x"))  # as a pick does
    _tick(qtbot, page.read_aloud)
    _tick(qtbot, page.high_contrast)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)

    assert not page.form.isVisible()
    given = Accommodations(extra_time=1.5, high_contrast=True)
    assert _today(booth.db) == [("Zoë O'Brien", "Night shift lead", given)]
    assert _cells(page) == [["Zoë O'Brien", "Night shift lead", "1.5x time, high contrast"]]
    action, who, detail = _events(booth.db)[-1]
    assert (action, who) == (Action.SCHEDULE_CHANGED, "Ada Admin")
    assert detail["before"]["position"] == "Team lead"
    assert detail["before"]["accommodations"]["read_aloud"] is True
    assert detail["after"]["position"] == "Night shift lead"
    assert detail["after"]["accommodations"] == given.to_json()


def test_cancelling_asks_first_then_removes_the_candidate_audited(
        qtbot: QtBot, booth: Booth) -> None:
    schedule_candidate(booth.db, "Ana Müller", position=None, accommodations=Accommodations(),
                       by="IT")
    schedule_candidate(booth.db, "Kwame Mensah", position=None,
                       accommodations=Accommodations(), by="IT")
    view = _view(qtbot, booth)
    page = _open_schedule(qtbot, view)
    page.choose("Kwame Mensah")

    _key(qtbot, Qt.Key.Key_Delete)  # in the list: asks, and the safe answer has the focus
    assert page.confirm_bar.isVisible() and "Kwame Mensah" in page.confirm_text.text()
    assert _focused() is page.confirm_no
    _key(qtbot, Qt.Key.Key_Return)  # "Keep it"
    assert not page.confirm_bar.isVisible()
    assert [name for name, _p, _a in _today(booth.db)] == ["Ana Müller", "Kwame Mensah"]

    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    assert page.confirm_bar.isVisible()
    qtbot.mouseClick(page.confirm_yes, Qt.MouseButton.LeftButton)
    assert [name for name, _p, _a in _today(booth.db)] == ["Ana Müller"]
    assert _cells(page) == [["Ana Müller", "\u2013", "None"]]
    assert "Kwame Mensah is cancelled" in page.notice.text()
    action, who, detail = _events(booth.db)[-1]
    assert (action, who) == (Action.SCHEDULE_CANCELLED, "Rita Recruiter")
    assert detail["candidate_name"] == "Kwame Mensah"

    # The last one, by keyboard alone: the keyboard then stays on the page, at Add.
    assert _focused() is page.table
    _key(qtbot, Qt.Key.Key_Delete)
    qtbot.keyClick(_focused(), Qt.Key.Key_Backtab)
    assert _focused() is page.confirm_yes
    _key(qtbot, Qt.Key.Key_Return)
    assert _today(booth.db) == [] and page.empty.isVisible()
    assert _focused() is page.add_button


@pytest.mark.parametrize(("typed", "says"), [
    ("", "Please enter a name."),
    ("   ", "Please enter a name."),
    ("Ada\u0007Lovelace", "single line"),
    ("Ada\u202eecilA", "text-direction control"),
])
def test_a_bad_name_is_refused_in_words_and_what_was_typed_stays(
        qtbot: QtBot, booth: Booth, typed: str, says: str) -> None:
    view = _view(qtbot, booth)
    page = _open_schedule(qtbot, view)
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    page.name.setText(typed)  # as a paste would put it there
    qtbot.keyClicks(page.position, "Driver")
    _tick(qtbot, page.larger_text)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)

    assert page.form.isVisible() and page.form_message.isVisible()
    assert says in page.form_message.text()
    assert _focused() is page.name
    assert (page.name.text(), page.position.text()) == (typed, "Driver")
    assert page.larger_text.isChecked()
    assert _today(booth.db) == [] and _events(booth.db) == []


def test_a_candidate_who_started_meanwhile_is_refused_and_nothing_is_lost(
        qtbot: QtBot, booth: Booth) -> None:
    session_id = schedule_candidate(booth.db, "Kwame Mensah", position="Driver",
                                    accommodations=Accommodations(), by="IT")
    view = _view(qtbot, booth)
    page = _open_schedule(qtbot, view)
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    page.extra_time.setCurrentIndex(page.extra_time.findText("2x"))
    # Meanwhile, at the booth, the candidate finds their name and begins.
    give_consent(booth.db, "Kwame Mensah", session_id, language="en")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)

    assert page.form.isVisible()
    assert "begun it at a booth" in page.form_message.text()
    assert "Nothing was saved" in page.form_message.text()
    assert page.extra_time.currentText() == "2x"  # what was chosen is still there
    assert _cells(page) == []  # the list read again: they are no longer waiting
    assert [action for action, _who, _detail in _events(booth.db)] == [
        Action.SESSION_SCHEDULED]
    qtbot.mouseClick(page.discard_button, Qt.MouseButton.LeftButton)
    assert not page.form.isVisible()


def test_cancelling_one_who_started_meanwhile_is_refused_in_words(
        qtbot: QtBot, booth: Booth) -> None:
    session_id = schedule_candidate(booth.db, "Ana Müller", position=None,
                                    accommodations=Accommodations(), by="IT")
    view = _view(qtbot, booth)
    page = _open_schedule(qtbot, view)
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    give_consent(booth.db, "Ana Müller", session_id, language="en")
    start_session(booth.db, session_id)
    qtbot.mouseClick(page.confirm_yes, Qt.MouseButton.LeftButton)

    assert page.notice.isVisible() and page.notice.property("problem") is True
    assert "Nothing was cancelled" in page.notice.text()
    assert _cells(page) == []
    assert Action.SCHEDULE_CANCELLED not in [a for a, _w, _d in _events(booth.db)]


def test_the_details_say_which_accommodations_and_language_the_candidate_had(
        qtbot: QtBot, booth: Booth) -> None:
    given = Accommodations(extra_time=2.0, extra_retakes=1, read_aloud=True)
    helped = schedule_candidate(booth.db, "Lucía Pérez", position="Cashier",
                                accommodations=given, by="IT")
    give_consent(booth.db, "Lucía Pérez", helped, language="es")
    start_session(booth.db, helped)
    plain = schedule_candidate(booth.db, "Ana Müller", position=None,
                               accommodations=Accommodations(), by="IT")
    view = _view(qtbot, booth)

    view.open_session(helped)
    label = view.details.fairness_label
    assert label.isVisible()
    assert label.text() == ("Accommodations: 2x time, 1 extra retake, questions read aloud"
                            "  \u00b7  Language: Español")
    view.show_list()
    view.open_session(plain)
    assert label.text() == "Accommodations: None  \u00b7  Language: not chosen yet"
