"""Driving the real kiosk from a script (screenshots, benches): wait while Qt runs.

Every wait ends in `done()` or a TimeoutError: a screenshot taken or a figure measured in
the wrong state is worse than none."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QWidget

POLL_S = 0.005


def wait_until(done: Callable[[], bool], *, timeout_s: float, stuck: Callable[[], str],
               poll_s: float = POLL_S) -> float:
    """Run Qt's events until `done()`; the moment it held, on `time.perf_counter`'s clock.

    TimeoutError with `stuck()` if it takes longer than `timeout_s`. `poll_s` is the nap
    between rounds of events, so a long wait leaves the CPU to the work it waits on; a
    bench timing the screen passes 0, as a nap would be counted in its figures."""
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(stuck())
        QCoreApplication.processEvents()
        if poll_s:
            time.sleep(poll_s)
    return time.perf_counter()


def settle(seconds: float) -> None:
    """Run Qt's events for `seconds`, waiting on nothing in particular: what a screen does
    right after a change (a layout, a first paint) is over before the next step."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QCoreApplication.processEvents()
        time.sleep(POLL_S)


class _PaintWatch(QObject):
    painted = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted = True
        return False


def repainted_after(widgets: Sequence[QWidget], action: Callable[[], None]) -> float:
    """ms from `action` until `widgets` show its result. Where nothing on screen changed, Qt
    paints nothing; a visible widget is then repainted in full, so the figure never flatters."""
    watches = []
    for widget in widgets:
        watch = _PaintWatch()
        widget.installEventFilter(watch)
        watches.append(watch)
    start = time.perf_counter()
    action()
    QCoreApplication.processEvents()
    for widget, watch in zip(widgets, watches, strict=True):
        if widget.isVisible() and not watch.painted:
            widget.repaint()
    end = time.perf_counter()
    for widget, watch in zip(widgets, watches, strict=True):
        widget.removeEventFilter(watch)
    return 1000 * (end - start)
