"""The one small interface every camera and microphone meets, whatever is behind it."""

from __future__ import annotations

from typing import Protocol

from kiosk.capture.frames import AudioBlock, VideoFrame
from kiosk.capture.stamping import FrameStamping
from kiosk.errors import KioskError


class SourceError(KioskError):
    """A camera or microphone cannot be opened or used; the message says which and why.

    The message is for IT (it names the device and the driver's reason); `device`
    ("camera" or "microphone", None if unknown) lets a screen say it in plain words.
    """

    def __init__(self, message: str, *, device: str | None = None) -> None:
        super().__init__(message)
        self.device = device


class Camera(Protocol):
    width: int
    height: int
    fps: float
    stamping: FrameStamping  # how its frames are stamped, once it has delivered a few

    def open(self) -> None:
        """Start delivering frames; raise SourceError within a bounded time if it cannot."""
        ...

    def read(self) -> VideoFrame | None:
        """The next frame, stamped when it was taken; None once the camera is gone."""
        ...

    def close(self) -> None: ...


class Microphone(Protocol):
    sample_rate: int
    stamping: FrameStamping

    def open(self) -> None:
        """Start capturing; raise SourceError within a bounded time if it cannot."""
        ...

    def read(self) -> AudioBlock | None:
        """The next block of mono int16 samples with its ADC time; None once the mic is gone."""
        ...

    def close(self) -> None: ...
