"""Synthetic camera and microphone for tests, benchmarks and `--demo`.

They share one clapper: from source time 1.0 s and every 2.0 s after, the camera shows an
all-white frame and the microphone a 100 ms beep at 1 kHz, at the same instant. Everything
else is a dark moving test pattern with a visible clock, and low noise. Finding both in a
recorded file measures how far audio and video have slipped apart.

The camera's frames sit on its nominal frame grid, so a flash always falls on a frame; it can
deliver fewer frames than that grid (never skipping a flash), jitter its timestamps and
stall. The microphone's sample clock can drift (ppm) from the camera's and the system's, as
a real sound card's crystal does. With a SimulatedClock nothing sleeps: an hour of drift
takes as long as the recorder needs to take the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.capture.clock import Clock
from kiosk.capture.frames import AudioBlock, VideoFrame
from kiosk.capture.stamping import FrameStamping

FLASH_FIRST_S = 1.0
FLASH_PERIOD_S = 2.0
BEEP_S = 0.1
BEEP_HZ = 1000.0
BEEP_AMPLITUDE = 0.5 * 32767
NOISE_AMPLITUDE = 40


@dataclass(frozen=True)
class SyntheticOptions:
    width: int = 1280
    height: int = 720
    fps: float = 30.0
    sample_rate: int = 48_000
    block_samples: int = 960  # 20 ms at 48 kHz
    shortfall: float = 0.0  # fraction of the nominal frames the camera does not deliver
    jitter_ms: float = 0.0  # each frame's timestamp is off by up to this much, either way
    stall_at_s: float | None = None  # the camera delivers nothing from here ...
    stall_s: float = 0.0  # ... for this long
    drift_ppm: float = 0.0  # the microphone's sample clock runs fast (+) or slow (-) by this
    camera_gone_at_s: float | None = None  # the camera is unplugged at this source time
    microphone_gone_at_s: float | None = None  # likewise the microphone
    camera_fails_at_s: float | None = None  # the camera's driver raises an error here
    beeps: bool = True  # False: a quiet room (noise only), as when nobody speaks
    seed: int = 7


class Clapper:
    """The shared instants: source time 1.0 s, 3.0 s, 5.0 s, ... after `epoch`."""

    def __init__(self, epoch: float) -> None:
        self.epoch = epoch

    @staticmethod
    def is_flash_frame(index: int, fps: float) -> bool:
        """Whether frame `index` of a camera with this nominal rate falls on a flash."""
        k = round((index / fps - FLASH_FIRST_S) / FLASH_PERIOD_S)
        return k >= 0 and round((FLASH_FIRST_S + k * FLASH_PERIOD_S) * fps) == index

    @staticmethod
    def beeping(source_times: np.ndarray) -> np.ndarray:
        since_first = source_times - FLASH_FIRST_S
        return (since_first >= 0) & (np.mod(since_first, FLASH_PERIOD_S) < BEEP_S)


class SyntheticCamera:
    def __init__(self, clapper: Clapper, clock: Clock, options: SyntheticOptions) -> None:
        self.width, self.height, self.fps = options.width, options.height, options.fps
        self.stamping = FrameStamping.DEVICE  # its schedule is its own clock
        self._clapper, self._clock, self._options = clapper, clock, options
        self._rng = np.random.default_rng(options.seed)
        self._index = 0
        self._base = _dark_pattern(options.width, options.height)
        self._white = np.full((options.height, options.width, 3), 255, np.uint8)
        self.delivered = 0
        self.nominal = 0  # frames the nominal rate would have delivered so far

    def open(self) -> None:
        return None

    def close(self) -> None:
        return None

    def read(self) -> VideoFrame | None:
        while True:
            index = self._index
            self._index += 1
            if not self._delivers(index):
                continue
            self.nominal = index + 1
            source_time = index / self.fps
            gone = self._options.camera_gone_at_s
            if gone is not None and source_time >= gone:
                return None
            fails = self._options.camera_fails_at_s
            if fails is not None and source_time >= fails:
                raise RuntimeError("synthetic camera driver error")
            jitter = self._options.jitter_ms / 1000.0
            stamp = self._clapper.epoch + source_time
            if jitter:
                stamp += float(self._rng.uniform(-jitter, jitter))
            self._clock.sleep_until(stamp)
            self.delivered += 1
            if Clapper.is_flash_frame(index, self.fps):
                return VideoFrame(self._white, stamp)
            return VideoFrame(self._pattern(index, source_time), stamp)

    def _delivers(self, index: int) -> bool:
        options = self._options
        source_time = index / self.fps
        if options.stall_at_s is not None and (
            options.stall_at_s <= source_time < options.stall_at_s + options.stall_s
        ):
            return False
        if Clapper.is_flash_frame(index, self.fps):
            return True
        keep = 1.0 - options.shortfall
        # An even spread of the delivered frames over the grid (no burst of missing ones).
        return math.floor((index + 1) * keep) > math.floor(index * keep)

    def _pattern(self, index: int, source_time: float) -> np.ndarray:
        image = self._base.copy()
        width, height = self.width, self.height
        x = int((index * 7) % max(1, width - width // 10))
        cv2.rectangle(image, (x, height // 3), (x + width // 10, 2 * height // 3),
                      (90, 60, 40), thickness=-1)
        scale = height / 360
        cv2.putText(image, f"{source_time:9.3f} s  #{index}", (width // 20, height - height // 10),
                    cv2.FONT_HERSHEY_SIMPLEX, scale, (150, 150, 150), max(1, int(2 * scale)))
        return image


class SyntheticMicrophone:
    def __init__(self, clapper: Clapper, clock: Clock, options: SyntheticOptions) -> None:
        self.sample_rate = options.sample_rate
        self.stamping = FrameStamping.SAMPLES
        self._clapper, self._clock, self._options = clapper, clock, options
        self._rng = np.random.default_rng(options.seed + 1)
        self._next_sample = 0
        # Samples per second of system time: a sound card whose crystal drifts.
        self._true_rate = options.sample_rate * (1.0 + options.drift_ppm * 1e-6)

    def open(self) -> None:
        return None

    def close(self) -> None:
        return None

    def read(self) -> AudioBlock | None:
        count = self._options.block_samples
        first = self._next_sample
        gone = self._options.microphone_gone_at_s
        if gone is not None and first / self._true_rate >= gone:
            return None
        self._next_sample += count
        source_times = (first + np.arange(count)) / self._true_rate
        samples = self._rng.integers(-NOISE_AMPLITUDE, NOISE_AMPLITUDE + 1, count).astype(
            np.float64
        )
        beep = Clapper.beeping(source_times) & self._options.beeps
        if beep.any():
            samples[beep] += BEEP_AMPLITUDE * np.sin(2 * np.pi * BEEP_HZ * source_times[beep])
        start = self._clapper.epoch + first / self._true_rate
        # A block is handed over once its last sample has been taken.
        self._clock.sleep_until(start + count / self._true_rate)
        return AudioBlock(samples.astype(np.int16), start)


def _dark_pattern(width: int, height: int) -> np.ndarray:
    ramp = np.linspace(20, 60, width, dtype=np.float32)
    image = np.empty((height, width, 3), np.uint8)
    image[:] = ramp[None, :, None].astype(np.uint8)
    image[:, :, 0] = np.clip(image[:, :, 0].astype(np.int16) + 15, 0, 255).astype(np.uint8)
    step = max(8, height // 12)
    image[::step, :, :] = 70
    image[:, ::step, :] = 70
    return image


def synthetic_pair(
    clock: Clock, options: SyntheticOptions | None = None
) -> tuple[SyntheticCamera, SyntheticMicrophone]:
    """A camera and a microphone sharing one clapper that starts now."""
    options = options or SyntheticOptions()
    clapper = Clapper(epoch=clock.now())
    return SyntheticCamera(clapper, clock, options), SyntheticMicrophone(clapper, clock, options)
