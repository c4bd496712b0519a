"""Choosing and opening the sources: real devices from the settings, or the synthetic pair."""

from __future__ import annotations

import glob
import sys

from kiosk.capture.clock import Clock, SystemClock
from kiosk.capture.live import LiveSources
from kiosk.capture.opencv_camera import OpenCVCamera
from kiosk.capture.sounddevice_microphone import SoundDeviceMicrophone, input_devices
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
