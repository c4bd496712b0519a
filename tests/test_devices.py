"""Real device code paths with stand-ins: OpenCV on a video file and on a dead URL, sounddevice
on a missing device, and devices that disappear in the middle of an answer."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kiosk.capture.opencv_camera import OpenCVCamera, describe_camera_spec
from kiosk.capture.sources import SourceError
from kiosk.capture.synthetic import SyntheticOptions
from kiosk.media.merge import merge_parts
from kiosk.media.probe import stream_end_times
from kiosk.words import StopReason
from tests.engine import SMALL, record_parts
from tests.pulse import null_sink_server


@pytest.fixture(scope="module")
def short_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two seconds of the synthetic pattern at 25 fps, made by the engine itself."""
    folder = tmp_path_factory.mktemp("video")
    parts = record_parts(folder / "parts", [2.0], SyntheticOptions(**SMALL, fps=25.0),
                         record_fps=25.0)
    movie = folder / "clip.mp4"
    merge_parts([p.files for p in parts], movie)
    return movie


def test_specs_are_told_apart(short_video: Path) -> None:
    assert describe_camera_spec("0") == "index"
    assert describe_camera_spec("rtsp://10.0.0.5/stream") == "url"
    assert describe_camera_spec(str(short_video)) == "file"
    assert describe_camera_spec("/dev/video7") == "device"


def test_a_video_file_is_paced_to_its_rate_loops_and_is_resized(short_video: Path) -> None:
    camera = OpenCVCamera(str(short_video), width=160, height=90, fps=30)
    camera.open()
    try:
        started = time.monotonic()
        frames = [camera.read() for _ in range(75)]  # 3 s at 25 fps: past the end, so it loops
        elapsed = time.monotonic() - started
    finally:
        camera.close()
    assert all(f is not None and f.image.shape == (90, 160, 3) for f in frames)
    stamps = [f.t for f in frames]
    assert stamps == sorted(stamps)
    assert 2.8 <= elapsed <= 3.6  # paced at the file's own 25 fps, not as fast as it decodes


def test_a_camera_index_that_does_not_exist_is_a_clear_error() -> None:
    camera = OpenCVCamera("7", open_timeout_s=5)
    with pytest.raises(SourceError, match="camera '7' cannot be opened"):
        camera.open()


def test_a_network_camera_that_never_answers_times_out(tmp_path: Path) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    held: list[socket.socket] = []
    accepting = threading.Thread(target=lambda: held.append(server.accept()[0]), daemon=True)
    accepting.start()
    camera = OpenCVCamera(f"http://127.0.0.1:{port}/stream.mjpg", open_timeout_s=1.5)
    started = time.monotonic()
    try:
        with pytest.raises(SourceError, match=r"did not open within 1.5 s"):
            camera.open()
    finally:
        server.close()
        for connection in held:
            connection.close()
    assert time.monotonic() - started < 3


def _python_with_a_sound_server(code: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a new interpreter (PortAudio lists devices once, when it loads) that
    sees a PulseAudio null sink as its microphone."""
    with null_sink_server() as env:
        return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, timeout=60, check=False)


def test_a_microphone_that_does_not_exist_lists_the_ones_found() -> None:
    done = _python_with_a_sound_server(
        "from kiosk.capture.sounddevice_microphone import SoundDeviceMicrophone\n"
        "from kiosk.capture.sources import SourceError\n"
        "try:\n"
        "    SoundDeviceMicrophone('No Such Microphone').open()\n"
        "except SourceError as error:\n"
        "    print(error)\n")
    assert "The microphone 'No Such Microphone' cannot be opened" in done.stdout
    assert "pulse" in done.stdout  # the ones that are there are named


def test_devices_lists_a_file_camera_and_the_pulse_microphone(
    data_dir: Path, short_video: Path
) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "kiosk.toml").write_text(f'[recording]\ncamera = "{short_video}"\n')
    with null_sink_server() as env:
        done = subprocess.run([sys.executable, "-m", "kiosk", "devices", "--json"],
                              env={**env, "KIOSK_DATA_DIR": str(data_dir)},
                              capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "WARN" not in done.stderr  # OpenCV's own log lines: said in our words instead
    found = json.loads(done.stdout)
    camera = found["cameras"][0]
    assert camera["spec"] == str(short_video)
    assert camera["kind"] == "file"
    # What the source agreed to, read back: the clip is 25 fps H.264 at the engine's size.
    assert (camera["width"], camera["height"], camera["fps"]) == (
        SMALL["width"], SMALL["height"], 25.0)
    assert camera["fourcc"] == "h264" and camera["backend"] == "FFMPEG"
    assert any(mic["name"] == "pulse" for mic in found["microphones"])


@pytest.mark.parametrize(
    ("gone", "reason"),
    [("camera_gone_at_s", StopReason.CAMERA_LOST),
     ("camera_fails_at_s", StopReason.CAMERA_LOST),  # the driver raises: same as unplugged
     ("microphone_gone_at_s", StopReason.MICROPHONE_LOST)],
)
def test_a_device_that_disappears_ends_the_answer_cleanly_and_keeps_it(
    tmp_path: Path, gone: str, reason: str
) -> None:
    options = SyntheticOptions(**SMALL, **{gone: 3.0})
    (part,) = record_parts(tmp_path / "parts", [20.0], options)
    assert part.reason == reason
    assert 2.5 <= part.duration_s <= 3.0 + 16 / 30 + 0.2
    movie = tmp_path / "kept.mp4"
    merge_parts([part.files], movie)
    ends = stream_end_times(movie)
    assert abs(ends["video"] - ends["audio"]) < 1 / 30


def test_the_default_microphone_is_opened_when_none_is_named() -> None:
    done = _python_with_a_sound_server(
        "from kiosk.capture.sounddevice_microphone import SoundDeviceMicrophone\n"
        "mic = SoundDeviceMicrophone('')\n"
        "mic.open()\n"
        "block = mic.read()\n"
        "mic.close()\n"
        "print(len(block.samples) if block else 'none')\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "960"



def test_observers_see_the_newest_frame_and_a_level_that_follows_the_sound() -> None:
    """The preview and the meter read the sources while nothing records (real time)."""
    from kiosk.capture.clock import SystemClock
    from kiosk.capture.live import SILENCE_DBFS, LiveSources
    from kiosk.capture.synthetic import synthetic_pair

    clock = SystemClock()
    camera, microphone = synthetic_pair(clock, SyntheticOptions(**SMALL))
    live = LiveSources(camera, microphone, clock)
    live.start()
    try:
        assert live.wait_until_live(timeout_s=5)
        stamps, levels = [], []
        deadline = time.monotonic() + 1.6  # spans the beep at source time 1.0 s
        while time.monotonic() < deadline:
            stamps.append(live.latest_frame.t)
            levels.append(live.level_dbfs)
            time.sleep(0.01)
    finally:
        live.close()
    assert len(set(stamps)) >= 30  # a new frame keeps arriving, ~30 a second
    assert stamps == sorted(stamps)
    assert min(levels) < -40 < -10 < max(levels)  # quiet noise, then the beep
    assert min(levels) > SILENCE_DBFS
