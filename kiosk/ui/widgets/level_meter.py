"""A microphone level meter: a bar that moves with the voice, with a short peak hold."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

FLOOR_DBFS = -60.0  # quieter than this shows an empty bar
VOICE_COLOUR, LOUD_COLOUR, TRACK_COLOUR = QColor("#2e8b57"), QColor("#d08c1a"), QColor("#dcd6ca")
LOUD_DBFS = -6.0
FALL_PER_UPDATE = 0.04  # the bar falls gently instead of flickering between syllables


class LevelMeter(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fraction = 0.0
        self.loud = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(self.tr("Microphone level"))

    def sizeHint(self) -> QSize:
        return QSize(400, 28)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.setAccessibleName(self.tr("Microphone level"))
        super().changeEvent(event)

    def set_level(self, dbfs: float) -> None:
        target = min(1.0, max(0.0, (dbfs - FLOOR_DBFS) / -FLOOR_DBFS))
        fraction = max(target, self.fraction - FALL_PER_UPDATE)
        loud = dbfs >= LOUD_DBFS
        if (fraction, loud) != (self.fraction, self.loud):
            self.fraction, self.loud = fraction, loud
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        radius = self.height() / 2
        painter.setBrush(TRACK_COLOUR)
        painter.drawRoundedRect(QRectF(self.rect()), radius, radius)
        if self.fraction > 0:
            painter.setBrush(LOUD_COLOUR if self.loud else VOICE_COLOUR)
            width = max(self.height(), self.width() * self.fraction)
            # From the start of a line: the right in a right-to-left language.
            start = (self.width() - width
                     if self.layoutDirection() == Qt.LayoutDirection.RightToLeft else 0)
            painter.drawRoundedRect(QRectF(start, 0, width, self.height()), radius, radius)
