"""Recording one answer (a part): the writer thread between the capture threads and ffmpeg.

The writer takes audio blocks in order, writes them, and places every video frame captured
up to the end of that block on the audio timeline (kiosk.capture.timeline). A part ends when
asked (Done, the answer limit), when a device disappears, or when the disk runs low; it then
gets padded to a whole number of sync units so that parts join without A/V slip, and both
files are closed cleanly: a part that ended early is still a good part.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kiosk.capture.clock import Clock
from kiosk.capture.frames import VideoFrame
from kiosk.capture.live import Feed, LiveSources
from kiosk.capture.timeline import AudioClock, Placement, VideoSlots
from kiosk.media.encode import PRESETS, PipeEncoder, VideoFormat, audio_encoder, video_encoder
from kiosk.media.merge import PartFiles, VideoSegment
from kiosk.media.units import sync_unit_frames
from kiosk.store.files import FOLDER_MODE, free_bytes, sync_file
from kiosk.words import StopReason

log = logging.getLogger(__name__)

HOUSEKEEPING_EVERY_S = 1.0  # sync the files to disk, check the free space
NO_AUDIO_TIMEOUT_S = 5.5  # just longer than the microphone's own patience
STEP_AFTER_BEHIND_S = 1.0  # a backlog this long means the encoder cannot keep up
STEP_SETTLE_S = 2.0  # and a step gets this long to drain it before the next
STEP_GRACE_S = 1.0  # no step in the first second: the encoder is still starting


@dataclass
class PartStats:
    frames_offered: int = 0  # frames the camera delivered while recording
    frames_dropped: int = 0  # ours: no room in the feed (the writer fell behind)
    frames_repeated: int = 0  # slots filled by repeating a frame (camera short, stalled)
    frames_surplus: int = 0  # the camera's extra frames (two in one slot)
    audio_blocks_dropped: int = 0
    presets: list[str] = field(default_factory=list)
    step_times_s: list[float] = field(default_factory=list)  # when each step came, from start
    writer_cpu_s: float = 0.0
    encoder_cpu_s: float = 0.0


@dataclass
class PartResult:
    files: PartFiles
    samples: int
    reason: StopReason
    stats: PartStats

    @property
    def duration_s(self) -> float:
        return self.files.duration_s


def _close_in_background(
    encoder: PipeEncoder,
) -> tuple[threading.Thread, PipeEncoder, list[BaseException]]:
    errors: list[BaseException] = []

    def close() -> None:
        try:
            encoder.close()
        except BaseException as exc:  # raised again when the part is finished
            errors.append(exc)

    thread = threading.Thread(target=close, name=f"close {encoder.path.name}", daemon=True)
    thread.start()
    return thread, encoder, errors


class PartRecorder:
    def __init__(
        self,
        sources: LiveSources,
        folder: Path,
        stem: str,
        *,
        video: VideoFormat,
        sample_rate: int,
        title: str = "",
        disk_reserve_bytes: int = 0,
        presets: Sequence[str] = PRESETS,
        on_end: Callable[[StopReason], None] | None = None,
    ) -> None:
        """`on_end` is told why the part ended, on the writer's thread, once it is closed
        (StopReason.FAILED if the writer raised: `wait` raises it)."""
        self._sources = sources
        self._clock: Clock = sources.clock
        self._folder, self._stem = folder, stem
        self._video, self._sample_rate, self._title = video, sample_rate, title
        self._disk_reserve = disk_reserve_bytes
        self._presets = tuple(presets)  # slowest first; a step moves one to the right
        self._on_end = on_end
        self._stop_at: float | None = None
        self._stop_requested = threading.Event()
        self._thread: threading.Thread | None = None
        self._result: PartResult | None = None
        self._error: BaseException | None = None
        self.stats = PartStats()
        self.audio_path = folder / f"{stem}.m4a"
        self._audio_silent = False

    def start(self) -> None:
        self._folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        self._feed = self._sources.attach()
        self._thread = threading.Thread(target=self._run, name=f"writer {self._stem}",
                                        daemon=True)
        self._thread.start()

    def stop(self, at: float | None = None) -> None:
        """End the answer at capture time `at` (default: now). Returns at once."""
        self._stop_at = self._clock.now() if at is None else at
        self._stop_requested.set()

    def wait(self, timeout: float | None = None) -> PartResult:
        """Wait for the part to be closed and return it (raises what the writer raised)."""
        assert self._thread is not None, "start() first"
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError(f"the part {self._stem} did not finish in time")
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def finished(self) -> bool:
        return self._thread is not None and not self._thread.is_alive()

    def _run(self) -> None:
        started = time.thread_time()
        try:
            self._result = self._record()
        except BaseException as exc:  # handed to wait(), in the caller's thread
            self._error = exc
        finally:
            self._sources.detach(self._feed)
            self.stats.writer_cpu_s = time.thread_time() - started
        if self._on_end is not None:
            reason = StopReason.FAILED if self._result is None else self._result.reason
            try:
                self._on_end(reason)
            except Exception:  # a listener's bug must not take the writer's result with it
                log.exception("the end of part %s was not reported", self._stem)

    def _record(self) -> PartResult:
        feed: Feed = self._feed
        video, rate = self._video, self._sample_rate
        audio_clock = AudioClock(rate)
        slots = VideoSlots(video.fps)
        segments: list[VideoSegment] = []
        encoder = self._open_segment(0, self._presets[0])
        segment_first_slot = 0
        audio = audio_encoder(self.audio_path, rate)
        pending: VideoFrame | None = None
        start_t: float | None = None
        reason = StopReason.ASKED
        next_housekeeping = 0.0
        closing: list[tuple[threading.Thread, PipeEncoder, list[BaseException]]] = []
        behind_since: float | None = None
        drops_seen = 0
        began = time.monotonic()
        # The encoder's own start-up may overflow the feed once: a second's grace for that.
        last_step = began - STEP_SETTLE_S + STEP_GRACE_S

        def write(plan: list[Placement] | Placement | None) -> None:
            for placement in [plan] if isinstance(plan, Placement) else plan or []:
                if placement.count and placement.image is not None:
                    data = np.ascontiguousarray(placement.image).data.cast("B")
                    for _ in range(placement.count):
                        encoder.write(data)

        try:
            while True:
                block = self._next_block(feed)
                if block is None:
                    if self._sources.microphone_lost.is_set() or self._audio_silent:
                        reason = StopReason.MICROPHONE_LOST
                    break
                if self._stop_at is not None and block.t >= self._stop_at:
                    break
                if start_t is None:
                    start_t = block.t
                audio_clock.add_block(block.t, len(block.samples))
                audio.write(block.samples.tobytes())
                horizon = block.t + len(block.samples) / rate
                if self._stop_at is not None:
                    horizon = min(horizon, self._stop_at)
                while True:
                    frame = pending if pending is not None else self._next_frame(feed)
                    pending = None
                    if frame is None:
                        break
                    if frame.t > horizon:
                        pending = frame
                        break
                    if frame.t < start_t - 0.5 / video.fps:
                        continue  # captured before this answer began
                    write(slots.place(audio_clock.seconds_at(frame.t), frame.image))
                if self._sources.camera_lost.is_set() and pending is None and feed.video.empty():
                    reason = StopReason.CAMERA_LOST
                    break
                now = time.monotonic()
                if self._clock.realtime and feed.video.qsize() > feed.video.maxsize // 2:
                    behind_since = now if behind_since is None else behind_since
                else:
                    behind_since = None
                # Falling behind (frames dropped, or a backlog that lasts), but not a start-up
                # hiccup and not while the last step is still taking effect: a faster preset.
                dropping = feed.frames_dropped > drops_seen
                drops_seen = feed.frames_dropped
                lasting = behind_since is not None and now - behind_since >= STEP_AFTER_BEHIND_S
                if (dropping or lasting) and now - last_step >= STEP_SETTLE_S:
                    current = self._presets.index(self.stats.presets[-1])
                    if current + 1 < len(self._presets):
                        last_step = now
                        behind_since = None
                        self.stats.step_times_s.append(now - began)
                        segments.append(VideoSegment(encoder.path,
                                                     slots.written - segment_first_slot))
                        segment_first_slot = slots.written
                        # x264 takes a moment to flush: let it, off the writer's thread.
                        closing.append(_close_in_background(encoder))
                        encoder = self._open_segment(len(segments),
                                                     self._presets[current + 1])
                if now >= next_housekeeping:
                    next_housekeeping = now + HOUSEKEEPING_EVERY_S
                    # A power cut must not take more than the last second or so with it.
                    sync_file(encoder.path)
                    sync_file(self.audio_path)
                    if self._disk_reserve and free_bytes(self._folder) < self._disk_reserve:
                        reason = StopReason.DISK_LOW
                        break

            # Pad to a whole sync unit: repeat the last picture, add silence.
            # Settings refuse rates with no short unit; a direct caller gets frame accuracy.
            unit = sync_unit_frames(video.fps, rate) or 1
            wanted = max(slots.written, math.ceil(audio_clock.samples * video.fps / rate - 1e-9))
            frames = max(unit, math.ceil(wanted / unit) * unit)
            if slots.written == 0:
                blank = np.zeros((video.height, video.width, 3), np.uint8)
                write(slots.place(0.0, blank))
            write(slots.fill_to(frames / video.fps))
            total_samples = round(frames * rate / video.fps)
            if total_samples > audio_clock.samples:
                audio.write(np.zeros(total_samples - audio_clock.samples, np.int16).tobytes())
            encoder.close()
            audio.close()
            for thread, earlier, errors in closing:
                thread.join()
                if errors:
                    raise errors[0]
                self._account(earlier)
        except BaseException:
            encoder.kill()
            audio.kill()
            raise
        self._account(encoder)
        self._account(audio)
        segments.append(VideoSegment(encoder.path, slots.written - segment_first_slot))
        self.stats.frames_offered = feed.frames_offered
        self.stats.frames_dropped = feed.frames_dropped
        self.stats.audio_blocks_dropped = feed.blocks_dropped
        self.stats.frames_repeated = slots.repeated
        self.stats.frames_surplus = slots.surplus
        files = PartFiles(title=self._title, video=tuple(segments), audio=self.audio_path,
                          fps=video.fps, sample_rate=rate)
        return PartResult(files=files, samples=total_samples, reason=reason, stats=self.stats)

    def _open_segment(self, index: int, preset: str) -> PipeEncoder:
        path = self._folder / f"{self._stem}-v{index}.mkv"
        self.stats.presets.append(preset)
        return video_encoder(path, self._video, preset)

    def _account(self, encoder: PipeEncoder) -> None:
        self.stats.encoder_cpu_s += encoder.cpu_seconds or 0.0

    def _next_block(self, feed: Feed):
        waited = 0.0
        while True:
            try:
                return feed.audio.get(timeout=0.25)
            except queue.Empty:
                waited += 0.25
            if self._sources.microphone_lost.is_set():
                return None
            if self._stop_requested.is_set() and self._stop_at is not None and (
                self._clock.now() > self._stop_at + 1.0 or not self._clock.realtime
            ):
                return None
            if waited >= NO_AUDIO_TIMEOUT_S and self._clock.realtime:
                # This answer ends; the microphone may come back for the next one.
                self._audio_silent = True
                return None

    def _next_frame(self, feed: Feed) -> VideoFrame | None:
        if self._clock.realtime:
            try:
                return feed.video.get_nowait()
            except queue.Empty:
                return None
        # Simulated: the camera is never "late"; wait for it unless it is gone.
        while True:
            try:
                return feed.video.get(timeout=0.25)
            except queue.Empty:
                if self._sources.camera_lost.is_set():
                    return None
