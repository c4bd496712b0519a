"""`kiosk bench`: the recording engine's figures, measured on this machine.

Three runs, all from the synthetic sources with a camera 15% short of its rate, 3 ms of
timestamp jitter and a sound card drifting 300 ppm:

1. Real time, at the configured picture size (720p30 by default), for `realtime_minutes`:
   frames our pipeline dropped, the camera's shortfall, encoding CPU (both encoders, the
   timeline thread and the encoders' writing threads) per recorded minute, peak memory and
   how it moves, MB per minute, the encoder stalls, and the time from "stop" to the
   answer's files being closed.
2. The ffmpeg executable alone, encoding the identical frames and samples with identical
   settings (the same deterministic sources replayed through the same timeline), counting
   only ffmpeg's own CPU.
3. Simulated time, `minutes` long, at a small picture size (sync does not depend on it): the
   A/V offset near the start and near the end, measured in the merged file from the clapper.

Stop to playable is the part's closing time plus what finishing does with `minutes` of the
run-1 720p data: the earlier answers were appended to the interview file while it went on,
so only the last is appended, the file closed and its chapters added (kiosk.media.progressive).
`full_merge_ms` is the one-pass merge that recovery uses, for comparison.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.capture.clock import SimulatedClock, SystemClock
from kiosk.capture.frames import AudioBlock, VideoFrame
from kiosk.capture.live import LiveSources
from kiosk.capture.recorder import PartRecorder, PartResult
from kiosk.capture.synthetic import SyntheticOptions, synthetic_pair
from kiosk.capture.timeline import AudioClock, Placement, VideoSlots
from kiosk.config import RecordingSettings
from kiosk.media.clapper import clapper_matches, median_offset_ms
from kiosk.media.encode import VideoFormat, audio_encoder, video_encoder
from kiosk.media.merge import chapter_bounds_ms, merge_parts
from kiosk.media.probe import probe
from kiosk.media.progressive import ProgressiveMerge

SYNC_SIZE = (320, 180)
OFFSET_WINDOW_S = 30.0


def bench_options(width: int, height: int, fps: int, sample_rate: int) -> SyntheticOptions:
    return SyntheticOptions(width=width, height=height, fps=float(fps), sample_rate=sample_rate,
                            shortfall=0.15, jitter_ms=3.0, drift_ppm=300.0)


class _MemoryWatch:
    """Samples this process's resident memory every half second."""

    def __init__(self) -> None:
        self.samples_mb: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory watch", daemon=True)

    def __enter__(self) -> _MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            rss = _rss_mb()
            if rss is not None:
                self.samples_mb.append(rss)


def _rss_mb() -> float | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        import resource

        return pages * resource.getpagesize() / 2**20
    return None


def _record_realtime(folder: Path, recording: RecordingSettings, minutes: float) -> dict:
    options = bench_options(recording.width, recording.height, recording.fps,
                            recording.sample_rate)
    clock = SystemClock()
    camera, microphone = synthetic_pair(clock, options)
    live = LiveSources(camera, microphone, clock)
    live.start()
    try:
        with _MemoryWatch() as memory:
            recorder = PartRecorder(live, folder, "realtime",
                                    video=VideoFormat(options.width, options.height, options.fps),
                                    sample_rate=options.sample_rate, title="Bench")
            nominal_before = camera.nominal
            delivered_before = camera.delivered
            recorder.start()
            time.sleep(minutes * 60)
            stop_asked = time.monotonic()
            recorder.stop()
            result = recorder.wait(timeout=600)
            close_s = time.monotonic() - stop_asked
        nominal = camera.nominal - nominal_before
        delivered = camera.delivered - delivered_before
    finally:
        live.close()
    return {"result": result, "close_s": close_s, "memory_mb": memory.samples_mb,
            "nominal": nominal, "delivered": delivered, "options": options}


