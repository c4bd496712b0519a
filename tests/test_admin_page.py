"""The admin's booth page: only admins reach it; health in words, checked off the GUI
thread; adding operators and resetting PINs, refused in words, audited with who did it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kiosk.config import Settings
from kiosk.store.audit import Action
from kiosk.store.database import Database, open_configured
from kiosk.store.files import free_bytes
from kiosk.store.models import AuditEvent
from kiosk.store.operators import (
    FREE_ATTEMPTS,
    PinRefusedError,
    list_operators,
    sign_in,
)
from kiosk.ui.recruiter import RecruiterView
from kiosk.ui.recruiter.booth_page import BoothPage
from kiosk.ui.recruiter.operators_panel import OperatorsPanel
from tests.recruiter import RECRUITER_PIN, Staff, add_recorded_session, add_staff

NEW_PIN = "2580"


@dataclass(frozen=True)
class Booth:
    settings: Settings
    db: Database
    staff: Staff


@pytest.fixture
def booth(settings: Settings) -> Iterator[Booth]:
    # The synthetic devices answer at once; the tests that need a missing or a slow camera
    # say so.
    settings = _with_devices(settings, camera="synthetic")
    db = open_configured(settings)
    try:
        yield Booth(settings, db, add_staff(db))
    finally:
        db.close()


def _with_devices(settings: Settings, *, camera: str) -> Settings:
    return replace(settings, recording=replace(settings.recording, camera=camera,
                                               microphone="synthetic"))


def _view(qtbot: QtBot, settings: Settings, db: Database, operator) -> RecruiterView:
    view = RecruiterView(settings, db, operator)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    qtbot.waitExposed(view)
    return view


def _open_booth(qtbot: QtBot, booth: Booth, settings: Settings | None = None) -> RecruiterView:
    view = _view(qtbot, settings or booth.settings, booth.db, booth.staff.admin)
    assert view.booth_button is not None
    qtbot.mouseClick(view.booth_button, Qt.MouseButton.LeftButton)
    assert view.pages.currentWidget() is view.booth
    return view


def _checked(qtbot: QtBot, view: RecruiterView) -> None:
    qtbot.waitUntil(lambda: not view.booth.health.checking, timeout=10_000)


def _row(view: RecruiterView, key: str):
    return view.booth.health.rows[key]


def _events(db: Database, action: str) -> list[tuple[str | None, str | None]]:
    """Who did it, and what (the detail), for each event of this kind."""
    with db.session() as s:
        return list(s.execute(select(AuditEvent.operator_name, AuditEvent.detail)
                              .where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_a_recruiter_has_no_booth_button_and_cannot_reach_the_page(
        qtbot: QtBot, booth: Booth) -> None:
    view = _view(qtbot, booth.settings, booth.db, booth.staff.recruiter)
    assert view.booth_button is None
    assert "Booth" not in [button.text() for button in view.findChildren(QPushButton)]
    view.open_booth()  # what a Booth button would do: nothing, for a recruiter
    assert view.pages.currentWidget() is view.sessions
    assert view.findChildren(BoothPage) == []
    with pytest.raises(PermissionError):
        BoothPage(booth.settings, booth.db, booth.staff.recruiter)
    with pytest.raises(PermissionError):
        OperatorsPanel(booth.db, booth.staff.recruiter)


def test_an_admin_opens_the_booth_page_and_goes_back(qtbot: QtBot, booth: Booth) -> None:
    view = _open_booth(qtbot, booth)
    assert view.title.text() == "Booth"
    _checked(qtbot, view)
    qtbot.mouseClick(view.booth.back_button, Qt.MouseButton.LeftButton)
    assert view.pages.currentWidget() is view.sessions
    assert view.title.text() == "Interviews"


def test_a_fresh_booth_is_healthy_in_words_and_shows_its_settings(
        qtbot: QtBot, booth: Booth) -> None:
    view = _open_booth(qtbot, booth)
    _checked(qtbot, view)
    storage, database = _row(view, "storage"), _row(view, "database")
    assert storage.verdict == "OK" and "OK" in storage.state.text()
    shown_gb = float(storage.headline.text().removesuffix(" GB free"))
    assert shown_gb == pytest.approx(free_bytes(booth.settings.recordings_dir) / 2**30, abs=0.2)
    assert database.verdict == "OK" and database.headline.text() == "Reachable, up to date"
    assert {key: row.verdict for key, row in view.booth.health.rows.items()} == dict.fromkeys(
        view.booth.health.rows, "OK")
    values = view.booth.settings_list.values
    assert values["Recordings folder"].toolTip() == str(booth.settings.recordings_dir)
    assert values["Keep recordings"].text() == "for ever"
    assert values["Question set"].text() == "default"


def test_a_deleted_recording_and_a_missing_camera_are_problems_in_words(
        qtbot: QtBot, booth: Booth, tmp_path: Path) -> None:
    lost = add_recorded_session(booth.db, booth.settings, "Grace Hopper")
    no_camera = str(tmp_path / "unplugged-camera.mp4")
    view = _open_booth(qtbot, booth, _with_devices(booth.settings, camera=no_camera))
    _checked(qtbot, view)
    assert _row(view, "recordings").verdict == "OK"
    assert (_row(view, "camera").verdict, _row(view, "camera").headline.text()) == (
        "Problem", "Not found")
    assert no_camera in _row(view, "camera").detail.toolTip()
    assert "Problem" in _row(view, "camera").state.text()  # in words, not colour alone

    (booth.settings.recordings_dir / lost / "interview.mp4").unlink()
    qtbot.mouseClick(view.booth.health.check_button, Qt.MouseButton.LeftButton)
    assert _row(view, "recordings").verdict == "Checking"
    _checked(qtbot, view)
    recordings = _row(view, "recordings")
    assert recordings.verdict == "Problem"
    assert recordings.headline.text() == "1 recording missing"
    assert f"Recording missing for Grace Hopper ({lost[:8]})" in recordings.detail.toolTip()


def test_the_device_check_never_blocks_the_page(qtbot: QtBot, booth: Booth) -> None:
    # A network camera that takes the connection and never answers, until the test lets go.
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(server.accept()[0]), daemon=True).start()
    camera = f"http://127.0.0.1:{server.getsockname()[1]}/camera.mjpg"
    try:
        view = _open_booth(qtbot, booth, _with_devices(booth.settings, camera=camera))
        health = view.booth.health
        # Disk and database report while the camera still hangs: the GUI thread is free.
        qtbot.waitUntil(lambda: _row(view, "storage").verdict == "OK", timeout=10_000)
        qtbot.waitUntil(lambda: bool(accepted), timeout=10_000)
        assert _row(view, "camera").verdict == "Checking"
        assert health.checking and not health.check_button.isEnabled()
        assert any(t.name == "booth check camera" for t in threading.enumerate())
        ticks: list[int] = []
        QTimer.singleShot(0, lambda: ticks.append(1))
        view.booth.operators.open_add()
        qtbot.keyClicks(view.booth.operators.new_name, "Typed while waiting")
        qtbot.waitUntil(lambda: bool(ticks), timeout=1000)
        assert view.booth.operators.new_name.text() == "Typed while waiting"
        assert _row(view, "camera").verdict == "Checking"
    finally:
        for connection in accepted:
            connection.close()
        server.close()
    # The camera refuses now: its row says so.
    qtbot.waitUntil(lambda: _row(view, "camera").verdict == "Problem", timeout=15_000)
    assert _row(view, "camera").headline.text() == "Not found"
    assert health.check_button.isEnabled()


def test_adding_an_operator_stores_them_audited_with_the_admin(
        qtbot: QtBot, booth: Booth) -> None:
    view = _open_booth(qtbot, booth)
    panel = view.booth.operators
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert panel.add_form.isVisible() and not panel.table.isVisible()
    qtbot.keyClicks(panel.new_name, "Omar Okafor")
    panel.new_role.setCurrentIndex(panel.new_role.findText("Admin", Qt.MatchFlag.MatchStartsWith))
    qtbot.keyClicks(panel.new_pin, NEW_PIN)
    qtbot.keyClicks(panel.new_pin_again, NEW_PIN)
    qtbot.mouseClick(panel.add_save, Qt.MouseButton.LeftButton)

    assert panel.table.isVisible() and not panel.add_form.isVisible()
    assert panel.notice.text() == "Omar Okafor (admin) can now sign in."
    assert [o.name for o in panel.operators] == ["Ada Admin", "Omar Okafor", "Rita Recruiter"]
    assert panel.chosen_name() == "Omar Okafor"
    assert sign_in(booth.db, "Omar Okafor", NEW_PIN).is_admin
    assert _events(booth.db, Action.OPERATOR_ADDED)[-1] == (
        "Ada Admin", '{"operator": "Omar Okafor", "role": "admin"}')


@pytest.mark.parametrize(("name", "pin", "again", "says"), [
    ("Omar Okafor", "1111", "1111", "too easy to guess"),
    ("Omar Okafor", "2580", "2581", "The two PINs differ"),
    ("Omar Okafor", "25", "25", "4 to 12 digits"),
    ("Rita Recruiter", NEW_PIN, NEW_PIN, "already an operator called 'Rita Recruiter'"),
    ("   ", NEW_PIN, NEW_PIN, "name"),
])
def test_a_refused_operator_is_said_and_nothing_is_stored(
        qtbot: QtBot, booth: Booth, name: str, pin: str, again: str, says: str) -> None:
    view = _open_booth(qtbot, booth)
    panel = view.booth.operators
    before = _events(booth.db, Action.OPERATOR_ADDED)
    panel.open_add()
    qtbot.keyClicks(panel.new_name, name)
    qtbot.keyClicks(panel.new_pin, pin)
    qtbot.keyClicks(panel.new_pin_again, again)
    qtbot.keyClick(panel.new_pin_again, Qt.Key.Key_Return)
    assert says.lower() in panel.add_message.text().lower()
    assert panel.add_form.isVisible()  # still open, to fix it
    assert panel.new_pin.text() == "" and panel.new_pin_again.text() == ""
    assert [o.name for o in list_operators(booth.db)] == ["Ada Admin", "Rita Recruiter"]
    assert _events(booth.db, Action.OPERATOR_ADDED) == before


def test_reset_pin_lifts_a_lockout_and_is_audited_with_the_admin(
        qtbot: QtBot, booth: Booth) -> None:
    for _ in range(FREE_ATTEMPTS):
        with pytest.raises(PinRefusedError):
            sign_in(booth.db, "Rita Recruiter", "0000")
    view = _open_booth(qtbot, booth)
    panel = view.booth.operators
    assert not panel.reset_button.isEnabled()  # nobody chosen yet
    panel.choose("Rita Recruiter")
    rita = [o.name for o in panel.operators].index("Rita Recruiter")
    assert panel.table.item(rita, 2).text().startswith("Locked out till ")
    qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)
    assert panel.reset_who.text() == "Rita Recruiter"

    qtbot.keyClicks(panel.reset_pin_field, NEW_PIN)
    qtbot.keyClicks(panel.reset_pin_again, "9999")
    qtbot.mouseClick(panel.reset_save, Qt.MouseButton.LeftButton)
    assert "differ" in panel.reset_message.text()
    assert _events(booth.db, Action.PIN_RESET) == []

    qtbot.keyClicks(panel.reset_pin_field, NEW_PIN)
    qtbot.keyClicks(panel.reset_pin_again, NEW_PIN)
    qtbot.mouseClick(panel.reset_save, Qt.MouseButton.LeftButton)
    assert panel.notice.text() == "Rita Recruiter has a new PIN; any lockout is lifted."
    assert panel.table.item(rita, 2).text() == "Can sign in"
    assert _events(booth.db, Action.PIN_RESET) == [("Ada Admin",
                                                    '{"operator": "Rita Recruiter"}')]
    with pytest.raises(PinRefusedError):
        sign_in(booth.db, "Rita Recruiter", RECRUITER_PIN)
    assert sign_in(booth.db, "Rita Recruiter", NEW_PIN).name == "Rita Recruiter"
