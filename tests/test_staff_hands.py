"""What staff meet at the booth, by keyboard and by touch: keys and focus only on the page on
screen, Enter that submits a PIN once, the first admin's form, the PIN prompt that locks
itself when left, the export dialog that looks for a USB stick, the current sign-in on the
booth page, and a kiosk whose stderr carries none of Qt Multimedia's chatter."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from kiosk.config import Settings
from kiosk.interview.flow import Screen
from kiosk.interview.question_sets import configured_question_set
from kiosk.store.audit import Action
from kiosk.store.database import Database, open_configured
from kiosk.store.models import AuditEvent, Role
from kiosk.ui.app import build_window, sources_opener
from kiosk.ui.candidate.kiosk import CandidateKiosk
from kiosk.ui.main_window import MainWindow
from kiosk.ui.recruiter import AdminSetup, PinPrompt, RecruiterView, pin_prompt
from kiosk.ui.recruiter.operators_panel import LAST_SIGN_IN
from tests.engine import quick_interview
from tests.mounts import tmpfs
from tests.recruiter import RECRUITER_PIN, add_staff

REPO = Path(__file__).resolve().parent.parent
STAFF_CHORD = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
               | Qt.KeyboardModifier.ShiftModifier)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = open_configured(settings)
    yield database
    database.close()


class Clock:
    """The candidate flow's clock, moved by the test (idle is 90 s of it)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class KeysTo(QObject):
    """Every key press Qt delivers to `root` or a widget inside it."""

    def __init__(self, root: QWidget) -> None:
        super().__init__()
        self.root = root
        self.seen: list[tuple[str, int]] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress
                and isinstance(watched, QWidget)
                and (watched is self.root or self.root.isAncestorOf(watched))):
            self.seen.append((type(watched).__name__, event.key()))
        return False


@pytest.fixture
def kiosk(qtbot: QtBot, settings: Settings, db: Database
          ) -> Iterator[tuple[MainWindow, CandidateKiosk, Clock]]:
    add_staff(db)
    clock = Clock()
    candidate = CandidateKiosk(settings, db, configured_question_set(settings),
                               sources_opener(settings, demo=True), clock=clock)
    window = MainWindow(candidate, settings, db, locked=True)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    yield window, candidate, clock
    window.unlock_and_close()


def press(window: QWidget, key: Qt.Key,
          modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key typed on the booth's keyboard: Qt hands it to whatever has the focus."""
    handle = window.windowHandle()
    assert handle is not None
    QTest.keyClick(handle, key, modifiers)


def choose(qtbot: QtBot, prompt: PinPrompt, name: str) -> None:
    """A tap on a name in the sign-in list."""
    item = prompt.operators.findItems(name, Qt.MatchFlag.MatchExactly)[0]
    qtbot.mouseClick(prompt.operators.viewport(), Qt.MouseButton.LeftButton,
                     pos=prompt.operators.visualItemRect(item).center())


def digit(n: str) -> Qt.Key:
    return getattr(Qt.Key, f"Key_{n}")


def failures(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action == Action.PIN_FAILED)) or 0


# --- 1. keys and focus belong to the page on screen ---------------------------------------

