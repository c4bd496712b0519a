"""The Qt binding itself: a PySide6 release that corrupts reference counts must not ship.

PySide6 6.12.0 returns None from every void method without taking a reference to it. On
Python 3.11 None is an ordinary object (it is immortal from 3.12 on), so after a few thousand
calls its count reaches zero and the process aborts with "none_dealloc": the kiosk window
would die within minutes of playback. pyproject.toml excludes that release; this test fails
on any binding with the same fault.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


def test_void_qt_calls_keep_the_reference_count_of_none(qtbot: QtBot) -> None:
    label = QLabel("x")
    qtbot.addWidget(label)
    calls = 500  # well short of the ~4,000 references None starts with: fail, not abort
    before = sys.getrefcount(None)
    for _ in range(calls):
        label.setText("y")
        QCoreApplication.processEvents()
    lost = before - sys.getrefcount(None)
    # A little noise from the interpreter either way; the fault loses one per call.
    assert lost < calls // 10, f"{lost} references to None lost in {2 * calls} void calls"
