"""A camera through OpenCV: a device index, a device path, a network URL or a video file.

Frames carry the source's own time where it has one (V4L2's buffer time, a stream's PTS,
mapped to the capture clock by kiosk.capture.stamping; a file's frame count), so a burst of
buffered frames and the camera's own delay do not bend the timeline; only a source without a
usable time is stamped the moment `read` returns. A device camera is asked for a compressed
format (MJPG, then YUYV) at the configured size and rate and one buffered frame; what it
agreed to is read back (`agreed`), because a webcam that falls back to raw YUYV over USB 2
delivers 5-10 fps. A file is paced to its own frame rate and loops, so it can stand in for a
webcam. Opening runs on a helper thread with a time limit, because OpenCV can block for a
long time on a dead URL or a busy device.
"""

from __future__ import annotations

import itertools
import logging
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from kiosk.capture.clock import Clock, SystemClock
from kiosk.capture.frames import VideoFrame
from kiosk.capture.opencv_backends import backends_to_try, cv2
from kiosk.capture.sources import SourceError
from kiosk.capture.stamping import FrameStamping, SourceClock

log = logging.getLogger(__name__)

NETWORK_SCHEMES = ("rtsp://", "rtsps://", "http://", "https://", "udp://", "tcp://", "rtp://")
# Consecutive failed reads after which a device counts as gone (about a second at 30 fps).
LOST_AFTER_FAILED_READS = 30
# Compressed first: most UVC webcams give 720p30 only as MJPG; YUYV is what all can do.
DEVICE_FOURCCS = ("MJPG", "YUYV")
# A source whose first frames carry no rising time of their own is stamped on reading.
STAMP_TRIAL_FRAMES = 3


@dataclass(frozen=True)
class CameraFormat:
    """What the camera agreed to deliver (before the frames are fitted to the recording)."""

    width: int
    height: int
    fps: float
    fourcc: str  # MJPG, YUYV, or a stream's or file's codec; "" if the backend does not say
    backend: str  # OpenCV's name for what opened it: V4L2, MSMF, DSHOW, FFMPEG ...

    def describe(self) -> str:
        fourcc = f" {self.fourcc}" if self.fourcc else ""
        return f"{self.width}x{self.height} at {self.fps:g} fps{fourcc} ({self.backend})"

    def as_dict(self) -> dict:
        return asdict(self)


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


