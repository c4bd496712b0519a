"""Frames and sound blocks stamped by their source's own clock (kiosk.capture.stamping), the
booth's latency setting, and the small code paths written for Windows booths."""

from __future__ import annotations

import dataclasses
import random
import subprocess
import types
from pathlib import Path

import numpy as np
import pytest
import sounddevice as sd

from kiosk.capture.checkup import jerky_below
from kiosk.capture.devices import named_cameras, probe_camera
from kiosk.capture.opencv_backends import backends_to_try, cv2
from kiosk.capture.opencv_camera import OpenCVCamera
from kiosk.capture.sounddevice_microphone import SoundDeviceMicrophone, host_api_settings
from kiosk.capture.stamping import FrameStamping, SourceClock
from kiosk.capture.synthetic import SyntheticOptions
from kiosk.config import RecordingSettings
from kiosk.media.clapper import clapper_matches, median_offset_ms
from kiosk.media.ffmpeg import ffmpeg_exe
from kiosk.media.merge import merge_parts
from tests.engine import SMALL, record_parts

FPS = 25.0


def _live_camera(seconds: float, *, offset: float, burst: int, drift_ppm: float = 0.0,
                 seed: int = 3) -> list[tuple[float, float, float]]:
    """(source time, read time, true time) of a network camera joined mid-stream: `burst`
    old frames handed over within 10 ms, then each read 5-40 ms after it was taken."""
    rng = random.Random(seed)
    frames = []
    join = burst / FPS
    for index in range(int(seconds * FPS)):
        source_t = index / FPS
        true_t = offset + source_t * (1 + drift_ppm * 1e-6)
        if index < burst:
            read_t = offset + join + 0.005 + index * 0.01 / burst
        else:
            read_t = true_t + 0.005 + rng.random() * 0.035
        frames.append((source_t, read_t, true_t))
    return frames


def test_a_burst_of_buffered_frames_does_not_bend_the_device_stamps() -> None:
    clock = SourceClock()
    frames = _live_camera(10, offset=500.0, burst=12)
    errors = [clock.stamp(source, read) - true for source, read, true in frames]
    # The burst is read at once, before anything is known; from the first live frame on,
    # a stamp is late by the least delay seen so far, which comes down to the true least.
    after = np.array(errors[12:])
    assert after.min() >= 0.005 - 1e-9 and after.max() < 0.015
    settled = after[int(FPS):]  # from the first second on
    assert np.ptp(settled) < 0.002 and abs(settled.mean() - 0.005) < 0.002
    read_errors = np.array([read - true for _, read, true in frames[13:]])
    assert np.ptp(read_errors) > 0.03  # what read-time stamping would have given


def test_the_stamps_follow_a_drifting_camera_clock_for_an_hour() -> None:
    clock = SourceClock()
    frames = _live_camera(3600, offset=10.0, burst=0, drift_ppm=300)
    errors = np.array([clock.stamp(source, read) - true for source, read, true in frames])
    # 300 ppm is 1.08 s over the hour; the window's minimum lags by at most 10 s of it.
    settled = errors[int(5 * FPS):] - 0.005
    assert settled.max() < 0.004 and settled.min() > -0.0031


def test_a_source_clock_that_jumps_back_starts_the_estimate_again() -> None:
    clock = SourceClock()
    for source, read, _ in _live_camera(3, offset=100.0, burst=0):
        clock.stamp(source, read)
    # The stream restarts: its times begin at zero again, 3 s later on our clock.
    later = [(s, r + 3.0, t + 3.0) for s, r, t in _live_camera(3, offset=100.0, burst=0)]
    errors = [clock.stamp(source, read) - true for source, read, true in later]
    assert clock.restarts == 1
    assert max(errors[5:]) < 0.04