def _ffmpeg_alone(folder: Path, run: dict) -> float:
    """CPU seconds of bare ffmpeg encoders given the frames and samples run 1 encoded."""
    result: PartResult = run["result"]
    options: SyntheticOptions = run["options"]
    video = VideoFormat(options.width, options.height, options.fps)
    clock = SimulatedClock()
    camera, microphone = synthetic_pair(clock, options)
    audio_clock, slots = AudioClock(options.sample_rate), VideoSlots(options.fps)
    frames_left = result.files.frames
    samples_left = result.samples
    segments = iter([(s.frames, preset) for s, preset in
                     zip(result.files.video, result.stats.presets, strict=True)])
    seg_frames, preset = next(segments)
    encoder = video_encoder(folder / "alone-0.mkv", video, preset)
    audio = audio_encoder(folder / "alone.m4a", options.sample_rate)
    cpu = 0.0
    written_in_segment = 0

    def next_frame() -> VideoFrame:
        frame = camera.read()
        assert frame is not None, "a synthetic camera without a planned loss never ends"
        return frame

    def next_block() -> AudioBlock:
        block = microphone.read()
        assert block is not None, "a synthetic microphone without a planned loss never ends"
        return block

    pending = next_frame()

    def emit(plan: list[Placement] | Placement | None) -> None:
        nonlocal frames_left, written_in_segment, encoder, seg_frames, preset, cpu
        for placement in [plan] if isinstance(plan, Placement) else plan or []:
            data = np.ascontiguousarray(placement.image).data.cast("B")
            for _ in range(placement.count):
                if frames_left <= 0:
                    return
                if written_in_segment == seg_frames:
                    encoder.close()
                    cpu += encoder.cpu_seconds or 0.0
                    seg_frames, preset = next(segments)
                    encoder = video_encoder(folder / f"alone-{preset}.mkv", video, preset)
                    written_in_segment = 0
                encoder.write(data)
                frames_left -= 1
                written_in_segment += 1

    while samples_left > 0:
        block = next_block()
        samples = block.samples[:samples_left]
        audio_clock.add_block(block.t, len(samples))
        audio.write(samples.tobytes())
        samples_left -= len(samples)
        horizon = block.t + len(samples) / options.sample_rate
        while pending.t <= horizon:
            emit(slots.place(audio_clock.seconds_at(pending.t), pending.image))
            pending = next_frame()
    emit(slots.fill_to((slots.written + frames_left) / options.fps))
    encoder.close()
    audio.close()
    return cpu + (encoder.cpu_seconds or 0.0) + (audio.cpu_seconds or 0.0)


def _sync_run(folder: Path, recording: RecordingSettings, minutes: float) -> tuple:
    width, height = SYNC_SIZE
    options = bench_options(width, height, recording.fps, recording.sample_rate)
    clock = SimulatedClock()
    camera, microphone = synthetic_pair(clock, options)
    live = LiveSources(camera, microphone, clock)
    live.start()
    try:
        recorder = PartRecorder(live, folder, "sync", video=VideoFormat(width, height,
                                                                         options.fps),
                                sample_rate=options.sample_rate, title="Sync")
        recorder.start()
        recorder.stop(at=camera._clapper.epoch + minutes * 60)
        result = recorder.wait(timeout=24 * 3600)
    finally:
        live.close()
    movie = folder / "sync.mp4"
    merge_parts([result.files], movie)
    end = result.duration_s
    start_matches = clapper_matches(movie, 0.0, OFFSET_WINDOW_S)
    end_matches = clapper_matches(movie, max(0.0, end - OFFSET_WINDOW_S), OFFSET_WINDOW_S)
    return median_offset_ms(start_matches), median_offset_ms(end_matches)


