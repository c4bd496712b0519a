"""Noticing that nobody has touched the review side for a while, so it can lock itself."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

INPUT_EVENTS = frozenset({
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
    QEvent.Type.KeyPress, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
})


class IdleWatch(QObject):
    """Emits `idle` once after `limit_s` without a key, touch or mouse anywhere in the app.

    While `busy` (a recording plays, an export runs) it never fires; the wait starts again
    when that ends. It watches the whole application only between `start()` and `stop()`.
    """

    idle = Signal()

    def __init__(self, limit_s: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.limit_s = limit_s
        self._last_input = time.monotonic()
        self._busy = False
        self._timer = QTimer(self)
        # Every second, or more often for a limit of a few seconds, which it would overshoot.
        self._timer.setInterval(max(50, min(1000, round(limit_s * 250))))
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        self._last_input = time.monotonic()
        QApplication.instance().installEventFilter(self)
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._last_input = time.monotonic()

    def check(self, now: float | None = None) -> None:
        """Fire if the limit has passed (the timer calls this every second or so)."""
        if not self._timer.isActive() or self._busy:
            return
        if (now if now is not None else time.monotonic()) - self._last_input >= self.limit_s:
            self.stop()
            self.idle.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self._last_input = time.monotonic()
        return False
