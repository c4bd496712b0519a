"""OpenCV, imported once with the booth's defaults, and which of its backends open a camera.

OpenCV writes its own warnings to stderr (five `[ WARN:0@0.079] global cap_v4l.cpp...` lines
for a machine without a camera); our messages say it in our words, so only its errors
remain. On Windows the Media Foundation backend can take many seconds to open some webcams
while it sets up hardware transforms: they are off unless IT sets the variable, and
DirectShow is tried when Media Foundation cannot open the camera.
"""

from __future__ import annotations

import os
import sys

from kiosk.config import CAMERA_BACKENDS

_QUIET = "OPENCV_LOG_LEVEL" not in os.environ  # IT may ask for OpenCV's own words
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
if sys.platform == "win32":
    os.environ.setdefault("OPENCV_VIDEOIO_MSMF_ENABLE_HW_TRANSFORMS", "0")

import cv2  # noqa: E402  (the variables above are read when OpenCV loads)

if _QUIET:  # also when another module loaded OpenCV before these variables were set
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)

# [recording] camera_backend: "auto", or one of OpenCV's backends by its lower-case name.
BACKENDS: dict[str, int] = {name: getattr(cv2, f"CAP_{name.upper()}")
                            for name in CAMERA_BACKENDS if name != "auto"}


def backends_to_try(setting: str, *, device: bool, platform: str = sys.platform) -> list[int]:
    """The OpenCV backends to open a camera with, in order.

    A named backend alone. "auto": for a device on Windows Media Foundation then
    DirectShow (the usual fallback for webcams MSMF cannot open); everywhere else OpenCV's
    own choice (V4L2 for a Linux device, FFmpeg for a URL or a file).
    """
    if setting != "auto":
        return [BACKENDS[setting]]
    if device and platform == "win32":
        return [cv2.CAP_MSMF, cv2.CAP_DSHOW]
    return [cv2.CAP_ANY]
