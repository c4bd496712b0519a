"""Driving the real kiosk from a script (screenshots, benches): wait while Qt runs."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication


def wait_until(done: Callable[[], bool], *, timeout_s: float,
               stuck: Callable[[], str]) -> None:
    """Run Qt's events until `done()`; TimeoutError with `stuck()` if it takes longer."""
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(stuck())
        QCoreApplication.processEvents()
        time.sleep(0.005)