def _finish_times(folder: Path, run: dict, minutes: float) -> dict[str, float]:
    """Seconds to finish `minutes` of run-1 data (its part repeated), both ways.

    progressive: what finishing does now: the earlier answers were appended while the
    interview went on (not timed); the last one is appended, the file closed, the chapters
    added and the result probed. full: the one-pass merge that recovery (and the fallback)
    uses.
    """
    part = run["result"].files
    copies = max(1, round(minutes * 60 / part.duration_s))
    parts = [part] * copies
    # Its index's room as a booth keeps it: for the configured longest interview.
    built = ProgressiveMerge(folder / "progressive.mp4", longest_minutes=max(
        minutes, RecordingSettings().longest_interview_minutes))
    for earlier in parts[:-1]:
        built.append(earlier)
    started = time.monotonic()
    built.append(parts[-1])
    built.finish([(start, f"Question {n}")
                  for n, (start, _) in enumerate(chapter_bounds_ms(parts), 1)])
    probe(built.output)
    progressive_s = time.monotonic() - started
    movie = folder / "long.mp4"
    started = time.monotonic()
    merge_parts(parts, movie, title="Bench")
    probe(movie)
    return {"progressive_s": progressive_s, "full_s": time.monotonic() - started,
            "minutes": copies * part.duration_s / 60}


def run_bench(recording: RecordingSettings, *, minutes: float, realtime_minutes: float,
              progress=None) -> dict[str, Any]:
    say = progress or (lambda message: None)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as work:
        folder = Path(work)
        say(f"real-time recording at {recording.width}x{recording.height}, "
            f"{realtime_minutes:g} min")
        run = _record_realtime(folder / "rt", recording, realtime_minutes)
        result: PartResult = run["result"]
        recorded_min = result.duration_s / 60
        stats = result.stats
        say("the ffmpeg executable alone on the same frames")
        alone_cpu = _ffmpeg_alone(folder / "rt", run)
        say(f"simulated {minutes:g} min for sync")
        offset_start, offset_end = _sync_run(folder / "sync", recording, minutes)
        say(f"finishing {minutes:g} min of 720p answers")
        finish = _finish_times(folder / "rt", run, minutes)
        part_bytes = sum(s.path.stat().st_size for s in result.files.video)
        part_bytes += result.files.audio.stat().st_size
        memory = run["memory_mb"] or [0.0]
        quarter = max(1, len(memory) // 4)
        return {
            "simulated_minutes": minutes,
            "realtime_minutes": round(recorded_min, 3),
            "dropped_frame_pct": round(100 * stats.frames_dropped / max(1, stats.frames_offered),
                                       4),
            "camera_shortfall_pct": round(100 * (1 - run["delivered"] / max(1, run["nominal"])),
                                          2),
            "av_offset_ms_start": None if offset_start is None else round(offset_start, 1),
            "av_offset_ms_end": None if offset_end is None else round(offset_end, 1),
            "encode_cpu_s_per_min": round((stats.encoder_cpu_s + stats.writer_cpu_s)
                                          / recorded_min, 2),
            "writer_cpu_s_per_min": round(stats.writer_cpu_s / recorded_min, 2),
            "ffmpeg_cli_cpu_s_per_min": round(alone_cpu / recorded_min, 2),
            "stop_to_playable_ms": round(1000 * (run["close_s"] + finish["progressive_s"])),
            "part_close_ms": round(1000 * run["close_s"]),
            "full_merge_ms": round(1000 * finish["full_s"]),
            "finished_minutes": round(finish["minutes"], 2),
            "peak_rss_mb": round(max(memory), 1),
            "rss_mb_first_quarter_mean": round(float(np.mean(memory[:quarter])), 1),
            "rss_mb_last_quarter_mean": round(float(np.mean(memory[-quarter:])), 1),
            "mb_per_min": round(part_bytes / 1e6 / recorded_min, 2),
            "presets": stats.presets,
            "frames_repeated": stats.frames_repeated,
            "stalls": len(stats.stalls),  # an encoder that could not keep up at all
            "python": sys.version.split()[0],
        }

