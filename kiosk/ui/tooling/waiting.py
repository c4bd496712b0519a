"""Driving the real kiosk from a script (screenshots, benches): wait while Qt runs.

Every wait ends in `done()` or a TimeoutError: a screenshot taken or a figure measured in
the wrong state is worse than none."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

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
