"""One timeline for audio and video, with the audio sample clock as master.

The output file's time is the count of audio samples written. Every video frame is placed at
the output slot its capture time falls on, read through the measured relation between the
capture clock and the sample clock, so a camera that is short of its rate, jitters or stalls,
and a sound card whose clock drifts, still give a constant-rate file that plays at true speed
and in sync: gaps are filled by repeating the last frame, surplus frames are dropped.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np


class AudioClock:
    """Where a capture time falls on the sample clock, fitted over the recent audio blocks.

    A straight line through (ADC time, samples so far) over a sliding window follows the
    sound card's drift and smooths its timing jitter.
    """

    def __init__(self, sample_rate: int, window_s: float = 30.0, refit_every: int = 25) -> None:
        self.sample_rate = sample_rate
        self._window_s = window_s
        self._refit_every = refit_every
        self._points: deque[tuple[float, int]] = deque()
        self._since_fit = 0
        self._anchor_t = 0.0
        self._anchor_n = 0.0
        self._rate = float(sample_rate)
        self.samples = 0  # samples written to the output so far

    def add_block(self, t: float, count: int) -> None:
        """A block of `count` samples whose first sample was taken at capture time `t`."""
        self._points.append((t, self.samples))
        self.samples += count
        while self._points and self._points[0][0] < t - self._window_s:
            self._points.popleft()
        self._since_fit += 1
        if len(self._points) == 1 or self._since_fit >= self._refit_every:
            self._refit()

    def seconds_at(self, t: float) -> float:
        """The output time (seconds of audio) at which capture time `t` happened."""
        return (self._anchor_n + (t - self._anchor_t) * self._rate) / self.sample_rate

    def _refit(self) -> None:
        self._since_fit = 0
        times = np.fromiter((p[0] for p in self._points), np.float64, len(self._points))
        counts = np.fromiter((p[1] for p in self._points), np.float64, len(self._points))
        self._anchor_t = float(times.mean())
        if len(times) >= 2 and times[-1] - times[0] > 0.5:
            centred = times - self._anchor_t
            self._rate = float(np.dot(centred, counts - counts.mean()) / np.dot(centred, centred))
        self._anchor_n = float(counts.mean())


@dataclass(frozen=True, slots=True)
class Placement:
    """Write `image` `count` times (count 0: the frame came in a slot already filled)."""

    image: np.ndarray | None
    count: int


class VideoSlots:
    """Turns stamped frames into a constant frame rate: repeat to fill gaps, drop surplus.

    A frame goes to the slot nearest its time. A camera's timestamps jitter by a few ms, so
    two frames taken one period apart can round to one slot; the later one then takes the
    next free slot if it is within `push_limit` of it, rather than being dropped.
    """

    push_limit = 0.75  # slots

    def __init__(self, fps: float) -> None:
        self.fps = fps
        self.written = 0  # output slots filled so far
        self.repeated = 0  # slots filled with a repeat of the previous frame
        self.surplus = 0  # frames that fell in a slot already filled (the camera's extra)
        self._last: np.ndarray | None = None

    def place(self, seconds: float, image: np.ndarray) -> list[Placement]:
        """Where a frame captured at output time `seconds` goes; what to write, in order."""
        position = seconds * self.fps
        slot = math.floor(position + 0.5)
        if slot < self.written:
            if self.written - position > self.push_limit:
                self.surplus += 1
                return []
            slot = self.written
        plan = []
        gap = slot - self.written
        if gap:
            # Before the first frame there is nothing to repeat: the first frame stands in.
            plan.append(Placement(self._last if self._last is not None else image, gap))
            self.repeated += gap
        plan.append(Placement(image, 1))
        self.written = slot + 1
        self._last = image
        return plan

    def fill_to(self, seconds: float) -> Placement | None:
        """Repeat the last frame up to output time `seconds` (the end of the audio)."""
        target = math.floor(seconds * self.fps + 0.5)
        if self._last is None or target <= self.written:
            return None
        count = target - self.written
        self.written = target
        self.repeated += count
        return Placement(self._last, count)