def test_keys_typed_on_the_pin_prompt_never_reach_the_hidden_candidate_screen(
        qtbot: QtBot, kiosk: tuple[MainWindow, CandidateKiosk, Clock]) -> None:
    window, candidate, clock = kiosk
    press(window, Qt.Key.Key_A)  # a candidate starts: Welcome, then their name
    assert candidate.flow.state.screen is Screen.IDENTIFY
    press(window, Qt.Key.Key_S, STAFF_CHORD)
    prompt = window.staff
    assert isinstance(prompt, PinPrompt) and window.pages.currentWidget() is prompt
    assert QApplication.focusWidget() is prompt.operators  # "Who are you?" first
    choose(qtbot, prompt, "Rita Recruiter")
    assert QApplication.focusWidget() is prompt.pin
    keys = KeysTo(candidate)
    QApplication.instance().installEventFilter(keys)
    try:
        # The candidate walked away: their side goes back to Welcome under the prompt.
        clock.now += candidate.flow.timing.idle_s + 1
        qtbot.waitUntil(lambda: candidate.flow.state.screen is Screen.WELCOME, timeout=3000)
        for n in RECRUITER_PIN:
            press(window, digit(n))
        assert prompt.pin.text() == RECRUITER_PIN
        assert QApplication.focusWidget() is prompt.pin
        press(window, Qt.Key.Key_Escape)
        assert window.staff is None and window.pages.currentWidget() is candidate
        assert keys.seen == []
    finally:
        QApplication.instance().removeEventFilter(keys)
    assert candidate.identify.name.text() == ""
    assert candidate.flow.state.screen is Screen.WELCOME
    # Back on the kiosk, its page on screen took the focus itself: the next key is the
    # next candidate's, and it starts their interview on the screen they see.
    assert QApplication.focusWidget() is candidate.welcome.first_focus()
    clock.now += 5  # the next candidate, a while later (a screen just shown takes no key)
    press(window, Qt.Key.Key_A)
    assert candidate.flow.state.screen is Screen.IDENTIFY
    assert QApplication.focusWidget() is candidate.identify.name


def test_a_hidden_widget_that_asks_for_the_focus_does_not_get_it(
        qtbot: QtBot, kiosk: tuple[MainWindow, CandidateKiosk, Clock]) -> None:
    window, candidate, _clock = kiosk
    window.open_staff_side()
    prompt = window.staff
    assert isinstance(prompt, PinPrompt)
    choose(qtbot, prompt, "Rita Recruiter")
    assert prompt.pin.hasFocus()
    candidate.identify.name.setFocus()  # what a screen of the candidate's does on its own
    assert QApplication.focusWidget() is prompt.pin
    press(window, Qt.Key.Key_7)
    assert (prompt.pin.text(), candidate.identify.name.text()) == ("7", "")
    # Signed in, the review side's own pages off screen are kept out just the same: the
    # details pane (made in the background) asking for the focus behind the list.
    for n in RECRUITER_PIN[1:]:
        press(window, digit(n))
    prompt.pin.setText(RECRUITER_PIN)
    press(window, Qt.Key.Key_Return)
    view = window.staff
    assert isinstance(view, RecruiterView) and window.pages.currentWidget() is view
    view.lock_button.setFocus()
    view.details.back_button.setFocus()
    assert QApplication.focusWidget() is view.lock_button


# --- 2. Enter submits a PIN once -----------------------------------------------------------

def _prompt(qtbot: QtBot, db: Database) -> PinPrompt:
    prompt = PinPrompt(db)
    qtbot.addWidget(prompt)
    prompt.resize(1280, 800)
    prompt.show()
    prompt.activateWindow()
    qtbot.waitActive(prompt)
    names = [prompt.operators.item(n).text() for n in range(prompt.operators.count())]
    prompt.operators.setCurrentRow(names.index("Rita Recruiter"))
    return prompt


def test_enter_after_a_wrong_pin_submits_once_and_leaves_what_went_wrong(
        qtbot: QtBot, db: Database) -> None:
    add_staff(db)
    prompt = _prompt(qtbot, db)
    prompt.pin.setFocus()
    for tries in range(1, 5):
        qtbot.keyClicks(prompt.pin, "0000")
        qtbot.keyClick(prompt.pin, Qt.Key.Key_Return)
        assert failures(db) == tries  # one submit for one Enter
        assert prompt.message.text().startswith("Wrong PIN."), prompt.message.text()
    # Digits typed on the name list are the PIN's, not a search among the names; and
    # Enter there is one submit too.
    prompt.operators.setFocus()
    for n in "0000":
        qtbot.keyClick(prompt.operators, digit(n))
    assert prompt.pin.text() == "0000" and prompt.chosen_name() == "Rita Recruiter"
    prompt.operators.setFocus()
    qtbot.keyClick(prompt.operators, Qt.Key.Key_Enter)
    assert failures(db) == 5
    assert "Too many wrong PINs: locked for 60 seconds" in prompt.message.text()


