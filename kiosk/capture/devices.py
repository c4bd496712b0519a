"""Choosing and opening the sources: real devices from the settings, or the synthetic pair."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from kiosk.capture.checkup import jerky_below
from kiosk.capture.clock import Clock, SystemClock
from kiosk.capture.live import LiveSources
from kiosk.capture.opencv_camera import CameraFormat, OpenCVCamera
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
            clock=clock, backend=recording.camera_backend),
        synthetic_microphone if mic_spec == SYNTHETIC else SoundDeviceMicrophone(
            mic_spec, sample_rate=recording.sample_rate, clock=clock),
        clock,
    )
    live.start()
    return live


@dataclass(frozen=True)
class NamedCamera:
    """A camera device as the system knows it (Linux: /sys/class/video4linux)."""

    device: str  # /dev/videoN: changes when cameras are plugged in another order
    name: str  # what the driver calls it: "HD Pro Webcam C920"
    stable: str | None  # /dev/v4l/by-id/...: the same camera, whatever the order

    @property
    def spec(self) -> str:
        """What to put in [recording] camera: the stable path where there is one."""
        return self.stable or self.device


def named_cameras(sysfs: Path = Path("/sys/class/video4linux"),
                  by_id: Path = Path("/dev/v4l/by-id")) -> list[NamedCamera]:
    """The video devices this Linux machine has, with their names and stable paths.

    A webcam often has a second node for its metadata; by-id names the capture one
    "...-video-index0", so a node with a by-id path other than index0 is left out.
    """
    links: dict[str, list[str]] = {}
    for link in sorted(by_id.iterdir()) if by_id.is_dir() else []:
        try:
            links.setdefault(link.resolve(strict=True).name, []).append(str(link))
        except OSError:
            continue  # a link left behind by a camera just unplugged
    cameras = []
    for node in sorted(sysfs.glob("video*"), key=_node_number):
        paths = links.get(node.name, [])
        capture = [path for path in paths if path.endswith("-index0")]
        if paths and not capture:
            continue  # a webcam's metadata node
        try:
            name = (node / "name").read_text(encoding="utf-8").strip()
        except OSError:
            name = node.name
        stable = (capture or paths)[0] if paths else None
        cameras.append(NamedCamera(f"/dev/{node.name}", name or node.name, stable))
    return cameras


def _node_number(node: Path) -> int:
    digits = node.name.removeprefix("video")
    return int(digits) if digits.isdigit() else -1


def list_devices(recording: RecordingSettings, *, probe_indices: int = 4) -> dict[str, list]:
    """Cameras that open (the configured one, the named devices, or indices 0..N when the
    system names none) with the format each agreed to, and the microphones."""
    named = {camera.device: camera for camera in named_cameras()} if (
        sys.platform.startswith("linux")) else {}
    candidates = [recording.camera]
    candidates += [camera.spec for camera in named.values()] or list(
        map(str, range(probe_indices)))
    cameras, seen = [], set()
    for spec in candidates:
        if spec in seen or spec == SYNTHETIC:
            continue
        seen.add(spec)
        camera = OpenCVCamera(spec, width=recording.width, height=recording.height,
                              fps=recording.fps, open_timeout_s=3,
                              backend=recording.camera_backend)
        try:
            camera.open()
        except SourceError:
            continue
        frame = camera.read()
        camera.close()
        if frame is None or camera.agreed is None:
            continue
        device = str(Path(spec).resolve()) if camera.kind == "device" else spec
        known = named.get(device)
        cameras.append({"spec": spec, "kind": camera.kind,
                        "name": known.name if known else "",
                        "device": known.device if known else "",
                        **camera.agreed.as_dict()})
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
    outcome: list[SourceError | CameraFormat | None] = []

    def attempt() -> None:
        camera = OpenCVCamera(spec, width=recording.width, height=recording.height,
                              fps=recording.fps, open_timeout_s=timeout_s,
                              backend=recording.camera_backend)
        try:
            camera.open()
        except SourceError as exc:
            outcome.append(exc)
            return
        try:
            outcome.append(camera.agreed if camera.read() is not None else None)
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
    if result is None:
        return DeviceProbe(False, f"The camera '{spec}' opens but gives no picture.")
    message = f"The camera '{spec}' gives a picture: {result.describe()}."
    if 0 < result.fps < jerky_below(recording.fps):  # the device check's own rule
        message += (f" It agreed to {result.fps:g} fps, not the {recording.fps} asked for: "
                    f"the picture will be jerky (a webcam without MJPG at this size, or a "
                    f"slow USB port).")
    return DeviceProbe(True, message)


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
