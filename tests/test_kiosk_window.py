"""The locked kiosk window, the staff gesture, a broken question set, one kiosk per data folder,
and the screenshots of every candidate screen."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from kiosk.config import Settings
from kiosk.store.database import open_configured
from kiosk.store.locks import is_locked
from kiosk.ui.app import build_window
from kiosk.ui.candidate.kiosk import CandidateKiosk
from kiosk.ui.candidate.screens import OutOfServiceScreen
from kiosk.ui.main_window import MainWindow
from kiosk.ui.recruiter.admin_setup import AdminSetup
from kiosk.ui.recruiter.pin_prompt import PinPrompt
from kiosk.ui.recruiter.recruiter_view import RecruiterView
from kiosk.ui.tooling.screenshots import (
    CANDIDATE_SCREENS,
    RECRUITER_SCREENS,
    SIZES,
    write_screenshots,
)
from tests.recruiter import ADMIN_PIN, RECRUITER_PIN, add_staff


@pytest.fixture
def window(qtbot: QtBot, settings: Settings):
    db = open_configured(settings)
    add_staff(db)
    made = build_window(settings, db, demo=True, locked=True)
    qtbot.addWidget(made)
    made.resize(1280, 800)
    made.show()
    qtbot.waitExposed(made)
    yield made
    made.unlock_and_close()
    db.close()


def test_close_events_and_escape_are_ignored_in_candidate_mode(
        qtbot: QtBot, window: MainWindow) -> None:
    assert window.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert not window.close()  # what Alt+F4 and the window manager's close button ask
    assert window.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.keyClick(window, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    assert window.isVisible()
    window.unlock_and_close()
    assert not window.isVisible()


def test_five_taps_in_the_corner_or_the_key_chord_ask_for_staff(
        qtbot: QtBot, window: MainWindow) -> None:
    asked: list[bool] = []
    window.staff_requested.connect(lambda: asked.append(True))
    target = window.candidate
    assert isinstance(target, CandidateKiosk)
    for _ in range(4):
        qtbot.mouseClick(target.welcome, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert asked == []
    qtbot.mouseClick(target.welcome, Qt.MouseButton.LeftButton, pos=QPoint(640, 400))
    qtbot.mouseClick(target.welcome, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert asked == []  # a tap elsewhere starts the count again
    for _ in range(5):
        qtbot.mouseClick(target.welcome, Qt.MouseButton.LeftButton, pos=QPoint(30, 40))
    assert asked == [True]
    assert isinstance(window.staff, PinPrompt) and window.pages.currentWidget() is window.staff
    qtbot.mouseClick(window.staff.back_button, Qt.MouseButton.LeftButton)
    assert window.staff is None and window.pages.currentWidget() is target
    qtbot.keyClick(target.welcome, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier)
    assert asked == [True, True]
    assert isinstance(window.staff, PinPrompt)


def test_a_recruiter_signs_in_reviews_and_locks_back_to_the_kiosk(
        qtbot: QtBot, window: MainWindow) -> None:
    window.open_staff_side()
    prompt = window.staff
    assert isinstance(prompt, PinPrompt)
    prompt.operators.setCurrentRow(
        [prompt.operators.item(n).text() for n in range(prompt.operators.count())].index(
            "Rita Recruiter"))
    qtbot.keyClicks(prompt.pin, RECRUITER_PIN)
    qtbot.keyClick(prompt.pin, Qt.Key.Key_Return)
    view = window.staff
    assert isinstance(view, RecruiterView) and view.operator.name == "Rita Recruiter"
    assert window.pages.currentWidget() is view
    assert window.isVisible() and not window.close()  # still locked while staff review
    qtbot.mouseClick(view.lock_button, Qt.MouseButton.LeftButton)
    assert window.staff is None and window.pages.currentWidget() is window.candidate


def test_in_demo_mode_the_booth_page_checks_the_synthetic_devices(
        qtbot: QtBot, window: MainWindow) -> None:
    window.open_staff_side()
    prompt = window.staff
    assert isinstance(prompt, PinPrompt)
    names = [prompt.operators.item(n).text() for n in range(prompt.operators.count())]
    prompt.operators.setCurrentRow(names.index("Ada Admin"))
    qtbot.keyClicks(prompt.pin, ADMIN_PIN)
    qtbot.keyClick(prompt.pin, Qt.Key.Key_Return)
    view = window.staff
    assert isinstance(view, RecruiterView) and view.booth_button is not None
    qtbot.mouseClick(view.booth_button, Qt.MouseButton.LeftButton)
    health = view.booth.health
    qtbot.waitUntil(lambda: not health.checking, timeout=10_000)
    for device in ("camera", "microphone"):
        row = health.rows[device]
        assert (row.verdict, row.headline.text()) == ("OK", "Found"), device
        assert "demo" in row.detail.text()


def test_the_first_start_asks_for_an_admin_before_anything_else(
        qtbot: QtBot, settings: Settings) -> None:
    db = open_configured(settings)
    try:
        made = build_window(settings, db, demo=True, locked=False)
        qtbot.addWidget(made)
        assert isinstance(made.staff, AdminSetup)
        assert made.pages.currentWidget() is made.staff
        made.close()
    finally:
        db.close()


def test_a_bad_question_set_puts_the_booth_out_of_service_with_file_and_line(
        qtbot: QtBot, settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True)
    folder = settings.question_sets_dir
    folder.mkdir()
    (folder / "default.toml").write_text(
        'title = "T"\nconsent = "C"\n\n[[questions]]\ntext = "Q?"\nanswer_seconds = -1\n',
        encoding="utf-8")
    db = open_configured(settings)
    try:
        made = build_window(settings, db, demo=True, locked=False)
        qtbot.addWidget(made)
        assert isinstance(made.candidate, OutOfServiceScreen)
        message = made.candidate.problem.text()
        assert message.startswith(f"{folder / 'default.toml'}, line 6: ")
        assert "'answer_seconds' must be a whole number from 5 to 3600" in message
        texts = [label.text() for label in made.candidate.findChildren(QLabel)]
        assert "Please tell a member of staff." in texts
    finally:
        db.close()


def test_a_second_kiosk_on_the_same_data_folder_is_refused(data_dir: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    first = subprocess.Popen([sys.executable, "-m", "kiosk", "--demo"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not is_locked(data_dir / "kiosk.lock"):
            assert first.poll() is None, first.communicate()[1]
            assert time.monotonic() < deadline, "the first kiosk never took its lock"
            time.sleep(0.1)
        second = subprocess.run([sys.executable, "-m", "kiosk", "--demo"], env=env,
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert second.stderr.strip() == (
            f"kiosk: a kiosk is already running with the data folder {data_dir}.")
        assert first.poll() is None  # the first one is untouched
    finally:
        first.terminate()
        # 0 once the window is up (its orderly stop); killed by the signal before that.
        assert first.wait(timeout=30) in (0, -signal.SIGTERM)


def test_screenshots_of_every_screen_at_both_sizes(
        qtbot: QtBot, settings: Settings, tmp_path: Path) -> None:
    written = write_screenshots(settings, tmp_path / "shots")
    expected = {f"{name}-{w}x{h}.png" for name in CANDIDATE_SCREENS + RECRUITER_SCREENS
                for w, h in SIZES}
    assert {p.name for p in written} == expected
    assert {"welcome", "identify", "consent", "device-check", "question-prepare",
            "question-answer", "retake", "thank-you"} <= set(CANDIDATE_SCREENS)
    assert {"pin", "sessions", "details", "booth"} <= set(RECRUITER_SCREENS)
    for path in written:
        image = QImage(str(path))
        width, height = (int(n) for n in path.stem.rsplit("-", 1)[1].split("x"))
        assert (image.width(), image.height()) == (width, height)
        # Not a blank page: text and controls stand on the background.
        colours = {image.pixel(x, y) for x in range(0, width, 7) for y in range(0, height, 7)}
        assert len(colours) > 10, path.name
    # The booth's own data folder was never touched: the demo ran in a scratch folder.
    assert not settings.data_dir.exists()
