"""Real hands on the candidate's screens, in the real window.

A tap is what a touch screen sends (a finger down, then up, each with its own time) and a
double tap is two of them 80 ms apart; a key is what a keyboard sends to the window, with its
time. Each step is taken twice as fast as a hand does it, and the screen that shows afterwards
is the one the first tap or key leads to: nothing is skipped. Long names are typed at both
booth sizes, and the window keeps the size it was given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QPointingDevice
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk.capture.devices import open_sources
from kiosk.capture.synthetic import SyntheticOptions
from kiosk.config import Settings
from kiosk.interview import flow
from kiosk.interview.flow import Devices, Screen
from kiosk.interview.question_sets import configured_question_set
from kiosk.store.database import Database, open_configured
from kiosk.store.models import InterviewSession, SessionStatus
from kiosk.store.sessions import create_session
from kiosk.ui.app import build_window
from kiosk.ui.candidate.kiosk import CandidateKiosk
from kiosk.ui.main_window import MainWindow
from tests.recruiter import add_staff

QUESTIONS = """\
title = "Hands"
consent = "We record your answers."
prepare_seconds = 30
answer_seconds = 90

[practice]
text = "A practice question?"
prepare_seconds = 15
answer_seconds = 20

[[questions]]
text = "First question?"
retakes = 2

[[questions]]
text = "Second question?"
retakes = 0

