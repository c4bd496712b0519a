"""When a frame or a sound block happened, on the capture clock: the source's own clock where
it has one, the moment it was read only where it has none.

A frame is read some time after it was taken: a webcam's by a frame period or more, a
network camera's by its buffering, and on joining a stream OpenCV hands over half a second of
old frames within a few milliseconds. Stamping each with the moment it was read puts them
late, and a burst all at once. The source's own times (V4L2's buffer time, a stream's PTS,
a microphone's sample count) are regular; what is needed is where they sit on our clock.

Every read happens after the moment it carries, by a delay that is never negative and
sometimes close to its least: so the least (read time - source time) over a sliding window
is the source clock's offset (plus the least delay), unbent by any queue or burst, and the
window lets it follow the slow drift between two crystals.
"""

from __future__ import annotations

from collections import deque
from enum import StrEnum

# Long enough to hold a frame that came with the least delay; short enough that 300 ppm of
# drift moves the estimate by at most 3 ms before the window lets go of the old minimum.
WINDOW_S = 10.0
# A source time that steps back, or jumps ahead of the read time by more than this, is not
# the same clock any more (a stream restarted, a timestamp wrapped): start again from it.
JUMP_S = 2.0


class FrameStamping(StrEnum):
    """How a source's data is stamped (said in each part's stats)."""

    DEVICE = "device"  # the source's own timestamps (V4L2 buffer time, stream PTS) mapped
    READ = "read"  # the moment read() returned: only where the source gives no usable time
    SAMPLES = "samples"  # a microphone's sample count, mapped (its ADC time is unusable)
    ADC = "adc"  # a microphone's ADC time, as PortAudio reports it


class SourceClock:
    """Maps a source's own times to the capture clock: source time + least recent delay."""

    def __init__(self, window_s: float = WINDOW_S) -> None:
        self._window_s = window_s
        # (read time, read time - source time), offsets increasing: the sliding minimum.
        self._offsets: deque[tuple[float, float]] = deque()
        self._last_source: float | None = None
        self._last_read = 0.0
        self.restarts = 0  # times the source clock jumped and the estimate began again

    def stamp(self, source_t: float, read_t: float) -> float:
        """The capture-clock time of something the source stamped `source_t`, read at `read_t`."""
        if self._last_source is not None and self._jumped(source_t, read_t):
            self._offsets.clear()
            self.restarts += 1
        self._last_source, self._last_read = source_t, read_t
        offset = read_t - source_t
        offsets = self._offsets
        while offsets and offsets[-1][1] >= offset:
            offsets.pop()
        offsets.append((read_t, offset))
        while offsets[0][0] < read_t - self._window_s:
            offsets.popleft()
        return source_t + offsets[0][1]

    def _jumped(self, source_t: float, read_t: float) -> bool:
        assert self._last_source is not None
        source_step = source_t - self._last_source
        read_step = read_t - self._last_read
        return source_step < 0 or source_step > read_step + JUMP_S
