"""A camera that shows one picture, paced like a real one: a photograph in front of the lens.

It meets kiosk.capture.sources.Camera. Like the synthetic camera, each frame sits on the
camera's own schedule and is handed over when that moment comes on the clock; it can promise
one rate (`fps`, what the camera says) and deliver another (`delivers_fps`, a webcam in dim
light).
"""

from __future__ import annotations

import numpy as np

from kiosk.capture.clock import Clock
from kiosk.capture.frames import VideoFrame
from kiosk.capture.stamping import FrameStamping


class StillCamera:
    def __init__(self, image: np.ndarray, clock: Clock, *, fps: float = 30.0,
                 delivers_fps: float | None = None) -> None:
        self.height, self.width = image.shape[:2]
        self.fps = fps
        self.stamping = FrameStamping.DEVICE  # its schedule is its own clock
        self._clock = clock
        self._period = 1.0 / (delivers_fps or fps)
        self._image = image
        self._start: float | None = None
        self._index = 0
        self.delivered = 0

    def open(self) -> None:
        self._start = self._clock.now()

    def read(self) -> VideoFrame | None:
        if self._start is None:
            return None
        stamp = self._start + self._index * self._period
        self._index += 1
        self._clock.sleep_until(stamp)
        self.delivered += 1
        # A copy per frame, as a real camera hands over a new buffer each time.
        return VideoFrame(self._image.copy(), stamp)

    def close(self) -> None:
        self._start = None
