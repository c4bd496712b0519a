"""The kiosk's one window: the candidate's screens, locked, with a hidden way to the staff side.

In kiosk mode the window has no decorations, fills the screen and refuses to close: Alt+F4,
Escape and the window manager's close button do nothing. Staff open the PIN prompt with a
hidden gesture: five taps in the top-left corner within two seconds, or Ctrl+Alt+Shift+S.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from kiosk.ui.candidate.kiosk import CandidateKiosk

WINDOW_TITLE = "Interview Booth Kiosk"
CORNER_PX = 90
TAPS, TAPS_WITHIN_S = 5, 2.0
STAFF_CHORD = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
               | Qt.KeyboardModifier.ShiftModifier, Qt.Key.Key_S)


class HiddenGesture(QObject):
    """Watches the whole application for the staff gesture; emits `triggered`."""

    triggered = Signal()

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._taps: list[float] = []
        self._last_press: tuple[int, QPoint] | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            where = event.globalPosition().toPoint()
            press = (event.timestamp(), where)
            if press == self._last_press:
                return False  # one press reaches the window and then each widget under it
            self._last_press = press
            self._tap(self._window.mapFromGlobal(where))
        elif event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            modifiers, key = STAFF_CHORD
            if event.key() == key and event.modifiers() == modifiers:
                self.triggered.emit()
                return True
        return False

    def _tap(self, point: QPoint) -> None:
        now = time.monotonic()
        if not (0 <= point.x() < CORNER_PX and 0 <= point.y() < CORNER_PX):
            self._taps.clear()
            return
        self._taps = [t for t in self._taps if now - t <= TAPS_WITHIN_S] + [now]
        if len(self._taps) >= TAPS:
            self._taps.clear()
            self.triggered.emit()


class MainWindow(QMainWindow):
    staff_requested = Signal()

    def __init__(self, candidate: QWidget, *, locked: bool = True) -> None:
        super().__init__()
        self.setWindowTitle(WINDOW_TITLE)
        self.locked = locked
        if locked:
            self.setWindowFlags(Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint
                                | Qt.WindowType.WindowStaysOnTopHint)
        self.candidate = candidate
        self.pages = QStackedWidget()
        self.pages.addWidget(candidate)
        self.setCentralWidget(self.pages)
        self.gesture = HiddenGesture(self)
        self.gesture.triggered.connect(self.staff_requested)
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self.gesture)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.locked:
            event.ignore()  # Alt+F4 and the window manager's close: the candidate cannot leave
            return
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.gesture)
        if isinstance(self.candidate, CandidateKiosk):
            self.candidate.shutdown()
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            return  # swallowed: nothing on the candidate's side closes with Escape
        super().keyPressEvent(event)

    def unlock_and_close(self) -> None:
        """For staff who chose to quit: the only way this window closes in kiosk mode."""
        self.locked = False
        self.close()
