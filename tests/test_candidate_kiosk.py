"""The candidate's kiosk end to end: real screens, the real flow and booth, synthetic devices.

Each walk ends in the database and the merged file: a session row with its consent time and
an interview.mp4 with one chapter per question that QMediaPlayer plays to the end.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from kiosk.capture.devices import open_sources
from kiosk.capture.live import LiveSources
from kiosk.capture.synthetic import SyntheticOptions
from kiosk.config import Settings, load_settings
from kiosk.interview.flow import Devices, Screen
from kiosk.interview.question_sets import configured_question_set
from kiosk.media.probe import probe
from kiosk.store.database import Database, open_configured
from kiosk.store.files import RECORDING_FILE_NAME
from kiosk.store.models import InterviewSession, SessionStatus
from kiosk.store.sessions import create_session
from kiosk.ui.candidate.kiosk import CandidateKiosk
from kiosk.ui.playback import play_to_end

QUESTIONS = """\
title = "Test interview"
consent = "We record your answers."
prepare_seconds = 30
answer_seconds = 30

[practice]
text = "A practice question?"

[[questions]]
text = "First question?"
retakes = 1

[[questions]]
text = "Second question?"
retakes = 0
"""
SMALL = {"width": 320, "height": 180}


@pytest.fixture
def booth_settings(settings: Settings) -> Settings:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "test.toml").write_text(QUESTIONS, encoding="utf-8")
    return dataclasses.replace(
        settings,
        recording=dataclasses.replace(settings.recording, **SMALL, camera="synthetic",
                                      microphone="synthetic", disk_reserve_mb=0,
                                      longest_interview_minutes=1, mb_per_minute=1),
        interview=dataclasses.replace(settings.interview, question_set="test.toml",
                                      thank_you_seconds=2),
    )


@pytest.fixture
def db(booth_settings: Settings) -> Iterator[Database]:
    database = open_configured(booth_settings)
    yield database
    database.close()


def demo_opener(settings: Settings, **options: object) -> Callable[[], LiveSources]:
    synthetic = SyntheticOptions(**SMALL, fps=settings.recording.fps, **options)
    return lambda: open_sources(settings.recording, demo=True, demo_options=synthetic)


def make_kiosk(qtbot: QtBot, settings: Settings, db: Database,
               opener: Callable[[], LiveSources] | None = None) -> CandidateKiosk:
    kiosk = CandidateKiosk(settings, db, configured_question_set(settings),
                           opener or demo_opener(settings))
    qtbot.addWidget(kiosk)
    kiosk.resize(1280, 800)
    kiosk.show()
    qtbot.waitExposed(kiosk)
    kiosk.activateWindow()
    return kiosk


@pytest.fixture
def kiosk(qtbot: QtBot, booth_settings: Settings, db: Database) -> Iterator[CandidateKiosk]:
    made = make_kiosk(qtbot, booth_settings, db)
    yield made
    made.shutdown()


def on(kiosk: CandidateKiosk, screen: Screen) -> Callable[[], bool]:
    return lambda: kiosk.flow.state.screen is screen


def key(qtbot: QtBot, which: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
        ) -> None:
    """A key press where a person's key would go: the widget that has the focus."""
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    qtbot.keyClick(target, which, modifier)


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type like a keyboard; QTest's own typing only knows ASCII."""
    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
        else:
            QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch,
                               Qt.KeyboardModifier.NoModifier)


def click(qtbot: QtBot, widget: QWidget) -> None:
    assert widget.isVisible() and widget.isEnabled(), f"{widget.objectName()} cannot be touched"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def speak_for(qtbot: QtBot, seconds: float) -> None:
    qtbot.wait(round(seconds * 1000))