def _fourcc_text(value: float) -> str:
    code = int(value)
    text = "".join(chr((code >> shift) & 0xFF) for shift in (0, 8, 16, 24))
    return text.strip("\0 ") if text.isprintable() else ""


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
        backend: str = "auto",
        stamping: FrameStamping | None = None,
    ) -> None:
        """`stamping` None: the source's own time where it gives one; READ forces the read
        time (to compare); `backend` is [recording] camera_backend."""
        self.spec = spec.strip()
        self.kind = describe_camera_spec(self.spec)
        self.width, self.height, self.fps = width, height, fps
        self._clock = clock or SystemClock()
        self._open_timeout_s = open_timeout_s
        self._backend = backend
        self._forced = stamping
        self.stamping = stamping or FrameStamping.DEVICE
        self._source_clock = SourceClock()
        self._source_times: list[float] = []
        self._capture: cv2.VideoCapture | None = None
        self._file_fps = fps
        self._file_start = 0.0
        self._file_frames = 0
        self.failed_reads = 0
        self.agreed: CameraFormat | None = None

    def open(self) -> None:
        result: list[cv2.VideoCapture] = []
        failure: list[str] = []
        given_up = threading.Event()

        def attempt() -> None:
            try:
                capture = self._open_capture()
            except Exception as exc:  # reported below, as a SourceError
                failure.append(str(exc))
                return
            if given_up.is_set():
                if capture is not None:
                    capture.release()  # opened too late: free the device for the next try
            elif capture is not None:
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
            reason = failure[0] if failure else f"no {self._backend_words()} answered"
            raise SourceError(f"The camera '{self.spec}' cannot be opened ({reason}).",
                              device="camera")
        capture = result[0]
        self.agreed = self._agreed(capture)
        log.info("camera %s opened: %s", self.spec, self.agreed.describe())
        if self.kind == "file":
            reported = capture.get(cv2.CAP_PROP_FPS)
            self._file_fps = reported if 1 <= reported <= 240 else self.fps
            self._file_start = self._clock.now()
        self._capture = capture

    def _backend_words(self) -> str:
        return "camera driver" if self._backend == "auto" else f"'{self._backend}' backend"

    def _open_capture(self) -> cv2.VideoCapture | None:
        """The first backend that opens the spec, the format asked for; None if none does."""
        device = self.kind in ("index", "device")
        source: int | str = int(self.spec) if self.kind == "index" else self.spec
        if self.kind == "device":
            source = str(Path(self.spec).resolve())  # /dev/v4l/by-id/... is a symlink
        # A network camera's H.264 decoded on several threads is held back a frame per
        # extra thread (measured: 40 ms at 25 fps); one thread keeps up with a camera.
        params = [cv2.CAP_PROP_N_THREADS, 1] if self.kind == "url" else []
        for api in backends_to_try(self._backend, device=device):
            capture = cv2.VideoCapture(source, api, params)
            if not capture.isOpened():
                capture.release()
                continue
            if device:
                self._ask_format(capture)
            return capture
        return None

    def _ask_format(self, capture: cv2.VideoCapture) -> None:
        for fourcc in DEVICE_FOURCCS:
            capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*fourcc))
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            capture.set(cv2.CAP_PROP_FPS, self.fps)
            if _fourcc_text(capture.get(cv2.CAP_PROP_FOURCC)) == fourcc:
                break
        # One buffered frame: the newest is what the candidate should see, not a queue.
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)

    def _agreed(self, capture: cv2.VideoCapture) -> CameraFormat:
        fps = capture.get(cv2.CAP_PROP_FPS)
        return CameraFormat(
            width=int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
            height=int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            fps=round(fps, 3) if 0 < fps < 1000 else 0.0,
            fourcc=_fourcc_text(capture.get(cv2.CAP_PROP_FOURCC)),
            backend=capture.getBackendName())

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
        read_t = self._clock.now()
        if not ok or image is None:
            self.failed_reads += 1
            if self.kind == "file" or self.failed_reads >= LOST_AFTER_FAILED_READS:
                return None
            return self.read()
        self.failed_reads = 0
        stamp = self._stamp(capture, read_t)
        self._file_frames += 1
        return VideoFrame(self._fit(image), stamp)

    def _stamp(self, capture: cv2.VideoCapture, read_t: float) -> float:
        if self.stamping is FrameStamping.READ:
            return read_t
        if self.kind == "file":
            # Its frames are read on its own schedule (see read): that is when they "happen".
            # A looping file's position jumps back; its frame count does not.
            return self._file_start + self._file_frames / self._file_fps
        source_t = capture.get(cv2.CAP_PROP_POS_MSEC) / 1000
        mapped = self._source_clock.stamp(source_t, read_t)  # fed on trial too: a head start
        return read_t if self._trying(source_t) else mapped

    def _trying(self, source_t: float) -> bool:
        """Whether the source's times are still on trial: they must rise over its first
        frames, or its frames are stamped when they are read from then on."""
        times = self._source_times
        if len(times) >= STAMP_TRIAL_FRAMES:
            return False
        times.append(source_t)
        if len(times) == STAMP_TRIAL_FRAMES and not all(
                later > earlier for earlier, later in itertools.pairwise(times)):
            self.stamping = FrameStamping.READ
            log.info("camera %s gives no rising frame times of its own (%s): its frames are "
                     "stamped when they are read", self.spec, ", ".join(f"{t:.3f}" for t in times))
        return True

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
