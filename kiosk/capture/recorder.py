"""Recording one answer (a part): the timeline thread between the capture threads and ffmpeg.

The timeline takes audio blocks in order, hands them on, and places every video frame
captured up to the end of that block on the audio timeline (kiosk.capture.timeline). Each
encoder is written by a thread of its own through a bounded queue (kiosk.media.queued), so
an encoder that stalls never holds the timeline up: what it cannot take is dropped and then
repeated (video) or waits on disk (audio), and the stall is counted (kiosk.capture.stalls).
A part ends when asked (Done, the answer limit), when a device disappears, when the disk
runs low or fills up, or when an encoder has taken nothing for longer than the stall limit;
it then gets padded to a whole number of sync units so that parts join without A/V slip,
and both files are closed cleanly: a part that ended early is still a good part.
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
from kiosk.capture.stalls import AudioOutlet, Stall, StallLog, VideoOutlet
from kiosk.capture.timeline import AudioClock, Placement, VideoSlots
from kiosk.errors import DiskFullError
from kiosk.media.encode import PRESETS, VideoFormat, audio_encoder, video_encoder
from kiosk.media.merge import PartFiles, VideoSegment
from kiosk.media.queued import QueuedEncoder
from kiosk.media.units import sync_unit_frames
from kiosk.store.files import FOLDER_MODE, free_bytes, sync_file
from kiosk.words import StopReason

log = logging.getLogger(__name__)

HOUSEKEEPING_EVERY_S = 1.0  # check the free space
NO_AUDIO_TIMEOUT_S = 5.5  # just longer than the microphone's own patience
STEP_AFTER_BEHIND_S = 1.0  # a backlog this long means the encoder cannot keep up
STEP_SETTLE_S = 2.0  # and a step gets this long to drain it before the next
STEP_GRACE_S = 1.0  # no step in the first second: the encoder is still starting
# Half a second at 30 fps (44 MB of 720p), what the feed held before: rides out a hiccup.
VIDEO_QUEUE_FRAMES = 16
AUDIO_QUEUE_CHUNKS = 5  # half a second; beyond it (and the pipe's 0.7 s) sound waits on disk
# Taking nothing for this long is a stall, not slowness: a faster preset would not help.
STALLED_AFTER_S = 2.0
STALL_LIMIT_S = 60.0  # [recording] stall_limit_seconds: a longer stall ends the answer
CLOSE_GRACE_S = 10.0  # closing, a stalled encoder gets this long past the limit to come back

_Closing = tuple[threading.Thread, QueuedEncoder, list[BaseException]]


@dataclass
class PartStats:
    frames_offered: int = 0  # frames the camera delivered while recording
    frames_dropped: int = 0  # ours: no room in the feed or at the encoder (their slots repeat)
    frames_repeated: int = 0  # slots that repeat a frame: the camera short or stalled, or ours
    frames_surplus: int = 0  # the camera's extra frames (two in one slot)
    audio_blocks_dropped: int = 0
    presets: list[str] = field(default_factory=list)
    step_times_s: list[float] = field(default_factory=list)  # when each step came, from start
    writer_cpu_s: float = 0.0  # the timeline's thread and the encoders' writing threads
    encoder_cpu_s: float = 0.0
    stalls: list[Stall] = field(default_factory=list)  # each encoder stall, as it ended
    # How the camera's frames and the microphone's blocks were stamped (FrameStamping).
    video_stamping: str = ""
    audio_stamping: str = ""


@dataclass
class PartResult:
    files: PartFiles
    samples: int
    reason: StopReason
    stats: PartStats

    @property
    def duration_s(self) -> float:
        return self.files.duration_s


def _close_in_background(encoder: QueuedEncoder, owed: tuple[np.ndarray | None, int],
                         patience_s: float) -> _Closing:
    """Pay the segment's owed repeats (VideoOutlet.switch) and close it."""
    errors: list[BaseException] = []

    def close() -> None:
        try:
            image, count = owed
            if count and image is not None:
                encoder.put(image, count, patience_s=patience_s)
            encoder.close(patience_s)
        except BaseException as exc:  # raised again when the part is finished
            encoder.kill()
            errors.append(exc)

    thread = threading.Thread(target=close, name=f"close {encoder.path.name}", daemon=True)
    thread.start()
    return thread, encoder, errors