def reach_the_device_check(qtbot: QtBot, kiosk: CandidateKiosk, name: str) -> None:
    """By touch, from Welcome to the device check with the devices ready."""
    qtbot.mouseClick(kiosk.welcome, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(kiosk.identify.name, name)
    click(qtbot, kiosk.identify.next)
    click(qtbot, kiosk.consent.accept)
    qtbot.waitUntil(lambda: kiosk.device_check.confirm.isEnabled(), timeout=15_000)


def start_first_answer(qtbot: QtBot, kiosk: CandidateKiosk, name: str) -> None:
    """By touch, from Welcome to the first question's answer (no practice)."""
    reach_the_device_check(qtbot, kiosk, name)
    click(qtbot, kiosk.device_check.confirm)
    click(qtbot, kiosk.practice.start)
    click(qtbot, kiosk.question.start)


def saved_session(db: Database, session_id: str | None = None) -> InterviewSession:
    with db.session() as session:
        rows = session.query(InterviewSession).all()
        row = next(r for r in rows if session_id is None or r.id == session_id)
        row.markers  # noqa: B018 (loads the markers before the session closes)
        return row


def chapters_of(settings: Settings, row: InterviewSession) -> list[tuple[float, float, str]]:
    movie = settings.recordings_dir / row.id / RECORDING_FILE_NAME
    return probe(movie).chapters


def test_the_whole_interview_by_keyboard_alone_with_a_retake(
        qtbot: QtBot, kiosk: CandidateKiosk, booth_settings: Settings, db: Database) -> None:
    key(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(on(kiosk, Screen.IDENTIFY))
    assert QApplication.focusWidget() is kiosk.identify.name
    type_text(qtbot, kiosk.identify.name, "Ana Müller")
    assert kiosk.identify.name.text() == "Ana Müller", kiosk.identify.problem.text()
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(on(kiosk, Screen.CONSENT))
    assert QApplication.focusWidget() is kiosk.consent.accept
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: kiosk.flow.state.devices is Devices.READY, timeout=15_000)
    qtbot.waitUntil(lambda: kiosk.device_check.preview.frames_shown > 0)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is kiosk.device_check.confirm)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(on(kiosk, Screen.PRACTICE))
    key(qtbot, Qt.Key.Key_Enter)  # "Start the interview" has the focus: no practice
    qtbot.waitUntil(on(kiosk, Screen.PREPARE))
    assert kiosk.question.progress.text() == "Question 1 of 2"

    key(qtbot, Qt.Key.Key_Return)  # start answering now
    qtbot.waitUntil(on(kiosk, Screen.ANSWER))
    speak_for(qtbot, 1.0)
    key(qtbot, Qt.Key.Key_Return)  # done
    qtbot.waitUntil(on(kiosk, Screen.RETAKE))
    assert kiosk.question.again.text() == "Try again (1 left)"
    key(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is kiosk.question.again
    key(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(on(kiosk, Screen.PREPARE))
    key(qtbot, Qt.Key.Key_Return)
    speak_for(qtbot, 3.0)  # the retake is three times as long as the first take
    key(qtbot, Qt.Key.Key_Return)
    # Two tries of two: on to the second question without asking.
    qtbot.waitUntil(lambda: kiosk.flow.state.screen is Screen.PREPARE
                    and kiosk.flow.state.question == 1)
    key(qtbot, Qt.Key.Key_Return)
    speak_for(qtbot, 1.5)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(on(kiosk, Screen.THANK_YOU))
    qtbot.waitUntil(lambda: not kiosk.flow.state.saving, timeout=30_000)
    assert "Ana Müller" in kiosk.thank_you.headline.text()
    qtbot.waitUntil(on(kiosk, Screen.WELCOME), timeout=5_000)

    row = saved_session(db)
    assert row.candidate_name == "Ana Müller"
    assert row.status is SessionStatus.COMPLETED and row.consent_at is not None
    assert row.consent_at <= row.started_at
    chapters = chapters_of(booth_settings, row)
    assert [title for _, _, title in chapters] == ["First question?", "Second question?"]
    first_start, first_end, _ = chapters[0]
    # The kept take is the retake (about 3 s), not the first try (about 1 s).
    assert 2.5 <= first_end - first_start <= 4.5, chapters
    report = play_to_end(booth_settings.recordings_dir / row.id / RECORDING_FILE_NAME)
    assert report.reached_end, report


def test_the_whole_interview_by_touch_alone_with_practice(
        qtbot: QtBot, kiosk: CandidateKiosk, booth_settings: Settings, db: Database) -> None:
    with db.session() as session, session.begin():
        scheduled = create_session(session, "Kwame Mensah", position="Engineer").id
    qtbot.mouseClick(kiosk.welcome, Qt.MouseButton.LeftButton, pos=QPoint(900, 650))
    qtbot.waitUntil(on(kiosk, Screen.IDENTIFY))
    [pick] = kiosk.identify.pick_buttons
    assert "Kwame Mensah" in pick.text()
    click(qtbot, pick)
    qtbot.waitUntil(on(kiosk, Screen.CONSENT))
    click(qtbot, kiosk.consent.accept)
    qtbot.waitUntil(lambda: kiosk.device_check.confirm.isEnabled(), timeout=15_000)
    click(qtbot, kiosk.device_check.confirm)
    qtbot.waitUntil(on(kiosk, Screen.PRACTICE))
    click(qtbot, kiosk.practice.practice)
    qtbot.waitUntil(on(kiosk, Screen.PREPARE))
    assert kiosk.question.progress.text() == "Practice question: not recorded"
    click(qtbot, kiosk.question.start)
    speak_for(qtbot, 0.5)
    click(qtbot, kiosk.question.done)
    qtbot.waitUntil(lambda: kiosk.flow.state.practice_done)
    assert kiosk.practice.practice.text() == "Practise again"
    click(qtbot, kiosk.practice.start)
    for question in range(2):
        qtbot.waitUntil(lambda q=question: kiosk.flow.state.screen is Screen.PREPARE
                        and kiosk.flow.state.question == q)
        click(qtbot, kiosk.question.start)
        speak_for(qtbot, 1.0)
        click(qtbot, kiosk.question.done)
        if question == 0:
            qtbot.waitUntil(on(kiosk, Screen.RETAKE))
            click(qtbot, kiosk.question.keep)
    qtbot.waitUntil(lambda: kiosk.flow.state.screen is Screen.THANK_YOU
                    and not kiosk.flow.state.saving, timeout=30_000)

    row = saved_session(db, scheduled)
    assert (row.candidate_name, row.position) == ("Kwame Mensah", "Engineer")
    assert row.status is SessionStatus.COMPLETED and row.consent_at is not None
    assert len(row.markers) == 2  # the practice answer was never recorded
    chapters = chapters_of(booth_settings, row)
    assert [title for _, _, title in chapters] == ["First question?", "Second question?"]
    assert play_to_end(booth_settings.recordings_dir / row.id / RECORDING_FILE_NAME).reached_end


def test_a_name_typed_on_the_screen_keyboard(qtbot: QtBot, kiosk: CandidateKiosk) -> None:
    qtbot.mouseClick(kiosk.welcome, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(on(kiosk, Screen.IDENTIFY))
    keys = kiosk.identify.keyboard.keys
    click(qtbot, kiosk.identify.next)  # nothing typed yet
    assert kiosk.identify.problem.isVisible()
    assert kiosk.identify.problem.text() == "Please enter a name."
    for label in ("A", "N", "A", "-", "M", "A", "Space", "L", "I", "X", "⌫"):
        click(qtbot, keys[label])
    assert kiosk.identify.name.text() == "Ana-Ma Li"
    assert not kiosk.identify.problem.isVisible()
    click(qtbot, kiosk.identify.next)
    qtbot.waitUntil(on(kiosk, Screen.CONSENT))
    assert kiosk.flow.state.candidate == "Ana-Ma Li"


def test_declining_consent_records_nothing(
        qtbot: QtBot, kiosk: CandidateKiosk, booth_settings: Settings, db: Database) -> None:
    qtbot.mouseClick(kiosk.welcome, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(on(kiosk, Screen.IDENTIFY))
    qtbot.keyClicks(kiosk.identify.name, "Walk In")
    click(qtbot, kiosk.identify.next)
    qtbot.waitUntil(on(kiosk, Screen.CONSENT))
    click(qtbot, kiosk.consent.decline)
    qtbot.waitUntil(on(kiosk, Screen.WELCOME))
    kiosk.booth.wait_idle(10)
    with db.session() as session:
        assert session.query(InterviewSession).count() == 0
    assert list(booth_settings.recordings_dir.iterdir()) == []
    assert kiosk.booth.sources is None  # the camera was never switched on


def test_idle_mid_answer_keeps_the_answer_and_returns_to_welcome(
        qtbot: QtBot, booth_settings: Settings, db: Database) -> None:
    quick = dataclasses.replace(booth_settings, interview=dataclasses.replace(
        booth_settings.interview, idle_seconds=3))
    # A quiet room: no voice keeps the candidate "present" while the answer runs.
    kiosk = make_kiosk(qtbot, quick, db, demo_opener(quick, beeps=False))
    try:
        start_first_answer(qtbot, kiosk, "Gone Away")
        started = time.monotonic()
        qtbot.waitUntil(on(kiosk, Screen.WELCOME), timeout=10_000)
        assert time.monotonic() - started >= 2.5  # the idle time, not the 30 s answer limit
        assert kiosk.flow.state.candidate == ""  # nothing of the candidate stays on screen
        qtbot.waitUntil(lambda: not kiosk.flow.state.saving, timeout=30_000)
    finally:
        kiosk.shutdown()
    row = saved_session(db)
    assert row.status is SessionStatus.COMPLETED
    [(start, end, title)] = chapters_of(quick, row)
    assert title == "First question?" and end - start >= 2.0


def test_a_missing_camera_shows_a_message_and_retry_finds_it(
        qtbot: QtBot, booth_settings: Settings, db: Database, tmp_path: Path) -> None:
    camera = {"spec": str(tmp_path / "no-such-camera.mp4")}
    opener = lambda: open_sources(  # noqa: E731
        dataclasses.replace(booth_settings.recording, camera=camera["spec"]),
        demo_options=SyntheticOptions(**SMALL))
    kiosk = make_kiosk(qtbot, booth_settings, db, opener)
    try:
        qtbot.mouseClick(kiosk.welcome, Qt.MouseButton.LeftButton)
        qtbot.keyClicks(kiosk.identify.name, "Ana")
        click(qtbot, kiosk.identify.next)
        click(qtbot, kiosk.consent.accept)
        qtbot.waitUntil(lambda: kiosk.flow.state.devices is Devices.MISSING, timeout=15_000)
        screen = kiosk.device_check
        assert screen.problem.isVisible() and screen.retry.isVisible()
        assert screen.problem.text().startswith("We cannot switch on the camera.")
        assert "no-such-camera" not in screen.problem.text()  # the path is for IT, not here
        assert not screen.confirm.isEnabled()
        assert QApplication.focusWidget() is screen.retry

        camera["spec"] = "synthetic"  # plugged in
        click(qtbot, screen.retry)
        qtbot.waitUntil(lambda: screen.confirm.isEnabled(), timeout=15_000)
        assert not screen.problem.isVisible() and not screen.retry.isVisible()
        qtbot.waitUntil(lambda: screen.preview.frames_shown > 0)
    finally:
        kiosk.shutdown()


def test_a_camera_unplugged_mid_answer_is_retried_and_the_interview_goes_on(
        qtbot: QtBot, booth_settings: Settings, db: Database) -> None:
    plugged = {"first": True}

    def opener() -> LiveSources:
        # The first camera is pulled out 5 s after it was switched on; the second stays.
        gone = {"camera_gone_at_s": 5.0} if plugged.pop("first", False) else {}
        return demo_opener(booth_settings, **gone)()

    kiosk = make_kiosk(qtbot, booth_settings, db, opener)
    try:
        start_first_answer(qtbot, kiosk, "Unplugged")
        qtbot.waitUntil(on(kiosk, Screen.ANSWER))
        qtbot.waitUntil(on(kiosk, Screen.DEVICE_CHECK), timeout=15_000)
        screen = kiosk.device_check
        assert screen.problem.isVisible() and screen.retry.isVisible()
        assert "camera stopped while you were answering" in screen.problem.text()
        assert "Nothing you have answered is lost" in screen.lead.text()
        assert "go back to question 1 of 2" in screen.lead.text()
        assert not screen.confirm.isEnabled()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.retry)

        key(qtbot, Qt.Key.Key_Return)  # Retry, with the camera plugged in again
        qtbot.waitUntil(lambda: screen.confirm.isEnabled(), timeout=15_000)
        qtbot.waitUntil(lambda: screen.preview.frames_shown > 0)
        click(qtbot, screen.confirm)
        qtbot.waitUntil(on(kiosk, Screen.PREPARE))
        assert kiosk.question.progress.text() == "Question 1 of 2"
        click(qtbot, kiosk.question.start)
        speak_for(qtbot, 1.0)
        click(qtbot, kiosk.question.done)
        qtbot.waitUntil(on(kiosk, Screen.RETAKE))
        assert kiosk.question.again.text() == "Try again (1 left)"  # the cut take is free
        click(qtbot, kiosk.question.keep)
        qtbot.waitUntil(lambda: kiosk.flow.state.question == 1)
        click(qtbot, kiosk.question.start)
        speak_for(qtbot, 1.0)
        click(qtbot, kiosk.question.done)
        qtbot.waitUntil(lambda: kiosk.flow.state.screen is Screen.THANK_YOU
                        and not kiosk.flow.state.saving, timeout=30_000)
        assert kiosk.thank_you.problem.text() == ""
    finally:
        kiosk.shutdown()
    row = saved_session(db)
    assert row.status is SessionStatus.COMPLETED
    chapters = chapters_of(booth_settings, row)
    assert [title for _, _, title in chapters] == ["First question?", "Second question?"]
    first_start, first_end, _ = chapters[0]
    assert first_end - first_start < 2.5, chapters  # the new take, not the 3-4 s cut one
    assert play_to_end(booth_settings.recordings_dir / row.id / RECORDING_FILE_NAME).reached_end


def test_the_preview_is_mirrored_and_the_recording_is_not(
        qtbot: QtBot, kiosk: CandidateKiosk) -> None:
    qtbot.mouseClick(kiosk.welcome, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(kiosk.identify.name, "Ana")
    click(qtbot, kiosk.identify.next)
    click(qtbot, kiosk.consent.accept)
    qtbot.waitUntil(lambda: kiosk.device_check.preview.frames_shown > 2, timeout=15_000)
    preview = kiosk.device_check.preview
    frame, image = preview.shown_frame, preview.shown_image
    assert frame is not None and image is not None
    # The synthetic pattern brightens from left to right; a mirror shows it the other way round.
    source = frame.image[: frame.image.shape[0] // 4]
    quarter = source.shape[1] // 4
    assert source[:, -quarter:].mean() > source[:, :quarter].mean() + 10
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    shown = np.frombuffer(rgb.constBits(), np.uint8).reshape(
        rgb.height(), rgb.bytesPerLine())[: rgb.height() // 4, : rgb.width() * 3]
    third = shown.shape[1] // 4
    assert shown[:, :third].mean() > shown[:, -third:].mean() + 10


def test_a_kiosk_killed_mid_answer_restarts_into_welcome_with_the_answer_recovered(
        data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "kiosk.toml").write_text(
        '[recording]\nwidth = 320\nheight = 180\ndisk_reserve_mb = 0\n'
        'longest_interview_minutes = 1\nmb_per_minute = 1\n', encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    crashed = subprocess.run([sys.executable, "-m", "tests.crash_mid_answer", "4"], env=env,
                             capture_output=True, text=True, timeout=120)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr

    restarted = subprocess.Popen([sys.executable, "-m", "kiosk", "--demo"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    db = open_configured(load_settings())
    try:
        deadline = time.monotonic() + 60
        while saved_session(db).status is not SessionStatus.RECOVERED:
            assert restarted.poll() is None, restarted.communicate()[1]
            assert time.monotonic() < deadline, "the restarted kiosk did not recover the answer"
            time.sleep(0.2)
        time.sleep(1.0)
        assert restarted.poll() is None  # recovery done, the kiosk runs on (at Welcome)
        row = saved_session(db)
        assert row.candidate_name == "Crash Test"
        [(start, end, title)] = probe(data_dir / "recordings" / row.id
                                      / RECORDING_FILE_NAME).chapters
        # All but the last couple of seconds of the four spoken before the kill.
        assert title.startswith("Tell us about yourself") and end - start >= 2.0
    finally:
        restarted.terminate()
        restarted.wait(timeout=30)
        db.close()