[[questions]]
text = "Third question?"
retakes = 0
"""
SMALL = {"width": 320, "height": 180}
BOOTH_SIZES = ((1280, 800), (1920, 1080))
GAP_MS = 80  # between the two taps of a double tap, or two presses of a key
HOLD_MS = 20  # a finger's tap: down, and up again this much later
# Someone who looks at a new screen before touching it: longer than any settle time.
SETTLED_MS = 700
LONG_NAMES = {"e-mail": "alexandra.konstantinopoulou@gmail.com", "200 W": "W" * 200}


@pytest.fixture
def hands_settings(settings: Settings) -> Settings:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "hands.toml").write_text(QUESTIONS, encoding="utf-8")
    return dataclasses.replace(
        settings,
        recording=dataclasses.replace(settings.recording, **SMALL, disk_reserve_mb=0,
                                      longest_interview_minutes=1, mb_per_minute=1),
        interview=dataclasses.replace(settings.interview, question_set="hands.toml",
                                      thank_you_seconds=2),
    )


@pytest.fixture
def db(hands_settings: Settings) -> Iterator[Database]:
    database = open_configured(hands_settings)
    add_staff(database)  # a booth with staff: the window starts on the candidate's side
    yield database
    database.close()


def open_window(qtbot: QtBot, settings: Settings, db: Database,
                size: tuple[int, int] = BOOTH_SIZES[0]) -> MainWindow:
    """The kiosk's real window (as `kiosk --demo` makes it), at a booth screen's size."""
    window = build_window(settings, db, demo=True, locked=True)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return window


@pytest.fixture
def window(qtbot: QtBot, hands_settings: Settings, db: Database) -> Iterator[MainWindow]:
    made = open_window(qtbot, hands_settings, db)
    yield made
    made.unlock_and_close()


def kiosk_of(window: MainWindow) -> CandidateKiosk:
    assert isinstance(window.candidate, CandidateKiosk)
    return window.candidate


# -- hands ----------------------------------------------------------------------------

_touch_screen: list[QPointingDevice] = []


def touch_screen() -> QPointingDevice:
    if not _touch_screen:
        _touch_screen.append(QTest.createTouchDevice())
    return _touch_screen[0]


def spot(widget: QWidget) -> tuple[QWidget, QPoint]:
    """The window `widget` is in, and the middle of `widget` in it: where a finger goes."""
    assert widget.isVisible(), f"{widget!r} is not on screen"
    window = widget.window()
    return window, widget.mapTo(window, widget.rect().center())


def tap_at(qtbot: QtBot, window: QWidget, point: QPoint, *, times: int = 1) -> None:
    for n in range(times):
        if n:
            qtbot.wait(GAP_MS)
        QTest.touchEvent(window, touch_screen()).press(0, point, window).commit()
        qtbot.wait(HOLD_MS)
        QTest.touchEvent(window, touch_screen()).release(0, point, window).commit()


def tap(qtbot: QtBot, widget: QWidget, *, times: int = 1) -> None:
    """A finger on the middle of `widget`; `times=2` is a double tap on that one spot."""
    tap_at(qtbot, *spot(widget), times=times)


def press(qtbot: QtBot, window: QWidget, key: Qt.Key, *, times: int = 1) -> None:
    """A key as the keyboard sends it: to the window, which hands it to the focus."""
    handle = window.windowHandle()
    for n in range(times):
        if n:
            qtbot.wait(GAP_MS)
        QTest.keyClick(handle, key)


def settle(qtbot: QtBot) -> None:
    qtbot.wait(SETTLED_MS)


def showing(kiosk: CandidateKiosk, screen: Screen) -> Callable[[], bool]:
    return lambda: kiosk.flow.state.screen is screen


def wait_for_devices(qtbot: QtBot, kiosk: CandidateKiosk) -> None:
    qtbot.waitUntil(lambda: kiosk.flow.state.devices is Devices.READY, timeout=15_000)
    qtbot.waitUntil(lambda: kiosk.device_check.confirm.isEnabled())


def screen_texts(screen: QWidget) -> list[str]:
    return [label.text() for label in screen.findChildren(QLabel) if label.isVisible()]


# -- item 2: a tap or a key acts only on the screen it was meant for ------------------

def test_a_double_tap_acts_once_at_every_step(qtbot: QtBot, window: MainWindow) -> None:
    kiosk = kiosk_of(window)
    state = lambda: kiosk.flow.state  # noqa: E731
    tap(qtbot, kiosk.welcome)
    assert state().screen is Screen.IDENTIFY
    settle(qtbot)
    letter = spot(kiosk.identify.keyboard.keys["K"])  # where a letter is on the next screen
    tap(qtbot, kiosk.identify.back, times=2)  # Welcome, touched anywhere, does not start
    assert state().screen is Screen.WELCOME
    settle(qtbot)

    tap_at(qtbot, *letter, times=2)  # Welcome is touched "anywhere", here twice
    assert state().screen is Screen.IDENTIFY
    assert kiosk.identify.name.text() == ""  # the second tap typed no letter
    settle(qtbot)
    qtbot.keyClicks(kiosk.identify.name, "Ana Double")
    tap(qtbot, kiosk.identify.next, times=2)
    assert state().screen is Screen.CONSENT and not state().consented
    settle(qtbot)
    tap(qtbot, kiosk.consent.decline, times=2)
    assert state().screen is Screen.WELCOME
    settle(qtbot)
    tap(qtbot, kiosk.welcome)
    settle(qtbot)
    qtbot.keyClicks(kiosk.identify.name, "Ana Double")
    tap(qtbot, kiosk.identify.next)
    settle(qtbot)
    tap(qtbot, kiosk.consent.accept, times=2)
    assert state().screen is Screen.DEVICE_CHECK
    wait_for_devices(qtbot, kiosk)
    settle(qtbot)
    tap(qtbot, kiosk.device_check.confirm, times=2)
    assert state().screen is Screen.PRACTICE
    settle(qtbot)

    tap(qtbot, kiosk.practice.practice, times=2)
    assert state().screen is Screen.PREPARE and state().practice
    settle(qtbot)
    tap(qtbot, kiosk.question.start, times=2)
    assert state().screen is Screen.ANSWER
    settle(qtbot)
    assert state().screen is Screen.ANSWER  # the practice answer still runs
    tap(qtbot, kiosk.question.done, times=2)
    assert state().screen is Screen.PRACTICE and state().practice_done
    settle(qtbot)
    tap(qtbot, kiosk.practice.start, times=2)
    assert state().screen is Screen.PREPARE and not state().practice

    settle(qtbot)
    tap(qtbot, kiosk.question.start, times=2)  # the tester's "ended after 0.08 s"
    assert state().screen is Screen.ANSWER and state().recording
    settle(qtbot)
    assert state().screen is Screen.ANSWER and state().recording
    tap(qtbot, kiosk.question.done, times=2)
    assert state().screen is Screen.RETAKE  # the choice was not skipped
    settle(qtbot)
    tap(qtbot, kiosk.question.again, times=2)
    assert state().screen is Screen.PREPARE and state().question == 0
    settle(qtbot)
    tap(qtbot, kiosk.question.start, times=2)
    assert state().screen is Screen.ANSWER
    settle(qtbot)
    tap(qtbot, kiosk.question.done, times=2)
    assert state().screen is Screen.RETAKE
    settle(qtbot)
    tap(qtbot, kiosk.question.keep, times=2)
    assert state().screen is Screen.PREPARE and state().question == 1
    settle(qtbot)

    tap(qtbot, kiosk.question.start, times=2)
    settle(qtbot)
    # The second question has no retakes: Done goes straight to the third's preparation.
    tap(qtbot, kiosk.question.done, times=2)
    assert state().screen is Screen.PREPARE and state().question == 2
    assert not state().recording
    settle(qtbot)
    tap(qtbot, kiosk.question.start, times=2)
    settle(qtbot)
    tap(qtbot, kiosk.question.done, times=2)
    assert state().screen is Screen.THANK_YOU


def test_a_key_pressed_twice_acts_once_at_every_step(qtbot: QtBot, window: MainWindow) -> None:
    kiosk = kiosk_of(window)
    state = lambda: kiosk.flow.state  # noqa: E731
    enter, space = Qt.Key.Key_Return, Qt.Key.Key_Space
    press(qtbot, window, space, times=2)  # "Start" has the focus on Welcome
    assert state().screen is Screen.IDENTIFY
    assert kiosk.identify.name.text() == ""  # the second Space typed no space
    settle(qtbot)
    qtbot.keyClicks(kiosk.identify.name, "Ana Twice")
    press(qtbot, window, enter, times=2)  # the tester's double Enter after typing the name
    assert state().screen is Screen.CONSENT and not state().consented
    settle(qtbot)
    assert QApplication.focusWidget() is kiosk.consent.accept
    press(qtbot, window, enter, times=2)
    assert state().screen is Screen.DEVICE_CHECK
    wait_for_devices(qtbot, kiosk)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is kiosk.device_check.confirm)
    settle(qtbot)
    press(qtbot, window, space, times=2)
    assert state().screen is Screen.PRACTICE
    settle(qtbot)
    press(qtbot, window, enter, times=2)  # "Start the interview"
    assert state().screen is Screen.PREPARE and not state().practice
    settle(qtbot)

    press(qtbot, window, space, times=2)  # "Start answering now"
    assert state().screen is Screen.ANSWER and state().recording
    settle(qtbot)
    assert state().screen is Screen.ANSWER and state().recording
    press(qtbot, window, space, times=2)  # "Done": the tester's Space twice
    assert state().screen is Screen.RETAKE
    settle(qtbot)
    assert QApplication.focusWidget() is kiosk.question.keep
    press(qtbot, window, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is kiosk.question.again
    press(qtbot, window, space, times=2)
    assert state().screen is Screen.PREPARE and state().question == 0
    settle(qtbot)
    press(qtbot, window, enter, times=2)
    assert state().screen is Screen.ANSWER
    settle(qtbot)
    press(qtbot, window, enter, times=2)
    assert state().screen is Screen.RETAKE
    settle(qtbot)
    press(qtbot, window, enter, times=2)  # "Keep this answer"
    assert state().screen is Screen.PREPARE and state().question == 1
    settle(qtbot)
    press(qtbot, window, enter, times=2)
    assert state().screen is Screen.ANSWER
    settle(qtbot)
    press(qtbot, window, space, times=2)  # no retakes here: on to the third question
    assert state().screen is Screen.PREPARE and state().question == 2
    settle(qtbot)
    press(qtbot, window, space, times=2)
    settle(qtbot)
    press(qtbot, window, enter, times=2)
    assert state().screen is Screen.THANK_YOU


def test_a_press_takes_effect_when_it_is_let_go(qtbot: QtBot, window: MainWindow) -> None:
    kiosk = kiosk_of(window)
    handle = window.windowHandle()
    tap(qtbot, kiosk.welcome)
    settle(qtbot)
    qtbot.keyClicks(kiosk.identify.name, "Ana Held")
    QTest.keyPress(handle, Qt.Key.Key_Return)  # in the name field, held down
    qtbot.wait(300)
    assert kiosk.flow.state.screen is Screen.IDENTIFY
    QTest.keyRelease(handle, Qt.Key.Key_Return)
    assert kiosk.flow.state.screen is Screen.CONSENT
    settle(qtbot)
    target, point = spot(kiosk.consent.accept)
    QTest.touchEvent(target, touch_screen()).press(0, point, target).commit()
    qtbot.wait(300)
    assert kiosk.flow.state.screen is Screen.CONSENT  # a finger still down acts on nothing
    QTest.touchEvent(target, touch_screen()).release(0, point, target).commit()
    assert kiosk.flow.state.screen is Screen.DEVICE_CHECK
    wait_for_devices(qtbot, kiosk)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is kiosk.device_check.confirm)
    settle(qtbot)
    QTest.keyPress(handle, Qt.Key.Key_Return)  # on "I can see and hear myself"
    qtbot.wait(300)
    assert kiosk.flow.state.screen is Screen.DEVICE_CHECK
    QTest.keyRelease(handle, Qt.Key.Key_Return)
    assert kiosk.flow.state.screen is Screen.PRACTICE


def test_a_screen_that_appears_by_itself_ignores_a_touch_at_that_moment(
        qtbot: QtBot, hands_settings: Settings, db: Database) -> None:
    quick = hands_settings.data_dir / "hands.toml"
    quick.write_text(QUESTIONS.replace("prepare_seconds = 15", "prepare_seconds = 1"),
                     encoding="utf-8")
    window = open_window(qtbot, hands_settings, db)
    kiosk = kiosk_of(window)
    try:
        kiosk.flow.handle(flow.Begin())
        kiosk.flow.handle(flow.Identified("Ana Late"))
        kiosk.flow.handle(flow.AcceptConsent())
        wait_for_devices(qtbot, kiosk)
        kiosk.flow.handle(flow.DevicesConfirmed())
        kiosk.flow.handle(flow.ChoosePractice())
        # The practice answer starts by itself after 1 s, under a finger that meant to
        # touch "Start answering now" or was already on its way to the screen, and a Space
        # pressed for it as the countdown ended (the focus is on "Done" now).
        qtbot.waitUntil(showing(kiosk, Screen.ANSWER), timeout=3_000)
        assert QApplication.focusWidget() is kiosk.question.done
        press(qtbot, window, Qt.Key.Key_Space)
        tap(qtbot, kiosk.question.done)
        assert kiosk.flow.state.screen is Screen.ANSWER
        settle(qtbot)
        tap(qtbot, kiosk.question.done)
        assert kiosk.flow.state.screen is Screen.PRACTICE
    finally:
        window.unlock_and_close()


def test_adjacent_steps_put_different_actions_in_different_places(
        qtbot: QtBot, window: MainWindow, db: Database) -> None:
    """A tap that lands a moment late lands on nothing: each action's spot is free on the
    screen it leads to, at both booth sizes."""
    kiosk = kiosk_of(window)
    with db.session() as session, session.begin():
        create_session(session, "Kwame Mensah", position="Engineer")
    screens: dict[str, list[QRect]] = {}

    def spots(name: str, *buttons: QPushButton) -> None:
        for _ in range(3):
            QApplication.processEvents()
        screens[name] = [QRect(b.mapTo(window, QPoint(0, 0)), b.size())
                         for b in buttons if b.isVisible()]
        assert screens[name], name

    for width, height in BOOTH_SIZES:
        window.resize(width, height)
        kiosk.flow.handle(flow.Begin())
        identify = kiosk.identify
        assert identify.pick_buttons
        spots("identify", identify.next, *identify.pick_buttons)
        kiosk.flow.handle(flow.Identified("Ana Spots"))
        spots("consent", kiosk.consent.accept, kiosk.consent.decline)
        kiosk.flow.handle(flow.AcceptConsent())
        wait_for_devices(qtbot, kiosk)
        check = kiosk.device_check
        # (getattr: before the device check had a way back, this compared the rest.)
        spots("device-check", check.confirm, *filter(None, [getattr(check, "back", None)]))
        kiosk.flow.handle(flow.DevicesConfirmed())
        spots("practice", kiosk.practice.practice, kiosk.practice.start)
        kiosk.flow.handle(flow.SkipPractice())
        spots("prepare", kiosk.question.start)
        kiosk.flow.handle(flow.StartAnswering())
        spots("answer", kiosk.question.done)
        kiosk.flow.handle(flow.Done())
        question = kiosk.question
        spots("retake", *(b for b in question.findChildren(QPushButton)
                          if b not in (question.start, question.done)))
        for before, after in (("identify", "consent"), ("consent", "device-check"),
                              ("device-check", "practice"), ("device-check", "prepare"),
                              ("device-check", "retake"), ("practice", "prepare"),
                              ("prepare", "answer"), ("answer", "retake"),
                              ("answer", "prepare"), ("answer", "practice"),
                              ("retake", "prepare")):
            for one in screens[before]:
                for other in screens[after]:
                    assert not one.intersects(other), (width, before, after, one, other)
        for event in (flow.Keep(), flow.StartAnswering(), flow.Done(), flow.StartAnswering(),
                      flow.Done()):
            kiosk.flow.handle(event)
        assert kiosk.flow.state.screen is Screen.THANK_YOU
        qtbot.waitUntil(lambda: not kiosk.flow.state.saving, timeout=30_000)
        qtbot.waitUntil(showing(kiosk, Screen.WELCOME), timeout=5_000)


# -- item 1: text never sets a window's size ------------------------------------------

@pytest.mark.parametrize("size", BOOTH_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", LONG_NAMES.values(), ids=LONG_NAMES.keys())
def test_a_long_name_never_changes_the_window(
        qtbot: QtBot, hands_settings: Settings, db: Database, name: str,
        size: tuple[int, int]) -> None:
    idle = dataclasses.replace(hands_settings, interview=dataclasses.replace(
        hands_settings.interview, idle_seconds=3))
    with db.session() as session, session.begin():  # and on the list of today's candidates
        create_session(session, name, position=name)
    window = open_window(qtbot, idle, db, size)
    kiosk = kiosk_of(window)
    full = QRect(QPoint(0, 0), window.size())

    def check(where: str) -> None:
        for _ in range(3):
            QApplication.processEvents()
        assert (window.width(), window.height()) == size, where
        screen = kiosk.current_screen
        hint = screen.minimumSizeHint()
        assert hint.width() <= size[0] and hint.height() <= size[1], (where, hint)
        for button in screen.findChildren(QPushButton):
            if button.isVisible():
                placed = QRect(button.mapTo(window, QPoint(0, 0)), button.size())
                assert full.contains(placed), (where, button.text()[:40], placed)

    def to_consent() -> None:
        qtbot.keyClick(kiosk.welcome.start, Qt.Key.Key_Space)
        assert kiosk.flow.state.screen is Screen.IDENTIFY
        assert kiosk.identify.pick_buttons[0].isVisible()
        check("identify")
        qtbot.keyClicks(kiosk.identify.name, name)
        assert kiosk.identify.name.text() == name
        check("identify, typed")
        qtbot.keyClick(kiosk.identify.name, Qt.Key.Key_Return)
        assert kiosk.flow.state.screen is Screen.CONSENT
        check("consent")
        assert kiosk.consent.headline.text() == f"Before we start, {name}"

    try:
        check("welcome")
        centre = kiosk.welcome.start.mapTo(window, kiosk.welcome.start.rect().center())
        to_consent()
        qtbot.keyClick(kiosk.consent.accept, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
        assert QApplication.focusWidget() is kiosk.consent.decline
        qtbot.keyClick(kiosk.consent.decline, Qt.Key.Key_Return)
        assert kiosk.flow.state.screen is Screen.WELCOME
        check("welcome, declined")
        moved = kiosk.welcome.start.mapTo(window, kiosk.welcome.start.rect().center())
        assert moved == centre  # Welcome is where it was for the next candidate

        to_consent()
        qtbot.waitUntil(showing(kiosk, Screen.WELCOME), timeout=10_000)  # walked away
        check("welcome, after the idle return")

        to_consent()
        kiosk.flow.handle(flow.AcceptConsent())
        check("device check")
        wait_for_devices(qtbot, kiosk)
        check("device check, ready")
        for event, where in ((flow.DevicesConfirmed(), "practice"),
                             (flow.SkipPractice(), "prepare"),
                             (flow.StartAnswering(), "answer"), (flow.Done(), "retake"),
                             (flow.Keep(), "second question"),
                             (flow.StartAnswering(), "answer 2"), (flow.Done(), "third"),
                             (flow.StartAnswering(), "answer 3"),
                             (flow.Done(), "thank you")):
            kiosk.flow.handle(event)
            check(where)
        assert kiosk.flow.state.screen is Screen.THANK_YOU
        qtbot.waitUntil(lambda: not kiosk.flow.state.saving, timeout=30_000)
        check("thank you, saved")
        qtbot.waitUntil(showing(kiosk, Screen.WELCOME), timeout=5_000)
        check("welcome, next candidate")
        assert kiosk.welcome.start.mapTo(window, kiosk.welcome.start.rect().center()) == centre
    finally:
        window.unlock_and_close()


def test_long_texts_wrap_inside_a_word_and_names_stop_with_an_ellipsis(
        qtbot: QtBot, window: MainWindow) -> None:
    kiosk = kiosk_of(window)
    kiosk.flow.handle(flow.Begin())
    kiosk.flow.handle(flow.Identified(LONG_NAMES["200 W"]))
    headline = kiosk.consent.headline
    for _ in range(3):
        QApplication.processEvents()
    assert window.width() == BOOTH_SIZES[0][0]
    assert headline.width() <= BOOTH_SIZES[0][0]
    # At most two lines of it, not the whole screen: the buttons stay where they belong.
    assert headline.height() <= 2 * headline.fontMetrics().lineSpacing() + 8
    question = kiosk.question
    kiosk.flow.handle(flow.Back())
    kiosk.flow.handle(flow.Back())
    assert kiosk.flow.state.screen is Screen.WELCOME
    # A long word in text from the question set (a web address, say) wraps inside itself.
    question.question.setText("Read " + "https://example.com/" + "a" * 300 + " aloud.")
    assert question.minimumSizeHint().width() <= BOOTH_SIZES[0][0]
    assert question.question.heightForWidth(600) > 3 * question.question.fontMetrics().height()


# -- item 3: what a candidate needs ---------------------------------------------------

def test_the_prepare_screen_says_how_long_the_answer_may_be_and_the_tries_left(
        qtbot: QtBot, window: MainWindow) -> None:
    kiosk = kiosk_of(window)
    for event in (flow.Begin(), flow.Identified("Ana Told"), flow.AcceptConsent()):
        kiosk.flow.handle(event)
    wait_for_devices(qtbot, kiosk)
    kiosk.flow.handle(flow.DevicesConfirmed())
    kiosk.flow.handle(flow.ChoosePractice())
    texts = " | ".join(screen_texts(kiosk.question))
    assert "Your practice answer starts in 0:15" in texts, texts
    assert "You will have 0:20 to answer" in texts, texts
    assert "ecord" not in texts.replace("not recorded", ""), texts  # nothing of recording
    kiosk.flow.handle(flow.StartAnswering())
    kiosk.flow.handle(flow.Done())
    kiosk.flow.handle(flow.SkipPractice())
    texts = " | ".join(screen_texts(kiosk.question))
    assert "You will have 1:30 to answer · 3 tries left" in texts, texts
    kiosk.flow.handle(flow.StartAnswering())
    kiosk.flow.handle(flow.Done())
    kiosk.flow.handle(flow.TryAgain())
    texts = " | ".join(screen_texts(kiosk.question))
    assert "You will have 1:30 to answer · 2 tries left" in texts, texts
    kiosk.flow.handle(flow.StartAnswering())
    kiosk.flow.handle(flow.Done())
    kiosk.flow.handle(flow.TryAgain())
    texts = " | ".join(screen_texts(kiosk.question))
    assert "You will have 1:30 to answer · 1 try left" in texts, texts


REQUIRED_ACCENTS = "áéíóúñüçàèöäß'-"


def test_jose_and_mcdonald_by_touch_alone_and_the_keyboard_still_types(
        qtbot: QtBot, window: MainWindow) -> None:
    kiosk = kiosk_of(window)
    tap(qtbot, kiosk.welcome)
    settle(qtbot)
    screen = kiosk.identify
    keys = screen.keyboard.keys
    for key in ("J", "O", "S"):
        tap(qtbot, keys[key])
    tap(qtbot, keys["àé"])  # the accents and symbols
    for ch in REQUIRED_ACCENTS:
        assert keys[ch].isVisible(), ch
    tap(qtbot, keys["é"])
    assert screen.name.text() == "José"
    tap(qtbot, keys["ABC"])
    assert keys["A"].isVisible() and not keys["é"].isVisible()
    tap(qtbot, keys["Space"])
    for key in ("M", "C"):
        tap(qtbot, keys[key])
    tap(qtbot, keys["⇧"])  # the next letter a capital, where it would not be one
    tap(qtbot, keys["D"])
    tap(qtbot, keys["O"])
    assert screen.name.text() == "José McDo"
    tap(qtbot, keys["àé"])
    tap(qtbot, keys["'"])
    tap(qtbot, keys["⇧"])
    tap(qtbot, keys["ö"])
    assert screen.name.text() == "José McDo'Ö"
    # The keys never took the focus: the keyboard types into the name as before.
    assert QApplication.focusWidget() is screen.name
    press(qtbot, window, Qt.Key.Key_Backspace)
    assert screen.name.text() == "José McDo'"


def test_no_menu_opens_on_the_name_field(qtbot: QtBot, window: MainWindow) -> None:
    kiosk = kiosk_of(window)
    tap(qtbot, kiosk.welcome)
    settle(qtbot)
    name = kiosk.identify.name
    qtbot.keyClicks(name, "Ana")
    target, point = spot(name)
    for action in (QTest.mousePress, QTest.mouseRelease):  # a mouse's right button
        action(target.windowHandle(), Qt.MouseButton.RightButton,
               Qt.KeyboardModifier.NoModifier, point)
    qtbot.wait(100)
    popup = QApplication.activePopupWidget()
    if popup is not None:
        popup.close()
    assert popup is None, "a Cut/Copy/Paste menu opened"
    press(qtbot, window, Qt.Key.Key_Menu)
    qtbot.wait(100)
    popup = QApplication.activePopupWidget()
    if popup is not None:
        popup.close()
    assert popup is None
    assert name.text() == "Ana"


@pytest.mark.parametrize("scheduled", [False, True], ids=["walk-in", "scheduled"])
def test_with_no_camera_the_device_check_goes_back_to_welcome_and_leaves_nothing(
        qtbot: QtBot, hands_settings: Settings, db: Database, tmp_path: Path,
        scheduled: bool) -> None:
    missing = dataclasses.replace(hands_settings.recording, microphone="synthetic",
                                  camera=str(tmp_path / "no-such-camera.mp4"))
    kiosk = CandidateKiosk(hands_settings, db, configured_question_set(hands_settings),
                           lambda: open_sources(missing, demo_options=SyntheticOptions(**SMALL)))
    qtbot.addWidget(kiosk)
    kiosk.resize(*BOOTH_SIZES[0])
    kiosk.show()
    qtbot.waitExposed(kiosk)
    try:
        session_id = None
        if scheduled:
            with db.session() as session, session.begin():
                session_id = create_session(session, "Kwame Mensah").id
        kiosk.flow.handle(flow.Begin())
        kiosk.flow.handle(flow.Identified("Kwame Mensah" if scheduled else "Walk In",
                                          session_id))
        kiosk.flow.handle(flow.AcceptConsent())
        qtbot.waitUntil(lambda: kiosk.flow.state.devices is Devices.MISSING, timeout=15_000)
        back = kiosk.device_check.back
        assert back.isVisible() and back.isEnabled()
        settle(qtbot)
        tap(qtbot, back, times=2)  # Welcome does not start again
        assert kiosk.flow.state.screen is Screen.WELCOME
        kiosk.booth.wait_idle(10)
        assert kiosk.booth.sources is None  # the camera and microphone are let go
        with db.session() as session:
            rows = session.query(InterviewSession).all()
            if scheduled:
                [row] = rows
                assert row.status is SessionStatus.SCHEDULED and row.consent_at is None
            else:
                assert rows == []
    finally:
        kiosk.shutdown()
