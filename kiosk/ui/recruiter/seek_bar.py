"""The player's seek bar, with the question chapters and the notes marked on it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPolygon
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider, QWidget

CHAPTER_COLOUR = QColor("#9fc3df")  # on the player's dark control strip
NOTE_COLOUR = QColor("#c7662b")


class SeekBar(QSlider):
    """A horizontal slider in milliseconds. A press anywhere jumps there (`seek_requested`);
    dragging seeks as it goes. Chapters are ticks below the groove, notes triangles above."""

    seek_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("seekBar")
        self.setAccessibleName("Position in the recording")
        self.setRange(0, 0)
        self.setSingleStep(5000)
        self.setPageStep(30000)
        self.setMinimumHeight(44)
        # Arrow keys belong to the player's own shortcuts (5 s), not to a focused slider.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._chapters: list[int] = []
        self._notes: list[int] = []
        self.sliderMoved.connect(self.seek_requested)

    def set_marks(self, chapters: list[int], notes: list[int]) -> None:
        self._chapters, self._notes = list(chapters), list(notes)
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.maximum() > 0:
            value = self._value_at(int(event.position().x()))
            self.setValue(value)
            self.seek_requested.emit(value)
            self.setSliderDown(True)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.isSliderDown():
            value = self._value_at(int(event.position().x()))
            self.setValue(value)
            self.seek_requested.emit(value)
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self.isSliderDown():
            self.setSliderDown(False)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.maximum() <= 0:
            return
        groove = self._groove()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for start in self._chapters:
            x = self._x_of(start, groove)
            painter.fillRect(x - 1, groove.bottom() + 3, 3, 9, CHAPTER_COLOUR)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(NOTE_COLOUR)
        for time_ms in self._notes:
            x = self._x_of(time_ms, groove)
            top = groove.top() - 11
            painter.drawPolygon(QPolygon([QPoint(x - 6, top), QPoint(x + 6, top),
                                          QPoint(x, top + 8)]))
        painter.end()

    def _groove(self) -> QRect:
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        return self.style().subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                           QStyle.SubControl.SC_SliderGroove, self)

    def _handle_width(self) -> int:
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        return self.style().subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                           QStyle.SubControl.SC_SliderHandle, self).width()

    def _x_of(self, value: int, groove: QRect) -> int:
        half = self._handle_width() // 2
        span = groove.width() - 2 * half
        return groove.left() + half + round(span * value / self.maximum())

    def _value_at(self, x: int) -> int:
        groove = self._groove()
        half = self._handle_width() // 2
        return QStyle.sliderValueFromPosition(self.minimum(), self.maximum(),
                                              x - groove.left() - half,
                                              max(1, groove.width() - 2 * half))

