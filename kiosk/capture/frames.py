"""What sources hand to the recorder: stamped video frames and audio blocks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class VideoFrame:
    image: np.ndarray  # height x width x 3, uint8, BGR (OpenCV's order)
    t: float  # when it was taken, on the clock's timeline (kiosk.capture.stamping)


@dataclass(frozen=True, slots=True)
class AudioBlock:
    samples: np.ndarray  # int16, mono
    t: float  # when the first sample was taken (the ADC time), on the clock's timeline
