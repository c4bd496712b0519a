"""An encoder that stops taking data for a while (an antivirus scan, a slow disk, a frozen
PC): the answer keeps its true length and its sync, the stall is counted, and only a stall
longer than the limit ends the answer. A full disk ends it too, kept.

Real code paths on the real-time clock: synthetic sources, a PartRecorder, the real ffmpeg
encoders, stopped with SIGSTOP and let go with SIGCONT (found by their command lines).
"""

from __future__ import annotations

import math
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from kiosk.capture.clock import SystemClock
from kiosk.capture.live import LiveSources
from kiosk.capture.recorder import PartRecorder, PartResult
from kiosk.capture.synthetic import (
    BEEP_S,
    FLASH_FIRST_S,
    FLASH_PERIOD_S,
    SyntheticOptions,
    synthetic_pair,
)
from kiosk.media.clapper import beep_onsets, clapper_matches
from kiosk.media.encode import VideoFormat
from kiosk.media.merge import merge_parts
from kiosk.media.probe import stream_end_times
from kiosk.media.units import sync_unit_frames
from kiosk.words import StopReason
from tests.engine import SMALL, children_running
from tests.mounts import fill, tmpfs

FPS = 30.0
FRAME_S = 1 / FPS
RATE = 48_000
BLOCK_S = SyntheticOptions().block_samples / RATE
STALL_AT_S = 3.0  # into the answer: two clapper beeps before it
AFTER_S = 4.5  # recorded after the encoder takes data again: two beeps after it
# Each encoder's command line says what it is.
MARKERS = {"video": "libx264", "audio": "s16le"}


@contextmanager
def _live() -> Iterator[tuple[LiveSources, float]]:
    clock = SystemClock()
    camera, microphone = synthetic_pair(clock, SyntheticOptions(**SMALL, fps=FPS,
                                                                sample_rate=RATE))
    live = LiveSources(camera, microphone, clock)
    live.start()
    try:
        assert live.wait_until_live()
        yield live, camera._clapper.epoch
    finally:
        live.close()


def _recorder(live: LiveSources, folder: Path, **options: object) -> PartRecorder:
    return PartRecorder(live, folder, "q00", video=VideoFormat(SMALL["width"], SMALL["height"],
                                                               FPS),
                        sample_rate=RATE, title="Stalled", **options)


@contextmanager
def _stopped(stream: str) -> Iterator[None]:
    """The encoder of `stream` takes nothing (its process is stopped) while inside."""
    (pid,) = children_running(MARKERS[stream])
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def _expected_duration_s(start_src: float, stop_src: float) -> float:
    """What the part must last: every 20 ms block begun before the stop, padded up to a
    whole sync unit (kiosk.capture.recorder)."""
    blocks = math.ceil((stop_src - start_src) / BLOCK_S - 1e-6)
    unit = sync_unit_frames(FPS, RATE) or 1
    frames = math.ceil(blocks * BLOCK_S * FPS - 1e-6)
    return math.ceil(frames / unit) * unit / FPS


def _part_start_src(beeps: list[float], around_src: float) -> float:
    """Where the part began on the sources' timeline, from the first beep in the file."""
    k = round((around_src + beeps[0] - FLASH_FIRST_S) / FLASH_PERIOD_S)
    start = FLASH_FIRST_S + k * FLASH_PERIOD_S - beeps[0]
    return round(start / BLOCK_S) * BLOCK_S  # parts begin on a block


@pytest.mark.parametrize("stall_s", [10.0, 30.0])
@pytest.mark.parametrize("stream", ["video", "audio"])
def test_a_stalled_encoder_keeps_the_answer_whole_and_in_sync(tmp_path: Path, stream: str,
                                                              stall_s: float) -> None:
    with _live() as (live, epoch):
        recorder = _recorder(live, tmp_path)
        began_src = time.monotonic() - epoch
        recorder.start()
        time.sleep(STALL_AT_S)
        with _stopped(stream):
            time.sleep(stall_s)
        time.sleep(AFTER_S)
        stop_at = time.monotonic()
        recorder.stop(at=stop_at)
        part: PartResult = recorder.wait(timeout=60)
    assert part.reason is StopReason.ASKED
    movie = tmp_path / "answer.mp4"
    merge_parts([part.files], movie)

    # Not a sample of sound lost: the beeps stay exactly 2 s apart across the stall.
    beeps = beep_onsets(movie)
    answered_s = STALL_AT_S + stall_s + AFTER_S
    assert len(beeps) >= int(answered_s / FLASH_PERIOD_S) - 1
    assert np.allclose(np.diff(beeps), FLASH_PERIOD_S, atol=0.002), np.diff(beeps)
    # The part lasts what the answer lasted (to the 20 ms block, padded to a sync unit).
    start_src = _part_start_src(beeps, began_src)
    expected = _expected_duration_s(start_src, stop_at - epoch)
    assert part.duration_s == pytest.approx(expected, abs=2 * FRAME_S)
    ends = stream_end_times(movie)
    assert ends["video"] == pytest.approx(ends["audio"], abs=FRAME_S)
    assert ends["audio"] == pytest.approx(part.duration_s, abs=FRAME_S)

    # Picture and sound in sync within a frame, before the stall and after it.
    stall_from = STALL_AT_S - (start_src - began_src)
    stall_to = stall_from + stall_s
    matches = clapper_matches(movie)
    before = [m for m in matches if m.beep_s < stall_from]
    after = [m for m in matches if m.beep_s > stall_to + 0.5]
    assert len(before) >= 1 and len(after) >= 1, matches
    assert max(abs(m.offset_ms) for m in before + after) <= 1000 * FRAME_S, matches
    if stream == "audio":  # the picture never stopped: the flashes are there, in sync
        assert len(matches) >= len(beeps) - 1, matches
        assert max(abs(m.offset_ms) for m in matches) <= 1000 * FRAME_S, matches

    # The stall is in the part's stats, with about its true place and length.
    stalls = part.stats.stalls
    assert stalls and {s.stream for s in stalls} == {stream}, stalls
    first = stalls[0]
    assert stall_from - 0.2 <= first.at_s <= stall_from + 2.0, stalls
    lasted = sum(s.duration_s for s in stalls)
    assert stall_s - 2.0 <= lasted <= stall_s + 0.5, stalls
    if stream == "video":
        assert sum(s.frames_repeated for s in stalls) == pytest.approx(lasted * FPS, abs=2)
    else:
        assert sum(s.audio_spilled_s for s in stalls) >= lasted - BEEP_S
    assert not list(tmp_path.glob("*spill*")), "the spill file is removed with the part"


