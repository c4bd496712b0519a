"""The kiosk's button: large, reachable by Tab, pressed by touch, Space, Enter or Return.

A press takes effect once, when it is let go: Qt's way for a touch and for Space, made Enter's
too (Qt's own Enter on a button clicks at once, then again for each repeat of a held key).
Its text never makes it wider than its row allows: past that it wraps, between words, to
at most MAX_LINES lines (a translation longer than the English beside a picture), and only
then is it elided.
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
MAX_LINES = 3


class KioskButton(QPushButton):
    def __init__(self, text: str, *, primary: bool = False, parent: QWidget | None = None
                 ) -> None:
        super().__init__(text, parent)
        self.setObjectName("primary" if primary else "secondary")
        self.wraps = True  # False: one line, elided (a name in a list of names)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        policy = self.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Preferred)  # may shrink: see paintEvent
        # Taller when its text wraps (heightForWidth), never taller than that.
        policy.setVerticalPolicy(QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
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

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        natural = self.sizeHint()
        if width >= natural.width() or not self.text() or not self.wraps:
            return natural.height()
        # The stylesheet's border and padding around the text: what the natural width has
        # beyond the text's own.
        chrome = natural.width() - self.fontMetrics().horizontalAdvance(self.text())
        lines = len(self._lines(width - chrome))
        return natural.height() + (lines - 1) * self.fontMetrics().lineSpacing()

    def _lines(self, room: int) -> list[str]:
        """The text broken between words into lines `room` wide; the last one elided if it
        still does not fit in MAX_LINES."""
        metrics = self.fontMetrics()
        lines: list[str] = []
        for word in self.text().split(" "):
            joined = f"{lines[-1]} {word}" if lines else word
            if lines and metrics.horizontalAdvance(joined) <= room:
                lines[-1] = joined
            else:
                lines.append(word)
        if len(lines) > MAX_LINES:
            lines = [*lines[:MAX_LINES - 1], " ".join(lines[MAX_LINES - 1:])]
        elide = Qt.TextElideMode.ElideRight
        return [metrics.elidedText(line, elide, room) for line in lines]

    def shown_text(self) -> str:
        """The text as painted: its lines (joined by a space) if it wraps, and elided ("…")
        if even that does not fit."""
        option = QStyleOptionButton()
        self.initStyleOption(option)
        return self._shown(option).replace("\n", " ")

    def _shown(self, option: QStyleOptionButton) -> str:
        room = self.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option,
                                           self).width()
        metrics = self.fontMetrics()
        if metrics.horizontalAdvance(self.text()) <= room:
            return self.text()
        if not self.wraps:
            return metrics.elidedText(self.text(), Qt.TextElideMode.ElideRight, room)
        lines = self._lines(room)
        # As many lines as its height has room for; the rest elided into the last.
        fits = max(1, 1 + (self.height() - self.sizeHint().height()) // metrics.lineSpacing())
        if len(lines) > fits:
            rest = " ".join(lines[fits - 1:])
            lines = [*lines[:fits - 1], metrics.elidedText(rest, Qt.TextElideMode.ElideRight,
                                                           room)]
        return "\n".join(lines)

    def paintEvent(self, event: QPaintEvent) -> None:
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = self._shown(option)
        QStylePainter(self).drawControl(QStyle.ControlElement.CE_PushButton, option)
