"""The kiosk's button: large, reachable by Tab, pressed by touch, Space, Enter or Return."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPushButton, QWidget

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class KioskButton(QPushButton):
    def __init__(self, text: str, *, primary: bool = False, parent: QWidget | None = None
                 ) -> None:
        super().__init__(text, parent)
        self.setObjectName("primary" if primary else "secondary")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Outside a dialog, Qt presses a focused button with Space only; people press Enter.
        if event.key() in ENTER_KEYS and not event.isAutoRepeat():
            self.animateClick()
            return
        super().keyPressEvent(event)
