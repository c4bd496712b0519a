"""Choosing and opening the sources: real devices from the settings, or the synthetic pair."""

from __future__ import annotations

import glob
import sys
import threading
from dataclasses import dataclass

from kiosk.capture.clock import Clock, SystemClock
from kiosk.capture.live import LiveSources
from kiosk.capture.opencv_camera import OpenCVCamera
from kiosk.capture.sounddevice_microphone import (
    SoundDeviceMicrophone,
    input_devices,
    microphone_name,
)
from kiosk.capture.sources import SourceError
from kiosk.capture.synthetic import SyntheticOptions, synthetic_pair
from kiosk.config import RecordingSettings

SYNTHETIC = "synthetic"


def open_sources(
    recording: RecordingSettings,
    *,
    demo: bool = False,
    camera: str | None = None,
    microphone: str | None = None,
    clock: Clock | None = None,
    demo_options: SyntheticOptions | None = None,
) -> LiveSources:
    """Started LiveSources; SourceError (a message for a person) if a device cannot open.

    `demo` makes both sources synthetic; a camera or microphone spec "synthetic" makes just
    that one synthetic (a real microphone with the test pattern, say).
    """
    clock = clock or SystemClock()
    camera_spec = "synthetic" if demo else (camera or recording.camera)
    mic_spec = "synthetic" if demo else (
        microphone if microphone is not None else recording.microphone)
    options = demo_options or SyntheticOptions(
        width=recording.width, height=recording.height, fps=recording.fps,
        sample_rate=recording.sample_rate)
    synthetic_camera, synthetic_microphone = synthetic_pair(clock, options)
    live = LiveSources(
        synthetic_camera if camera_spec == SYNTHETIC else OpenCVCamera(
            camera_spec, width=recording.width, height=recording.height, fps=recording.fps,
            clock=clock),
        synthetic_microphone if mic_spec == SYNTHETIC else SoundDeviceMicrophone(
            mic_spec, sample_rate=recording.sample_rate, clock=clock),
        clock,
    )
    live.start()
    return live


def list_devices(recording: RecordingSettings, *, probe_indices: int = 4) -> dict[str, list]:
    """Cameras that open (the configured one, indices 0..N, device files) and microphones."""
    candidates = [recording.camera, *map(str, range(probe_indices))]
    if sys.platform.startswith("linux"):
        candidates += sorted(glob.glob("/dev/video*"))
    cameras, seen = [], set()
    for spec in candidates:
        if spec in seen:
            continue
        seen.add(spec)
        camera = OpenCVCamera(spec, open_timeout_s=3)
        try:
            camera.open()
        except SourceError:
            continue
        frame = camera.read()
        camera.close()
        if frame is not None:
            cameras.append({"spec": spec, "kind": camera.kind,
                            "width": frame.image.shape[1], "height": frame.image.shape[0]})
    return {"cameras": cameras, "microphones": input_devices()}


@dataclass(frozen=True)
class DeviceProbe:
    """Whether the configured camera or microphone answers, in words for the admin."""

    found: bool
    message: str


def probe_camera(recording: RecordingSettings, *, timeout_s: float = 8.0) -> DeviceProbe:
    """Open the configured camera and read one frame, giving up after about `timeout_s`.

    Only the configured camera: probing every index as `list_devices` does takes seconds
    per missing device, and the admin asks about the one the booth records from. The
    camera is let go at once, so the kiosk can open it next.
    """
    spec = recording.camera
    if spec == SYNTHETIC:
        return DeviceProbe(True, "The synthetic test pattern (demo).")
    outcome: list[SourceError | bool] = []

    def attempt() -> None:
        camera = OpenCVCamera(spec, width=recording.width, height=recording.height,
                              fps=recording.fps, open_timeout_s=timeout_s)
        try:
            camera.open()
        except SourceError as exc:
            outcome.append(exc)
            return
        try:
            outcome.append(camera.read() is not None)
        finally:
            camera.close()

    # OpenCV's open is bounded by the camera itself; a read from a stalled network camera
    # is not, so the whole attempt runs on a helper that is left behind if it hangs.
    helper = threading.Thread(target=attempt, name=f"probe camera {spec}", daemon=True)
    helper.start()
    helper.join(timeout_s + 2)
    if not outcome:
        return DeviceProbe(False, f"The camera '{spec}' opened but gave no picture within "
                                  f"{timeout_s:g} s.")
    result = outcome[0]
    if isinstance(result, SourceError):
        return DeviceProbe(False, str(result))
    if not result:
        return DeviceProbe(False, f"The camera '{spec}' opens but gives no picture.")
    return DeviceProbe(True, f"The camera '{spec}' gives a picture.")


def probe_microphone(recording: RecordingSettings) -> DeviceProbe:
    """Open the configured microphone and let go of it again."""
    spec = recording.microphone
    if spec == SYNTHETIC:
        return DeviceProbe(True, "The synthetic tone (demo).")
    name = microphone_name(spec)
    microphone = SoundDeviceMicrophone(spec, sample_rate=recording.sample_rate)
    try:
        microphone.open()  # its SourceError names the microphones that are there
    except SourceError as exc:
        return DeviceProbe(False, str(exc))
    microphone.close()
    return DeviceProbe(True, f"{name} opens at {recording.sample_rate} Hz.")
