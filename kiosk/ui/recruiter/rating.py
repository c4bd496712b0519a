"""A 1-5 star rating: tap a star, or focus it and press 1-5 or the arrow keys."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

STARS = 5
STAR_SIZE = 38
FILLED = QColor("#d08a12")
EMPTY = QColor("#b9b2a6")
_KEYS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(1, STARS + 1)}
_STEP = {Qt.Key.Key_Left: -1, Qt.Key.Key_Down: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Up: 1}


class StarRating(QWidget):
    rated = Signal(int)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._score = 0

    @property
    def score(self) -> int:
        return self._score

    def set_score(self, score: int | None) -> None:
        """Show a score without announcing it (it came from the database)."""
        self._score = score or 0
        self.setToolTip(f"Your rating: {self._score} of {STARS}" if self._score
                        else "Not rated yet")
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(STARS * STAR_SIZE + 8, STAR_SIZE + 6)

    def event(self, event: QEvent) -> bool:
        # While focused, 1-5 and the arrows rate here instead of steering the player.
        if (event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
                and (event.key() in _KEYS or event.key() in _STEP)):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in _KEYS:
            self._rate(_KEYS[key])
        elif key in _STEP:
            self._rate(min(STARS, max(1, self._score + _STEP[key])))
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            star = int((event.position().x() - 4) // STAR_SIZE) + 1
            self._rate(min(STARS, max(1, star)))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(self.font())
        font.setPixelSize(STAR_SIZE - 6)
        painter.setFont(font)
        for number in range(1, STARS + 1):
            painter.setPen(FILLED if number <= self._score else EMPTY)
            box = QRectF(4 + (number - 1) * STAR_SIZE, 2, STAR_SIZE, STAR_SIZE)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter,
                             "\u2605" if number <= self._score else "\u2606")
        if self.hasFocus():
            painter.setPen(QPen(QColor("#1f5f8b"), 2))
            painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 6, 6)
        painter.end()

    def _rate(self, score: int) -> None:
        self.set_score(score)
        self.rated.emit(score)