class _Pace:
    """Whether the video encoder is too slow for its preset: it had no room for frames, or
    a backlog lasts, and then it takes data again. Not while it is stalled (taking nothing
    at all), nor while what a stall left behind drains: a faster preset would not help."""

    def __init__(self, began: float) -> None:
        self._quiet_until = began + STEP_GRACE_S  # the encoder is still starting
        self._behind_since: float | None = None
        self._drops_seen = 0
        self._evidence_at: int | None = None  # what it had written when it fell behind

    def too_slow(self, encoder: QueuedEncoder, drops: int, now: float, *,
                 realtime: bool) -> bool:
        dropping = drops > self._drops_seen
        self._drops_seen = drops
        if encoder.stuck_s(now) >= STALLED_AFTER_S:
            self._quiet_until = max(self._quiet_until, now + STEP_SETTLE_S)
        if now < self._quiet_until:
            self._behind_since = self._evidence_at = None
            return False
        if realtime and encoder.backlog() > VIDEO_QUEUE_FRAMES // 2:
            self._behind_since = now if self._behind_since is None else self._behind_since
        else:
            self._behind_since = None
        lasting = (self._behind_since is not None
                   and now - self._behind_since >= STEP_AFTER_BEHIND_S)
        if (dropping or lasting) and self._evidence_at is None:
            self._evidence_at = encoder.written
        return self._evidence_at is not None and encoder.written > self._evidence_at

    def stepped(self, now: float) -> None:
        self._quiet_until = now + STEP_SETTLE_S
        self._behind_since = self._evidence_at = None


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
        stall_limit_s: float = STALL_LIMIT_S,
        presets: Sequence[str] = PRESETS,
        on_end: Callable[[StopReason], None] | None = None,
        av_offset_s: float = 0.0,
    ) -> None:
        """`on_end` is told why the part ended, on the writer's thread, once it is closed
        (StopReason.FAILED if the writer raised: `wait` raises it). An encoder that takes
        nothing for `stall_limit_s` ends the part (StopReason.ENCODER_STALLED).
        `av_offset_s` ([recording] av_offset_ms): how much later the camera shows a moment
        than the microphone hears it; frames are placed that much earlier."""
        if stall_limit_s <= 0:
            raise ValueError("the stall limit must be positive")
        self._sources = sources
        self._clock: Clock = sources.clock
        self._folder, self._stem = folder, stem
        self._video, self._sample_rate, self._title = video, sample_rate, title
        self._disk_reserve = disk_reserve_bytes
        self._stall_limit = stall_limit_s
        self._presets = tuple(presets)  # slowest first; a step moves one to the right
        self._on_end = on_end
        self._av_offset = av_offset_s
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
            self.stats.writer_cpu_s += time.thread_time() - started
        if self._on_end is not None:
            reason = StopReason.FAILED if self._result is None else self._result.reason
            try:
                self._on_end(reason)
            except Exception:  # a listener's bug must not take the writer's result with it
                log.exception("the end of part %s was not reported", self._stem)

    def _record(self) -> PartResult:
        rate = self._sample_rate
        self._audio_clock = AudioClock(rate)
        self._slots = VideoSlots(self._video.fps)
        self._segments: list[VideoSegment] = []
        self._segment_first_slot = 0
        self._closing: list[_Closing] = []
        stalls = StallLog(self._stem, self.stats.stalls)
        blocking = not self._clock.realtime  # simulated: nothing is late, nothing is dropped
        self._video_out = VideoOutlet(self._open_segment(0, self._presets[0]),
                                      self._video.fps, stalls, blocking=blocking)
        try:
            audio = QueuedEncoder(audio_encoder(self.audio_path, rate), AUDIO_QUEUE_CHUNKS,
                                  sync=sync_file)
        except BaseException:
            self._video_out.encoder.kill()
            raise
        self._audio_out = AudioOutlet(audio, rate, self._folder / f"{self._stem}.spill.pcm",
                                      stalls, blocking=blocking)
        try:
            reason = self._timeline()
            reason, total_samples = self._close_part(reason)
        except BaseException:
            self._video_out.encoder.kill()
            self._audio_out.encoder.kill()
            raise
        finally:
            self._audio_out.discard()
        slots, feed = self._slots, self._feed
        self._segments.append(VideoSegment(self._video_out.encoder.path,
                                           slots.written - self._segment_first_slot))
        self.stats.frames_offered = feed.frames_offered
        self.stats.frames_dropped = feed.frames_dropped + self._video_out.dropped
        self.stats.audio_blocks_dropped = feed.blocks_dropped
        self.stats.frames_repeated = slots.repeated + self._video_out.dropped
        self.stats.frames_surplus = slots.surplus
        self.stats.video_stamping = str(self._sources.camera.stamping)
        self.stats.audio_stamping = str(self._sources.microphone.stamping)
        files = PartFiles(title=self._title, video=tuple(self._segments), audio=self.audio_path,
                          fps=self._video.fps, sample_rate=rate)
        return PartResult(files=files, samples=total_samples, reason=reason, stats=self.stats)

    def _timeline(self) -> StopReason:
        """Place sound and pictures on the timeline until the part ends; why it ended."""
        feed, video, rate = self._feed, self._video, self._sample_rate
        audio_clock, slots = self._audio_clock, self._slots
        video_out, audio_out = self._video_out, self._audio_out
        realtime = self._clock.realtime
        pending: VideoFrame | None = None
        start_t: float | None = None
        next_housekeeping = 0.0
        began = time.monotonic()
        pace = _Pace(began)
        try:
            while True:
                block = self._next_block(feed)
                if block is None:
                    if self._sources.microphone_lost.is_set() or self._audio_silent:
                        return StopReason.MICROPHONE_LOST
                    return StopReason.ASKED
                if self._stop_at is not None and block.t >= self._stop_at:
                    return StopReason.ASKED
                if start_t is None:
                    start_t = block.t
                audio_clock.add_block(block.t, len(block.samples))
                audio_out.write(block.samples)
                horizon = block.t + len(block.samples) / rate
                if self._stop_at is not None:
                    horizon = min(horizon, self._stop_at)
                while True:
                    frame = pending if pending is not None else self._next_frame(feed)
                    pending = None
                    if frame is None:
                        break
                    taken = frame.t - self._av_offset
                    if taken > horizon:
                        pending = frame
                        break
                    if taken < start_t - 0.5 / video.fps:
                        continue  # captured before this answer began
                    self._place(slots.place(audio_clock.seconds_at(taken), frame.image))
                if self._sources.camera_lost.is_set() and pending is None and feed.video.empty():
                    return StopReason.CAMERA_LOST
                now = time.monotonic()
                stuck = max(video_out.encoder.stuck_s(now), audio_out.encoder.stuck_s(now))
                if realtime and stuck >= self._stall_limit:
                    log.warning("part %s: an encoder has taken no data for %.0f s: the answer "
                                "ends", self._stem, stuck)
                    return StopReason.ENCODER_STALLED
                drops = feed.frames_dropped + video_out.dropped
                if pace.too_slow(video_out.encoder, drops, now, realtime=realtime):
                    self._step(pace, now, began)
                if now >= next_housekeeping:
                    next_housekeeping = now + HOUSEKEEPING_EVERY_S
                    if self._disk_reserve and free_bytes(self._folder) < self._disk_reserve:
                        return StopReason.DISK_LOW
        except DiskFullError as exc:  # an encoder's, or the spill file's: kept as it is
            log.warning("part %s: %s", self._stem, exc)
            return StopReason.DISK_LOW

    def _place(self, plan: list[Placement] | Placement | None) -> None:
        # A plan from VideoSlots.place ends with the new frame; all else repeats a frame.
        placements = [plan] if isinstance(plan, Placement) else plan or []
        for index, placement in enumerate(placements):
            if placement.count and placement.image is not None:
                new = isinstance(plan, list) and index == len(placements) - 1
                self._video_out.write(placement.image, placement.count, new=new)

    def _step(self, pace: _Pace, now: float, began: float) -> None:
        """A faster preset, in a new segment; x264 flushes the old one off this thread."""
        current = self._presets.index(self.stats.presets[-1])
        if current + 1 >= len(self._presets):
            return
        pace.stepped(now)
        self.stats.step_times_s.append(now - began)
        old = self._video_out.encoder
        self._segments.append(VideoSegment(old.path,
                                           self._slots.written - self._segment_first_slot))
        self._segment_first_slot = self._slots.written
        owed = self._video_out.switch(self._open_segment(len(self._segments),
                                                         self._presets[current + 1]))
        self._closing.append(_close_in_background(old, owed, self.closing_patience_s))

    @property
    def closing_patience_s(self) -> float:
        """How long closing may wait for a stalled encoder to come back."""
        return self._stall_limit + CLOSE_GRACE_S

    def _close_part(self, reason: StopReason) -> tuple[StopReason, int]:
        """Pad to a whole sync unit (repeat the last picture, add silence) and close both
        files; returns the reason (a disk that filled up meanwhile wins) and the samples.

        A stalled encoder is waited for, up to the limit and a grace: then it is stopped and
        the part fails (EncoderStalled): what reached the disk is rebuilt at the finish.
        """
        video, rate = self._video, self._sample_rate
        slots, video_out, audio_out = self._slots, self._video_out, self._audio_out
        patience = self.closing_patience_s
        # Settings refuse rates with no short unit; a direct caller gets frame accuracy.
        unit = sync_unit_frames(video.fps, rate) or 1
        wanted = max(slots.written,
                     math.ceil(self._audio_clock.samples * video.fps / rate - 1e-9))
        frames = max(unit, math.ceil(wanted / unit) * unit)
        total_samples = round(frames * rate / video.fps)
        padding: list[list[Placement] | Placement | None] = []
        if slots.written == 0:
            padding.append(slots.place(0.0, np.zeros((video.height, video.width, 3), np.uint8)))
        padding.append(slots.fill_to(frames / video.fps))
        full: list[DiskFullError] = []

        def close_video() -> None:
            video_out.finish(patience)
            for plan in padding:
                self._place(plan)
            video_out.encoder.close(patience)

        def close_audio() -> None:
            audio_out.finish(patience)
            if total_samples > audio_out.samples:
                audio_out.write(np.zeros(total_samples - audio_out.samples, np.int16))
            audio_out.encoder.close(patience)

        for close, encoder in ((close_video, video_out.encoder),
                               (close_audio, audio_out.encoder)):
            try:
                close()
            except DiskFullError as exc:  # kept as far as it reached the disk
                encoder.kill()
                full.append(exc)
        for thread, earlier, errors in self._closing:
            thread.join()
            if errors and not isinstance(errors[0], DiskFullError):
                raise errors[0]
            full.extend(e for e in errors if isinstance(e, DiskFullError))
            self._account(earlier)
        self._account(video_out.encoder)
        self._account(audio_out.encoder)
        if full and reason is not StopReason.DISK_LOW:
            log.warning("part %s: %s", self._stem, full[0])
            reason = StopReason.DISK_LOW
        return reason, total_samples

    def _open_segment(self, index: int, preset: str) -> QueuedEncoder:
        path = self._folder / f"{self._stem}-v{index}.mkv"
        self.stats.presets.append(preset)
        return QueuedEncoder(video_encoder(path, self._video, preset), VIDEO_QUEUE_FRAMES,
                             sync=sync_file)

    def _account(self, encoder: QueuedEncoder) -> None:
        self.stats.encoder_cpu_s += encoder.encoder.cpu_seconds or 0.0
        self.stats.writer_cpu_s += encoder.cpu_s

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
