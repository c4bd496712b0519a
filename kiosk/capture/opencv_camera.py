"""A camera through OpenCV: a device index, a device path, a network URL or a video file.

Each frame is stamped the moment `read` returns it. A file is paced to its own frame rate and
loops, so it can stand in for a webcam. Opening runs on a helper thread with a time limit,
because OpenCV can block for a long time on a dead URL or a busy device.
"""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np

from kiosk.capture.clock import Clock, SystemClock
from kiosk.capture.frames import VideoFrame
from kiosk.capture.sources import SourceError

NETWORK_SCHEMES = ("rtsp://", "rtsps://", "http://", "https://", "udp://", "tcp://")
# Consecutive failed reads after which a device counts as gone (about a second at 30 fps).
LOST_AFTER_FAILED_READS = 30


def describe_camera_spec(spec: str) -> str:
    """What kind of source a camera spec names: index, url, file or device."""
    text = spec.strip()
    if text.isdigit():
        return "index"
    if text.lower().startswith(NETWORK_SCHEMES):
        return "url"
    if Path(text).is_file():
        return "file"
    return "device"


class OpenCVCamera:
    def __init__(
        self,
        spec: str,
        *,
        width: int = 1280,
        height: int = 720,
        fps: float = 30.0,
        clock: Clock | None = None,
        open_timeout_s: float = 10.0,
    ) -> None:
        self.spec = spec.strip()
        self.kind = describe_camera_spec(self.spec)
        self.width, self.height, self.fps = width, height, fps
        self._clock = clock or SystemClock()
        self._open_timeout_s = open_timeout_s
        self._capture: cv2.VideoCapture | None = None
        self._file_fps = fps
        self._file_start = 0.0
        self._file_frames = 0
        self.failed_reads = 0

    def open(self) -> None:
        result: list[cv2.VideoCapture] = []
        failure: list[str] = []
        given_up = threading.Event()

        def attempt() -> None:
            try:
                source: int | str = int(self.spec) if self.kind == "index" else self.spec
                capture = cv2.VideoCapture(source)
                if self.kind in ("index", "device") and capture.isOpened():
                    capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
                    capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
                    capture.set(cv2.CAP_PROP_FPS, self.fps)
            except Exception as exc:  # reported below, as a SourceError
                failure.append(str(exc))
                return
            if given_up.is_set():
                capture.release()  # opened too late: free the device for the next try
            else:
                result.append(capture)

        opener = threading.Thread(target=attempt, name=f"open camera {self.spec}", daemon=True)
        opener.start()
        opener.join(self._open_timeout_s)
        if opener.is_alive():
            given_up.set()
            raise SourceError(
                f"The camera '{self.spec}' did not open within {self._open_timeout_s:g} s. "
                f"Check that it is plugged in and not used by another program.",
                device="camera",
            )
        if failure or not result:
            reason = failure[0] if failure else "no answer"
            raise SourceError(f"The camera '{self.spec}' cannot be opened ({reason}).",
                              device="camera")
        capture = result[0]
        if not capture.isOpened():
            capture.release()
            raise SourceError(f"The camera '{self.spec}' cannot be opened ({self.kind}).",
                              device="camera")
        if self.kind == "file":
            reported = capture.get(cv2.CAP_PROP_FPS)
            self._file_fps = reported if 1 <= reported <= 240 else self.fps
            self._file_start = self._clock.now()
        self._capture = capture

    def read(self) -> VideoFrame | None:
        capture = self._capture
        if capture is None:
            return None
        if self.kind == "file":
            self._clock.sleep_until(self._file_start + self._file_frames / self._file_fps)
        ok, image = capture.read()
        if not ok and self.kind == "file":
            capture.set(cv2.CAP_PROP_POS_FRAMES, 0)  # loop
            ok, image = capture.read()
        stamp = self._clock.now()
        if not ok or image is None:
            self.failed_reads += 1
            if self.kind == "file" or self.failed_reads >= LOST_AFTER_FAILED_READS:
                return None
            return self.read()
        self.failed_reads = 0
        self._file_frames += 1
        return VideoFrame(self._fit(image), stamp)

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def _fit(self, image: np.ndarray) -> np.ndarray:
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        if image.shape[1] != self.width or image.shape[0] != self.height:
            image = cv2.resize(image, (self.width, self.height), interpolation=cv2.INTER_AREA)
        return image
