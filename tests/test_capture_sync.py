"""The audio-master timeline, without ffmpeg: an hour of drift, stalls and a short camera."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.capture.clock import SimulatedClock
from kiosk.capture.synthetic import (
    BEEP_S,
    FLASH_FIRST_S,
    FLASH_PERIOD_S,
    Clapper,
    SyntheticOptions,
    synthetic_pair,
)
from kiosk.capture.timeline import AudioClock, VideoSlots


def test_flashes_fall_on_the_frame_grid() -> None:
    for fps in (30.0, 25.0, 24.0, 15.0):
        flashes = [i for i in range(int(fps * 12)) if Clapper.is_flash_frame(i, fps)]
        assert [i / fps for i in flashes] == pytest.approx([1.0, 3.0, 5.0, 7.0, 9.0, 11.0])


def test_the_camera_is_short_by_the_fraction_asked_and_keeps_every_flash() -> None:
    options = SyntheticOptions(width=64, height=36, shortfall=0.15, jitter_ms=4)
    camera, _ = synthetic_pair(SimulatedClock(), options)
    frames = [camera.read() for _ in range(2000)]
    assert camera.delivered / camera.nominal == pytest.approx(0.85, abs=0.005)
    stamps = np.array([f.t for f in frames]) - frames[0].t
    flashes = [f.t - camera._clapper.epoch for f in frames if f.image.mean() > 200]
    assert np.all(np.diff(stamps) > 0)
    expected = FLASH_FIRST_S + FLASH_PERIOD_S * np.arange(len(flashes))
    assert np.max(np.abs(np.array(flashes) - expected)) <= 0.004 + 1e-9


def test_a_stalled_camera_delivers_nothing_for_the_stall() -> None:
    options = SyntheticOptions(width=64, height=36, stall_at_s=2.0, stall_s=1.5)
    camera, _ = synthetic_pair(SimulatedClock(), options)
    stamps = np.array([camera.read().t for _ in range(150)]) - camera._clapper.epoch
    gaps = np.diff(stamps)
    assert gaps.max() == pytest.approx(1.5 + 1 / 30, abs=1e-6)
    assert stamps[np.argmax(gaps)] == pytest.approx(2.0 - 1 / 30, abs=1e-6)


def test_the_microphone_beeps_at_the_flashes_on_its_own_drifting_clock() -> None:
    options = SyntheticOptions(drift_ppm=300)
    _, mic = synthetic_pair(SimulatedClock(), options)
    blocks = [mic.read() for _ in range(400)]  # 8 s
    samples = np.concatenate([b.samples for b in blocks])
    loud = np.abs(samples) > 8000
    onsets = np.flatnonzero(loud[1:] & ~np.convolve(loud, np.ones(480), "full")[:len(loud) - 1]
                            .astype(bool)) + 1
    rate = 48_000 * (1 + 300e-6)
    # The sine starts at zero: the threshold is crossed within a quarter period (0.25 ms).
    assert onsets / rate == pytest.approx([1.0, 3.0, 5.0, 7.0], abs=0.25e-3)
    assert np.count_nonzero(loud[onsets[0]: onsets[0] + int(0.2 * rate)]) > 0.5 * BEEP_S * rate


def _flash_and_beep_times(
    options: SyntheticOptions, minutes: float, *, wall_clock_placement: bool = False
) -> tuple[list, list]:
    """Run the timeline over synthetic sources; return (flash slot times, beep times)."""
    camera, mic = synthetic_pair(SimulatedClock(), options)
    epoch = camera._clapper.epoch
    clock = AudioClock(options.sample_rate)
    slots = VideoSlots(options.fps)
    flash_slots, beep_times = [], []
    pending = camera.read()
    end = minutes * 60
    while clock.samples / options.sample_rate < end:
        block = mic.read()
        clock.add_block(block.t, len(block.samples))
        n0 = clock.samples - len(block.samples)
        loud = np.flatnonzero(np.abs(block.samples) > 8000)
        if len(loud) and (not beep_times or (n0 + loud[0]) / options.sample_rate
                          - beep_times[-1] > 1.0):
            beep_times.append((n0 + loud[0]) / options.sample_rate)
        horizon = block.t + len(block.samples) / options.sample_rate
        while pending.t <= horizon:
            seconds = pending.t - epoch if wall_clock_placement else clock.seconds_at(pending.t)
            plan = slots.place(seconds, pending.image)
            if plan and pending.image.mean() > 200:
                flash_slots.append((slots.written - 1) / options.fps)
            pending = camera.read()
    return flash_slots, beep_times


def test_an_hour_of_drift_with_a_short_jittery_camera_stays_within_a_frame() -> None:
    options = SyntheticOptions(width=32, height=18, shortfall=0.15, jitter_ms=3, drift_ppm=300,
                               stall_at_s=600, stall_s=2.0, block_samples=4800)
    flashes, beeps = _flash_and_beep_times(options, minutes=60)
    # The file runs on the sound card's clock: 300 ppm longer than the wall, beep k at
    # (1 + 2k) s of source time.
    expected = (FLASH_FIRST_S + FLASH_PERIOD_S * np.arange(len(beeps))) * (1 + 300e-6)
    assert np.max(np.abs(np.array(beeps) - expected)) < 0.001
    assert len(flashes) == len(beeps) - 1  # the one flash in the stall is lost, not misplaced
    in_stall = (expected >= 600) & (expected < 602.5)
    offsets_ms = (np.array(flashes) - np.array(beeps)[~in_stall]) * 1000
    # A flash is at most one pushed slot (3/4 frame) plus its jitter from its beep ...
    assert np.max(np.abs(offsets_ms)) <= 1000 / 30 * 0.75 + 3 + 0.5
    # ... and on the whole they agree, at the start as after an hour.
    assert abs(np.median(offsets_ms[:30])) < 20
    assert abs(np.median(offsets_ms[-30:])) < 20


def test_placing_frames_by_wall_time_drifts_apart() -> None:
    """The control: the same measurement catches frames placed without the audio clock."""
    options = SyntheticOptions(width=32, height=18, drift_ppm=300, block_samples=4800)
    flashes, beeps = _flash_and_beep_times(options, minutes=10, wall_clock_placement=True)
    offsets_ms = (np.array(flashes) - np.array(beeps)) * 1000
    assert abs(np.median(offsets_ms[:5])) < 20
    assert np.median(offsets_ms[-5:]) < -150  # 300 ppm of 10 minutes: video 180 ms early


def test_slots_repeat_to_fill_gaps_and_drop_surplus() -> None:
    slots = VideoSlots(fps=10)
    a, b, c = (np.full((2, 2, 3), v, np.uint8) for v in (1, 2, 3))
    assert [(p.count, int(p.image[0, 0, 0])) for p in slots.place(0.21, a)] == [(2, 1), (1, 1)]
    assert slots.place(0.19, b) == []  # slot 2 is filled and 3 is too far ahead: surplus
    # A jittered frame rounding into a filled slot takes the next one when it is close.
    assert [(p.count, int(p.image[0, 0, 0])) for p in slots.place(0.26, b)] == [(1, 2)]
    assert [(p.count, int(p.image[0, 0, 0])) for p in slots.place(0.62, c)] == [(2, 2), (1, 3)]
    tail = slots.fill_to(0.9)
    assert tail is not None and tail.count == 2 and int(tail.image[0, 0, 0]) == 3
    assert (slots.written, slots.repeated, slots.surplus) == (9, 6, 1)
