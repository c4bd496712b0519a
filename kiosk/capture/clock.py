"""The clock sources are paced by. Injectable, so a long recording can be simulated in seconds.

Timestamps are always seconds on one monotonic timeline. A real-time clock sleeps until a
moment comes; a simulated clock returns at once, so synthetic sources run as fast as the
recorder can take their data, while their timestamps still say when it "happened".
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    realtime: bool

    def now(self) -> float:
        """Seconds on a monotonic timeline."""
        ...

    def sleep_until(self, moment: float) -> None:
        """Return once `moment` has come (at once, for a simulated clock)."""
        ...


class SystemClock:
    """The machine's monotonic clock: what real devices are stamped with."""

    realtime = True

    def now(self) -> float:
        return time.monotonic()

    def sleep_until(self, moment: float) -> None:
        delay = moment - time.monotonic()
        if delay > 0:
            time.sleep(delay)


class SimulatedClock:
    """A clock that never waits: time is whatever the sources' schedules say it is."""

    realtime = False

    def __init__(self, start: float = 1000.0) -> None:
        self._start = start

    def now(self) -> float:
        return self._start

    def sleep_until(self, moment: float) -> None:
        return None
