"""Signing in: the PIN prompt (touch alone, keyboard alone, lockout) and the first admin."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kiosk.store.database import open_configured
from kiosk.store.models import AuditEvent, Role
from kiosk.store.operators import has_admin, sign_in
from kiosk.ui.recruiter import AdminSetup, PinPrompt
from tests.recruiter import ADMIN_PIN, RECRUITER_PIN, add_staff


@pytest.fixture
def db(settings):
    database = open_configured(settings)
    yield database
    database.close()


def _prompt(qtbot: QtBot, db) -> PinPrompt:
    prompt = PinPrompt(db)
    qtbot.addWidget(prompt)
    prompt.resize(1280, 800)
    prompt.show()
    qtbot.waitExposed(prompt)
    return prompt


def _tap_pin(qtbot: QtBot, prompt: PinPrompt, pin: str) -> None:
    keys = {button.text(): button for button in prompt.pad.findChildren(QPushButton)}
    for digit in pin:
        qtbot.mouseClick(keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(keys["OK"], Qt.MouseButton.LeftButton)


def _choose(qtbot: QtBot, prompt: PinPrompt, name: str) -> None:
    item = prompt.operators.findItems(name, Qt.MatchFlag.MatchExactly)[0]
    rect = prompt.operators.visualItemRect(item)
    qtbot.mouseClick(prompt.operators.viewport(), Qt.MouseButton.LeftButton,
                     pos=rect.center())


def test_touch_alone_signs_in(qtbot: QtBot, db) -> None:
    staff = add_staff(db)
    prompt = _prompt(qtbot, db)
    _choose(qtbot, prompt, "Rita Recruiter")
    with qtbot.waitSignal(prompt.unlocked, timeout=5000) as unlocked:
        _tap_pin(qtbot, prompt, RECRUITER_PIN)
    assert unlocked.args[0] == staff.recruiter
    assert prompt.pin.text() == ""


def test_keyboard_alone_signs_in(qtbot: QtBot, db) -> None:
    staff = add_staff(db)
    prompt = _prompt(qtbot, db)
    prompt.operators.setFocus()
    # Arrows choose the name; digits typed there go to the PIN; Enter unlocks.
    qtbot.keyClick(prompt.operators, Qt.Key.Key_Home)
    assert prompt.chosen_name() == "Ada Admin"
    for digit in ADMIN_PIN:
        qtbot.keyClick(prompt, getattr(Qt.Key, f"Key_{digit}"))
    assert prompt.pin.text() == ADMIN_PIN
    with qtbot.waitSignal(prompt.unlocked, timeout=5000) as unlocked:
        qtbot.keyClick(prompt.pin, Qt.Key.Key_Return)
    assert unlocked.args[0] == staff.admin
    with qtbot.waitSignal(prompt.cancelled, timeout=1000):
        qtbot.keyClick(prompt, Qt.Key.Key_Escape)


def test_wrong_pins_are_said_audited_and_lock_that_operator_out(qtbot: QtBot, db) -> None:
    add_staff(db)
    prompt = _prompt(qtbot, db)
    unlocked = []
    prompt.unlocked.connect(unlocked.append)
    _choose(qtbot, prompt, "Rita Recruiter")
    _tap_pin(qtbot, prompt, "0000")
    assert "Wrong PIN. 4 more tries" in prompt.message.text()
    for _ in range(4):
        _tap_pin(qtbot, prompt, "0000")
    assert "locked for 60 seconds" in prompt.message.text()
    _tap_pin(qtbot, prompt, RECRUITER_PIN)  # the right PIN, but too soon
    assert "Too many wrong PINs: locked for" in prompt.message.text()
    assert unlocked == []
    # Only Rita is locked out.
    _choose(qtbot, prompt, "Ada Admin")
    _tap_pin(qtbot, prompt, ADMIN_PIN)
    assert [operator.name for operator in unlocked] == ["Ada Admin"]
    with db.session() as s:
        failures = s.scalars(select(AuditEvent).where(AuditEvent.action == "pin_failed")).all()
    assert [e.operator_name for e in failures] == ["Rita Recruiter"] * 5


def test_leaving_the_prompt_forgets_what_was_typed(qtbot: QtBot, db) -> None:
    add_staff(db)
    prompt = _prompt(qtbot, db)
    _choose(qtbot, prompt, "Rita Recruiter")
    _tap_pin(qtbot, prompt, "0000")
    prompt.pin.setText("12")
    prompt.hide()
    prompt.show()
    assert prompt.pin.text() == "" and prompt.message.text() == ""
    assert prompt.chosen_name() == "Rita Recruiter"


def test_the_first_admin_is_created_once(qtbot: QtBot, db) -> None:
    setup = AdminSetup(db)
    qtbot.addWidget(setup)
    setup.show()
    done = []
    setup.done.connect(done.append)
    setup.name.setText("Ada Admin")
    setup.pin.setText("2580")
    setup.pin_again.setText("2581")
    setup.submit()
    assert "two PINs differ" in setup.message.text() and done == []
    setup.pin.setText("1111")
    setup.pin_again.setText("1111")
    setup.submit()
    assert "too easy" in setup.message.text() and not has_admin(db)
    setup.pin.setText("2580")
    setup.pin_again.setText("2580")
    setup.submit()
    assert [(o.name, o.role) for o in done] == [("Ada Admin", Role.ADMIN)]
    assert sign_in(db, "Ada Admin", "2580").is_admin
    # Never a way to add another admin behind the first one's back.
    setup.name.setText("Mallory")
    setup.submit()
    assert "already exists" in setup.message.text() and len(done) == 1


def test_the_keypad_types_into_the_pin_field_chosen_last(qtbot: QtBot, db) -> None:
    setup = AdminSetup(db)
    qtbot.addWidget(setup)
    setup.show()
    qtbot.waitExposed(setup)
    keys = {button.text(): button for button in setup.pad.findChildren(QPushButton)}
    setup.pin_again.setFocus()
    qtbot.waitUntil(setup.pin_again.hasFocus, timeout=2000)
    qtbot.mouseClick(keys["7"], Qt.MouseButton.LeftButton)
    assert (setup.pin.text(), setup.pin_again.text()) == ("", "7")