# --- 3. the first admin: by keyboard and by touch -----------------------------------------

def _setup(qtbot: QtBot, db: Database) -> AdminSetup:
    setup = AdminSetup(db)
    qtbot.addWidget(setup)
    setup.resize(1280, 800)
    setup.show()
    setup.activateWindow()
    qtbot.waitActive(setup)
    qtbot.waitUntil(setup.name.hasFocus, timeout=2000)
    return setup


def test_enter_moves_through_the_first_admins_form(qtbot: QtBot, db: Database) -> None:
    setup = _setup(qtbot, db)
    done: list[object] = []
    setup.done.connect(done.append)
    qtbot.keyClicks(setup.name, "Ada Admin")
    qtbot.keyClick(setup.name, Qt.Key.Key_Return)
    assert setup.pin.hasFocus()
    qtbot.keyClicks(setup.pin, "2580")
    qtbot.keyClick(setup.pin, Qt.Key.Key_Return)
    assert setup.pin_again.hasFocus()
    assert (setup.pin.text(), setup.message.text(), done) == ("2580", "", [])
    qtbot.keyClicks(setup.pin_again, "2580")
    qtbot.keyClick(setup.pin_again, Qt.Key.Key_Return)
    assert [(o.name, o.role) for o in done] == [("Ada Admin", Role.ADMIN)]


