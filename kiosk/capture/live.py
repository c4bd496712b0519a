"""A camera and a microphone kept running on their own threads, from device check to goodbye.

Observers (the preview, the level meter, the device check) read `latest_frame`, `level_dbfs`
and `peak_dbfs` whenever they like: a single reference swapped per frame, so reading never
slows capture or grows a queue.
A recorder attaches a Feed to receive every frame and block while it records an answer.

With a real-time clock a full feed drops (and counts) rather than block the device thread.
With a simulated clock nothing is real about time, so the threads wait for a feed and then
block on it: the sources run exactly as fast as the recorder takes their data.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from kiosk.capture.clock import Clock
from kiosk.capture.frames import AudioBlock, VideoFrame
from kiosk.capture.sources import Camera, Microphone

VIDEO_FEED_FRAMES = 16  # about half a second of 720p: 44 MB at most
AUDIO_FEED_BLOCKS = 250  # about five seconds of 20 ms blocks
# Simulated sources block on a full feed, so depth buys nothing; a shallow one keeps them
# from running ahead past the end of an answer (what is queued then is not recorded).
SIMULATED_FEED_ITEMS = 4
SILENCE_DBFS = -96.0


class Feed:
    """Everything captured while a recorder listens, in bounded queues."""

    def __init__(self, *, blocking: bool) -> None:
        self.blocking = blocking
        self.video: queue.Queue[VideoFrame] = queue.Queue(
            SIMULATED_FEED_ITEMS if blocking else VIDEO_FEED_FRAMES)
        self.audio: queue.Queue[AudioBlock] = queue.Queue(
            SIMULATED_FEED_ITEMS if blocking else AUDIO_FEED_BLOCKS)
        self.frames_offered = 0
        self.frames_dropped = 0  # ours: the recorder had no room for a frame in time
        self.blocks_dropped = 0
        self.closed = threading.Event()

    def offer_video(self, frame: VideoFrame) -> None:
        self.frames_offered += 1
        if not self._put(self.video, frame):
            self.frames_dropped += 1

    def offer_audio(self, block: AudioBlock) -> None:
        if not self._put(self.audio, block):
            self.blocks_dropped += 1

    def _put(self, target: queue.Queue, item: object) -> bool:
        if not self.blocking:
            try:
                target.put_nowait(item)
                return True
            except queue.Full:
                return False
        while not self.closed.is_set():
            try:
                target.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False


class LiveSources:
    def __init__(self, camera: Camera, microphone: Microphone, clock: Clock) -> None:
        self.camera, self.microphone, self.clock = camera, microphone, clock
        self.latest_frame: VideoFrame | None = None
        self.level_dbfs = SILENCE_DBFS
        self.peak_dbfs = SILENCE_DBFS  # the newest block's loudest sample: clipping shows here
        self.camera_lost = threading.Event()
        self.microphone_lost = threading.Event()
        self._first_block = threading.Event()
        self.error: str | None = None
        self._feed: Feed | None = None
        self._feed_attached = threading.Event()
        self._running = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lost_listeners: list[Callable[[], None]] = []
        self._listeners_lock = threading.Lock()

    def start(self) -> None:
        """Open both devices (SourceError if either cannot) and start capturing."""
        self.camera.open()
        try:
            self.microphone.open()
        except BaseException:
            self.camera.close()
            raise
        self._running.set()
        self._threads = [
            threading.Thread(target=self._run_camera, name="camera", daemon=True),
            threading.Thread(target=self._run_microphone, name="microphone", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def wait_until_live(self, timeout_s: float = 10.0) -> bool:
        """Wait for a first frame and a first sound block (devices can take a moment)."""
        if not self.clock.realtime:
            return True  # simulated sources produce once a recorder listens
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.latest_frame is not None and self._first_block.is_set():
                return True
            if self.camera_lost.is_set() or self.microphone_lost.is_set():
                return False
            time.sleep(0.02)
        return False

    def on_lost(self, listener: Callable[[], None]) -> None:
        """Call `listener` (on the device's thread) when the camera or microphone is lost;
        at once if one already is."""
        with self._listeners_lock:
            self._lost_listeners.append(listener)
            lost = self.camera_lost.is_set() or self.microphone_lost.is_set()
        if lost:
            listener()

    def attach(self) -> Feed:
        feed = Feed(blocking=not self.clock.realtime)
        self._feed = feed
        self._feed_attached.set()
        return feed

    def detach(self, feed: Feed) -> None:
        if self._feed is feed:
            self._feed = None
            self._feed_attached.clear()
        feed.closed.set()

    def close(self) -> None:
        self._running.clear()
        self._feed_attached.set()  # wake threads waiting for a feed, so they can end
        feed = self._feed
        if feed is not None:
            feed.closed.set()
        camera_thread, microphone_thread = self._threads or (None, None)
        for thread in self._threads:
            thread.join(timeout=5)
        # Releasing a device while its thread is still inside read() can crash the driver:
        # a thread that is stuck keeps its device (a daemon thread dies with the process).
        if camera_thread is None or not camera_thread.is_alive():
            self.camera.close()
        if microphone_thread is None or not microphone_thread.is_alive():
            self.microphone.close()

    def _wait_for_feed(self) -> Feed | None:
        if self.clock.realtime:
            return self._feed
        while self._running.is_set():
            feed = self._feed
            if feed is not None:
                return feed
            self._feed_attached.wait(0.2)
        return None

    def _run_camera(self) -> None:
        self._capture("camera", self.camera.read, self._publish_frame, self.camera_lost)

    def _run_microphone(self) -> None:
        self._capture("microphone", self.microphone.read, self._publish_block,
                      self.microphone_lost)

    def _capture(self, what: str, read: Callable[[], Any], publish: Callable[[Any, Feed | None],
                 None], lost: threading.Event) -> None:
        """Read until stopped; a device that ends or whose driver raises counts as lost."""
        try:
            while self._running.is_set():
                feed = self._wait_for_feed()
                if not self._running.is_set():
                    return
                item = read()
                if item is None:
                    self._lost(lost)
                    return
                publish(item, feed)
        except Exception as exc:  # a driver error ends capture like an unplugged device
            self.error = f"The {what} failed: {exc}"
            self._lost(lost)

    def _lost(self, lost: threading.Event) -> None:
        with self._listeners_lock:
            lost.set()
            listeners = list(self._lost_listeners)
        for listener in listeners:
            listener()

    def _publish_frame(self, frame: VideoFrame, feed: Feed | None) -> None:
        self.latest_frame = frame
        if feed is not None:
            feed.offer_video(frame)

    def _publish_block(self, block: AudioBlock, feed: Feed | None) -> None:
        self.level_dbfs = _dbfs(block.samples)
        self.peak_dbfs = _peak_dbfs(block.samples)
        self._first_block.set()
        if feed is not None:
            feed.offer_audio(block)

def _dbfs(samples: np.ndarray) -> float:
    if not len(samples):
        return SILENCE_DBFS
    rms = math.sqrt(float(np.mean(np.square(samples, dtype=np.float64))))
    return max(SILENCE_DBFS, 20 * math.log10(rms / 32768)) if rms > 0 else SILENCE_DBFS


def _peak_dbfs(samples: np.ndarray) -> float:
    if not len(samples):
        return SILENCE_DBFS
    # From max and min, not abs(): abs(-32768) overflows int16 and stays negative.
    peak = max(int(samples.max()), -int(samples.min()))
    return max(SILENCE_DBFS, 20 * math.log10(peak / 32768)) if peak > 0 else SILENCE_DBFS
