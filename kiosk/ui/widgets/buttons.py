"""The kiosk's button: large, reachable by Tab, pressed by touch, Space, Enter or Return.

A press takes effect once, when it is let go: Qt's way for a touch and for Space, made Enter's
too (Qt's own Enter on a button clicks at once, then again for each repeat of a held key).
Its text never makes it wider than its row allows: past that, the text is elided.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeyEvent, QPaintEvent
from PySide6.QtWidgets import (
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QStylePainter,
    QWidget,
)

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# However long its text (a scheduled candidate's name), a button keeps at least this many
# times its height, or its whole text if that is shorter.
NARROWEST_IN_HEIGHTS = 3


class KioskButton(QPushButton):
    def __init__(self, text: str, *, primary: bool = False, parent: QWidget | None = None
                 ) -> None:
        super().__init__(text, parent)
        self.setObjectName("primary" if primary else "secondary")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        policy = self.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Preferred)  # may shrink: see paintEvent
        self.setSizePolicy(policy)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Outside a dialog, Qt presses a focused button with Space only; people press Enter.
        if event.key() in ENTER_KEYS:
            if not event.isAutoRepeat():
                self.setDown(True)  # shown pressed, like Space, until the key is let go
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() in ENTER_KEYS:
            event.accept()
            # Only a press this button saw: not the end of an Enter that began elsewhere.
            if not event.isAutoRepeat() and self.isDown():
                self.setDown(False)
                self.click()
            return
        super().keyReleaseEvent(event)

    def minimumSizeHint(self) -> QSize:
        natural = self.sizeHint()
        return QSize(min(natural.width(), NARROWEST_IN_HEIGHTS * natural.height()),
                     natural.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        option = QStyleOptionButton()
        self.initStyleOption(option)
        room = self.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option,
                                           self)
        option.text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight,
                                                    room.width())
        QStylePainter(self).drawControl(QStyle.ControlElement.CE_PushButton, option)