def test_touch_alone_creates_the_first_admin(qtbot: QtBot, db: Database) -> None:
    setup = _setup(qtbot, db)
    done: list[object] = []
    setup.done.connect(done.append)
    # The name, on the on-screen keyboard that stands in for the keypad while it is chosen.
    keyboard = setup.keyboard
    assert keyboard.isVisible() and not setup.pad.isVisible()
    for key in ["A", "D", "A", "Space", "A", "D", "M", "I", "N"]:
        qtbot.mouseClick(keyboard.keys[key], Qt.MouseButton.LeftButton)
    assert setup.name.text() == "Ada Admin"
    qtbot.mouseClick(setup.name_next, Qt.MouseButton.LeftButton)
    assert setup.pin.hasFocus() and setup.pad.isVisible() and not keyboard.isVisible()
    pad = {button.text(): button for button in setup.pad.findChildren(QPushButton)}
    for n in "2580":
        qtbot.mouseClick(pad[n], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(pad["OK"], Qt.MouseButton.LeftButton)  # on to "PIN again"
    assert setup.pin_again.hasFocus()
    assert (setup.pin.text(), setup.message.text(), done) == ("2580", "", [])
    for n in "2580":
        qtbot.mouseClick(pad[n], Qt.MouseButton.LeftButton)
    assert setup.pin_again.text() == "2580"
    qtbot.mouseClick(pad["OK"], Qt.MouseButton.LeftButton)
    assert [(o.name, o.role) for o in done] == [("Ada Admin", Role.ADMIN)]


# --- 4. the PIN prompt locks itself when left ---------------------------------------------

def test_a_pin_prompt_left_alone_locks_back_to_the_kiosk(
        qtbot: QtBot, kiosk: tuple[MainWindow, CandidateKiosk, Clock],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pin_prompt, "PIN_IDLE_SECONDS", 0.6)
    window, candidate, _clock = kiosk
    window.open_staff_side()
    prompt = window.staff
    assert isinstance(prompt, PinPrompt)
    # Someone typing keeps it open for longer than the limit.
    typing_until = time.monotonic() + 1.5
    while time.monotonic() < typing_until:
        press(window, Qt.Key.Key_1)
        last_key = time.monotonic()
        qtbot.wait(150)
    assert window.staff is prompt and prompt.pin.text()
    qtbot.waitUntil(lambda: window.staff is None, timeout=5000)
    assert time.monotonic() - last_key >= 0.55
    assert window.pages.currentWidget() is candidate


# --- 5. the export dialog, the current sign-in, quiet media logs --------------------------

@pytest.mark.parametrize(("root", "removable"), [
    ("/media/ada/KINGSTON", True), ("/run/media/ada/STICK", True), ("/mnt/usb", True),
    ("/", False), ("/home", False), ("/media", False), ("/boot/efi", False),
])
def test_where_a_usb_stick_is_mounted_on_linux(root: str, removable: bool) -> None:
    from kiosk.ui.recruiter.export_dialog import mounted_like_a_stick

    assert mounted_like_a_stick(root, device="/dev/vda1") is removable


def _drive(root: Path, free: int = 8_000_000_000):
    from kiosk.ui.recruiter.export_dialog import Drive

    return Drive(root=root, name=root.name, free_bytes=free)


def _heading(dialog: QWidget) -> str:
    """The title a person sees in the dialog itself (a booth may have no title bars)."""
    heading = getattr(dialog, "heading", None)
    assert isinstance(heading, QLabel) and heading.isVisible()
    return heading.text()


def test_the_export_dialog_opens_on_the_usb_stick_and_lists_drives_first(
        qtbot: QtBot, tmp_path: Path) -> None:
    from kiosk.ui.recruiter.export_dialog import ExportDialog

    stick = tmp_path / "KINGSTON"
    stick.mkdir()
    dialog = ExportDialog(drives=lambda: [_drive(stick)])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() and _heading(dialog).startswith("Export")
    assert Path(dialog.browser.directory().absolutePath()) == stick
    assert dialog.browser.sidebarUrls()[0] == QUrl.fromLocalFile(str(stick))
    assert "KINGSTON" in dialog.hint.text() and "8.0 GB free" in dialog.hint.text()
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        dialog.browser.accept()  # "Export here" with the stick open
    assert dialog.folder == stick


def test_without_a_stick_the_dialog_says_plug_one_in_and_finds_it_when_it_comes(
        qtbot: QtBot, tmp_path: Path) -> None:
    from kiosk.ui.recruiter.export_dialog import ExportDialog

    drives: list = []
    dialog = ExportDialog(drives=lambda: list(drives))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert "Plug in a USB stick" in dialog.hint.text()
    assert Path(dialog.browser.directory().absolutePath()) == Path.home()
    stick = tmp_path / "STICK"
    stick.mkdir()
    drives.append(_drive(stick))
    qtbot.waitUntil(lambda: "STICK" in dialog.hint.text(), timeout=5000)
    assert Path(dialog.browser.directory().absolutePath()) == stick
    assert dialog.browser.sidebarUrls()[0] == QUrl.fromLocalFile(str(stick))


def test_a_stick_mounted_under_media_is_found_and_the_system_disk_is_not(
        tmp_path: Path) -> None:
    from kiosk.ui.recruiter.export_dialog import removable_drives

    assert Path("/") not in [drive.root for drive in removable_drives()]
    media = Path("/media")
    if not media.is_dir():
        pytest.skip("no /media folder on this machine")
    folder = media / f"kiosk-test-{uuid.uuid4().hex[:8]}"
    try:
        with tmpfs(folder, "4m"):
            found = {drive.root: drive for drive in removable_drives()}
            assert folder in found
            assert found[folder].free_bytes > 3_000_000
    finally:
        folder.rmdir()


def test_the_details_export_button_opens_that_dialog(
        qtbot: QtBot, settings: Settings, db: Database, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from kiosk.ui.recruiter import export_dialog

    staff = add_staff(db)
    session_id = quick_interview(db, settings)
    stick = tmp_path / "KINGSTON"
    stick.mkdir()
    monkeypatch.setattr(export_dialog, "removable_drives", lambda: [_drive(stick)])
    view = RecruiterView(settings, db, staff.recruiter)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    qtbot.waitExposed(view)
    view.open_session(session_id)
    qtbot.waitUntil(view.details.export_button.isEnabled, timeout=10_000)
    seen: list[str] = []

    def choose() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, export_dialog.ExportDialog):
            seen.append(f"not the export dialog: {type(dialog).__name__}")
            if dialog is not None:
                dialog.close()
            return
        seen.append(_heading(dialog))
        dialog.browser.accept()

    QTimer.singleShot(300, choose)
    qtbot.mouseClick(view.details.export_button, Qt.MouseButton.LeftButton)
    assert seen and seen[0].startswith("Export"), seen
    assert view.details.export_job is not None
    qtbot.waitUntil(lambda: "Exported and verified" in view.details.export_text.text(),
                    timeout=30_000)
    assert len(list(stick.glob("*.mp4"))) == 1


def test_the_first_admins_own_sign_in_is_on_the_booth_page(
        qtbot: QtBot, settings: Settings, db: Database) -> None:
    window = build_window(settings, db, demo=True, locked=False)
    qtbot.addWidget(window)
    setup = window.staff
    assert isinstance(setup, AdminSetup)
    setup.name.setText("Ada Admin")
    setup.pin.setText("2580")
    setup.pin_again.setText("2580")
    setup.submit()
    view = window.staff
    assert isinstance(view, RecruiterView)
    view.open_booth()
    table = view.booth.operators.table
    row = [table.item(n, 0).text() for n in range(table.rowCount())].index("Ada Admin")
    assert table.item(row, LAST_SIGN_IN).text().startswith("today ")
    window.close()


KIOSK_PLAYS_A_RECORDING = textwrap.dedent("""
    import time
    from kiosk.config import load_settings
    from kiosk.store.database import open_configured
    from kiosk.ui.app import application, build_window   # as `kiosk` imports and starts it
    from tests.engine import quick_interview
    from tests.recruiter import RECRUITER_PIN, add_staff

    settings = load_settings()
    db = open_configured(settings)
    add_staff(db)
    session_id = quick_interview(db, settings)
    app = application()
    window = build_window(settings, db, demo=True, locked=False)
    window.show()
    window.open_staff_side()
    prompt = window.staff
    names = [prompt.operators.item(n).text() for n in range(prompt.operators.count())]
    prompt.operators.setCurrentRow(names.index("Rita Recruiter"))
    prompt.pin.setText(RECRUITER_PIN)
    prompt.submit()
    view = window.staff
    view.open_session(session_id)
    view.details.player.play()
    deadline = time.monotonic() + 20
    while view.details.player.position < 1000 and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    assert view.details.player.position >= 1000, "the recording never played"
    window.unlock_and_close()
    print("played")
""")


def _quiet_environment(tmp_path: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items()
           if name not in ("QT_LOGGING_RULES", "QT_LOGGING_CONF", "QT_MESSAGE_PATTERN")}
    env.update(QT_QPA_PLATFORM="offscreen", KIOSK_DATA_DIR=str(tmp_path / "booth"),
               PYTHONPATH=str(REPO))
    return env


def test_the_kiosk_prints_no_hw_decoder_or_pipewire_lines(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", KIOSK_PLAYS_A_RECORDING], cwd=REPO,
                          env=_quiet_environment(tmp_path), capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "played", done.stderr
    for noise in ("No HW decoder", "pipewire", "Input #0"):
        assert noise not in done.stderr, done.stderr


def test_sessions_verify_prints_no_media_noise(tmp_path: Path, settings: Settings,
                                               db: Database) -> None:
    session_id = quick_interview(db, settings)
    env = {**_quiet_environment(tmp_path), "KIOSK_DATA_DIR": str(settings.data_dir)}
    done = subprocess.run([sys.executable, "-m", "kiosk", "sessions", "verify", session_id],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