def test_a_video_file_is_stamped_by_its_frame_count(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    parts = record_parts(tmp_path / "parts", [2.0], SyntheticOptions(**SMALL, fps=FPS),
                         record_fps=FPS)
    merge_parts([p.files for p in parts], clip)
    device = OpenCVCamera(str(clip), width=160, height=90)
    read = OpenCVCamera(str(clip), width=160, height=90, stamping=FrameStamping.READ)
    gaps = {}
    for name, camera in (("device", device), ("read", read)):
        camera.open()
        try:
            stamps = [camera.read().t for _ in range(30)]  # type: ignore[union-attr]
        finally:
            camera.close()
        gaps[name] = np.diff(stamps)
    assert device.stamping is FrameStamping.DEVICE and read.stamping is FrameStamping.READ
    # On its own schedule, however late a read returns (the decoder starts slower).
    assert np.abs(gaps["device"] - 1 / FPS).max() < 1e-9
    assert np.abs(gaps["read"] - 1 / FPS).max() > 1e-6
    assert device.agreed is not None and device.agreed.fps == FPS


def _block(mic: SoundDeviceMicrophone, adc: float, current: float, now: float) -> float:
    """What the microphone's PortAudio callback stamps a 20 ms block with."""
    mic._clock = types.SimpleNamespace(now=lambda: now, realtime=True)  # type: ignore
    info = types.SimpleNamespace(inputBufferAdcTime=adc, currentTime=current)
    mic._on_block(np.zeros((960, 1), np.int16), 960, info, sd.CallbackFlags())
    return mic.read().t  # type: ignore[union-attr]


@pytest.mark.parametrize("bad_adc", ["zero", "jumps"])
def test_a_microphone_without_a_usable_adc_time_is_stamped_by_its_sample_count(
    bad_adc: str
) -> None:
    mic = SoundDeviceMicrophone()
    rng = random.Random(5)
    stamps = []
    for index in range(200):
        taken = 50.0 + index * 0.02
        # The sound server hands blocks over in bursts: up to 60 ms late, unevenly.
        now = taken + 0.02 + 0.002 + rng.random() * 0.06
        adc = 0.0 if bad_adc == "zero" else taken + (0.5 if index == 40 else 0.0)
        stamps.append(_block(mic, adc, now, now))
    assert mic.stamping is FrameStamping.SAMPLES
    late = np.array(stamps[60:]) - (50.0 + np.arange(60, 200) * 0.02)
    assert np.ptp(late) < 0.002  # regular, though the callbacks came up to 60 ms apart


def test_a_microphone_with_a_steady_adc_time_keeps_it() -> None:
    mic = SoundDeviceMicrophone()
    stamps = [_block(mic, 7.0 + i * 0.02, 7.0 + i * 0.02 + 0.03, 900.0 + i * 0.02 + 0.03)
              for i in range(50)]
    assert mic.stamping is FrameStamping.ADC
    assert stamps == pytest.approx([900.0 + i * 0.02 for i in range(50)], abs=1e-6)


def test_the_booths_latency_setting_moves_the_picture_against_the_sound(
    tmp_path: Path
) -> None:
    offsets = {}
    for shift_ms in (0, 100):
        folder = tmp_path / f"shift{shift_ms}"
        parts = record_parts(folder / "parts", [6.0], av_offset_s=shift_ms / 1000)
        movie = folder / "answer.mp4"
        merge_parts([p.files for p in parts], movie)
        offsets[shift_ms] = median_offset_ms(clapper_matches(movie))
    assert offsets[0] is not None and offsets[100] is not None
    assert abs(offsets[0]) <= 1
    # The picture placed 100 ms earlier: three frames at 30 fps.
    assert offsets[100] == pytest.approx(-100, abs=1000 / 30 / 2 + 1)


def test_cameras_are_named_as_the_system_knows_them_with_their_stable_paths(
    tmp_path: Path
) -> None:
    sysfs, dev, by_id = tmp_path / "sys", tmp_path / "dev", tmp_path / "by-id"
    for node, name in (("video0", "HD Pro Webcam C920"), ("video1", "HD Pro Webcam C920"),
                       ("video2", "Integrated Camera")):
        (sysfs / node).mkdir(parents=True)
        (sysfs / node / "name").write_text(name + "\n")
        (dev / node).parent.mkdir(exist_ok=True)
        (dev / node).touch()
    by_id.mkdir()
    (by_id / "usb-046d_C920_A1B2-video-index0").symlink_to(dev / "video0")
    (by_id / "usb-046d_C920_A1B2-video-index1").symlink_to(dev / "video1")  # metadata
    cameras = named_cameras(sysfs, by_id)
    assert [(c.device, c.name, c.spec) for c in cameras] == [
        ("/dev/video0", "HD Pro Webcam C920", str(by_id / "usb-046d_C920_A1B2-video-index0")),
        ("/dev/video2", "Integrated Camera", "/dev/video2"),
    ]


def test_windows_booths_get_media_foundation_then_directshow_and_a_converting_wasapi() -> None:
    assert backends_to_try("auto", device=True, platform="win32") == [cv2.CAP_MSMF,
                                                                        cv2.CAP_DSHOW]
    assert backends_to_try("auto", device=False, platform="win32") == [cv2.CAP_ANY]
    assert backends_to_try("auto", device=True, platform="linux") == [cv2.CAP_ANY]
    assert backends_to_try("dshow", device=True, platform="linux") == [cv2.CAP_DSHOW]
    assert isinstance(host_api_settings("Windows WASAPI"), sd.WasapiSettings)
    assert host_api_settings("ALSA") is None and host_api_settings("MME") is None


def test_a_named_backend_that_cannot_open_the_camera_says_which(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    merge_parts([p.files for p in record_parts(tmp_path / "p", [1.0])], clip)
    with pytest.raises(Exception, match="'v4l2' backend"):
        OpenCVCamera(str(clip), backend="v4l2", open_timeout_s=5).open()
    camera = OpenCVCamera(str(clip), backend="ffmpeg")
    camera.open()
    camera.close()
    assert camera.agreed is not None and camera.agreed.backend == "FFMPEG"


def test_the_booth_page_calls_a_camera_short_of_its_rate_jerky_by_the_device_checks_rule(
    tmp_path: Path
) -> None:
    clip = tmp_path / "slow.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
                    "testsrc2=size=320x180:rate=12", "-t", "2", "-c:v", "libx264",
                    "-pix_fmt", "yuv420p", str(clip)], check=True)
    recording = RecordingSettings(camera=str(clip), width=320, height=180, fps=30)
    slow = probe_camera(recording)
    assert slow.found and "12 fps" in slow.message and "jerky" in slow.message
    # 12 fps is jerky for 30 asked (under 20), not for 15 asked (10 and over is smooth).
    assert jerky_below(30) > 12 >= jerky_below(15)
    assert "jerky" not in probe_camera(dataclasses.replace(recording, fps=15)).message