@pytest.mark.parametrize("stream", ["video", "audio"])
def test_a_stall_longer_than_the_limit_ends_the_answer_and_keeps_it(tmp_path: Path,
                                                                    stream: str) -> None:
    ended: list[StopReason] = []
    with _live() as (live, _):
        recorder = _recorder(live, tmp_path, stall_limit_s=2.0, on_end=ended.append)
        recorder.start()
        time.sleep(STALL_AT_S)
        with _stopped(stream):
            deadline = time.monotonic() + 4.0
            while time.monotonic() < deadline:
                time.sleep(0.1)
        # It ended by itself, once the encoder took its last data: no stop() was needed.
        part = recorder.wait(timeout=30)
    assert part.reason is StopReason.ENCODER_STALLED
    assert ended == [StopReason.ENCODER_STALLED]
    # Ended about when the stall passed the limit, and the part plays whole.
    limit_end = STALL_AT_S + 2.0
    assert limit_end - 0.5 <= part.duration_s <= limit_end + 1.5, part.duration_s
    movie = tmp_path / "answer.mp4"
    merge_parts([part.files], movie)
    ends = stream_end_times(movie)
    assert ends["video"] == pytest.approx(ends["audio"], abs=FRAME_S)
    assert ends["audio"] == pytest.approx(part.duration_s, abs=FRAME_S)
    assert [s.stream for s in part.stats.stalls] == [stream]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs with about 150 kB free: the encoders fill it within seconds."""
    with tmpfs(tmp_path / "small-disk", "8m") as folder:
        fill(folder, leave=150_000)
        yield folder


def test_a_disk_that_fills_up_ends_the_answer_as_disk_low_and_keeps_it(small_disk: Path) -> None:
    ended: list[StopReason] = []
    with _live() as (live, _):
        recorder = _recorder(live, small_disk / "parts", on_end=ended.append)
        recorder.start()
        deadline = time.monotonic() + 30
        while not recorder.finished() and time.monotonic() < deadline:
            time.sleep(0.1)
        recorder.stop()
        part = recorder.wait(timeout=30)  # no exception: the part is what reached the disk
    assert part.reason is StopReason.DISK_LOW
    assert ended == [StopReason.DISK_LOW]
    assert part.files.audio.exists()
    assert all(s.path.exists() for s in part.files.video)
    assert sum(s.path.stat().st_size for s in part.files.video) > 10_000


def test_a_stall_reaches_the_session_row_and_the_recruiters_words(settings) -> None:
    """From the recorder's stats through the manifest to the incident the details show."""
    from dataclasses import replace

    from kiosk.capture.devices import open_sources
    from kiosk.recording.session import SessionRecording
    from kiosk.store.database import open_configured
    from kiosk.store.models import SessionStatus
    from kiosk.store.sessions import create_session, get_session, session_to_dict
    from kiosk.ui.formatting import incident

    settings = replace(settings, recording=replace(settings.recording, **SMALL,
                                                   disk_reserve_mb=1,
                                                   longest_interview_minutes=1))
    db = open_configured(settings)
    with db.session() as s, s.begin():
        session_id = create_session(s, "Ada Lovelace", status=SessionStatus.IN_PROGRESS).id
    sources = open_sources(settings.recording, demo=True)
    try:
        assert sources.wait_until_live()
        recording = SessionRecording(db, settings, sources, session_id)
        recording.begin()
        recording.start_answer(0, "Why this job?")
        began = time.monotonic()
        time.sleep(2.0)
        with _stopped("video"):
            time.sleep(4.0)
        time.sleep(2.0)
        recording.end_answer()
        answered_s = time.monotonic() - began
        recording.finish()
    finally:
        sources.close()
    with db.session() as s:
        row = session_to_dict(get_session(s, session_id), settings.recordings_dir)
    db.close()
    (found,) = row["incidents"]
    assert (found["kind"], found["question_index"], found["detail"]) == ("stall", 0, "video")
    assert 2000 <= found["at_ms"] <= 4000 and 2500 <= found["duration_ms"] <= 4500
    assert incident(found).startswith(f"The picture froze for {round(found['duration_ms'] / 1000)}"
                                      f" s at 0:0{found['at_ms'] // 1000} (question 1)")
    # Its true length, despite the stall (up to one sync unit of padding, 16 frames, more).
    assert answered_s - 0.2 <= row["duration_ms"] / 1000 <= answered_s + 16 / FPS + 0.1
