"""An encoder fed by a thread of its own, through a bounded queue.

The recorder's timeline must never wait for ffmpeg: an encoder that stops taking data (its
process frozen by an antivirus scan, its disk slow) would hold up the timeline, the live
feeds would overflow and the sound would lose time. Through a queue of its own, the
timeline learns at once that there is no room (`offer` says False) and decides itself what
becomes of the data, while this thread measures how long the encoder has taken nothing
(`stuck_s`). Forcing the file to disk happens here too, for the same reason: on a slow disk
an fsync can take seconds.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from kiosk.media.encode import PipeEncoder
from kiosk.media.ffmpeg import MediaError

Chunk = np.ndarray | bytes
SYNC_EVERY_S = 1.0  # a power cut must not take more than the last second or so with it
_POLL_S = 0.1


class EncoderStalled(MediaError):
    """The encoder took no data for longer than it was given: it was stopped."""


class QueuedEncoder:
    """`encoder` written by a thread of its own from a queue of at most `depth` chunks.

    A chunk is written `count` times (a picture repeated costs one reference, not copies).
    """

    def __init__(self, encoder: PipeEncoder, depth: int, *,
                 sync: Callable[[Path], None] | None = None) -> None:
        self.encoder = encoder
        self.failure: BaseException | None = None  # what the thread's writing raised
        self.written = 0  # chunks written so far (a repeat counts each time)
        self.cpu_s = 0.0  # the thread's own CPU, once it has ended
        self._queue: queue.Queue[tuple[Chunk, int] | None] = queue.Queue(depth)
        self._sync = sync
        self._busy = False
        self._progress_at = time.monotonic()
        self._next_sync = 0.0
        self._thread = threading.Thread(target=self._run, name=f"encode {encoder.path.name}",
                                        daemon=True)
        self._thread.start()

    @property
    def path(self) -> Path:
        return self.encoder.path

    def offer(self, chunk: Chunk, count: int = 1) -> bool:
        """Queue `chunk` if there is room, at once; False if there is none (or it failed)."""
        if self.failure is not None:
            return False
        try:
            self._queue.put_nowait((chunk, count))
        except queue.Full:
            return False
        return True

    def room(self) -> bool:
        return self.failure is None and not self._queue.full()

    def put(self, chunk: Chunk, count: int = 1, *, patience_s: float | None = None) -> None:
        """Queue `chunk`, waiting for room; raises what the writing raised, or EncoderStalled
        (the encoder is then stopped) once it has taken nothing for `patience_s`."""
        self._enqueue((chunk, count), patience_s)

    def backlog(self) -> int:
        return self._queue.qsize()

    def stuck_s(self, now: float | None = None) -> float:
        """How long the encoder has taken nothing while it had something to write (0 when
        it is waiting for data)."""
        if not self._busy:
            return 0.0
        return max(0.0, (time.monotonic() if now is None else now) - self._progress_at)

    def close(self, patience_s: float | None = None) -> None:
        """Write what is queued and finish the file; raises as `put` does."""
        try:
            self._enqueue(None, patience_s)
            while self._thread.is_alive():
                self._thread.join(_POLL_S)
                if patience_s is not None and self.stuck_s() >= patience_s:
                    self._give_up(patience_s)
        except BaseException:
            self.kill()
            raise
        if self.failure is not None:
            self.kill()  # reaps it and lets go of its log
            raise self.failure

    def kill(self) -> None:
        """Stop the encoder now (what it wrote stays on disk) and end the thread."""
        self.encoder.kill()  # a write blocked on it fails, which ends the thread
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(None)  # wakes a thread waiting for data
        self._thread.join(5.0)

    def _enqueue(self, item: tuple[Chunk, int] | None, patience_s: float | None) -> None:
        while True:
            if self.failure is not None:
                raise self.failure
            try:
                self._queue.put(item, timeout=_POLL_S)
                return
            except queue.Full:
                pass
            if patience_s is not None and self.stuck_s() >= patience_s:
                self._give_up(patience_s)

    def _give_up(self, patience_s: float) -> None:
        self.kill()
        raise EncoderStalled(f"{self.encoder.what} took no data for {patience_s:.0f} s and was "
                             f"stopped; what it wrote is kept.")

    def _run(self) -> None:
        started = time.thread_time()
        self._next_sync = time.monotonic() + SYNC_EVERY_S
        try:
            while True:
                self._busy = False
                try:
                    item = self._queue.get(timeout=SYNC_EVERY_S)
                except queue.Empty:
                    self._sync_if_due()
                    continue
                self._progress_at = time.monotonic()  # before busy: never a stale stall
                self._busy = True
                if item is None:
                    self.encoder.close()
                    return
                chunk, count = item
                data = chunk if isinstance(chunk, bytes) else (
                    np.ascontiguousarray(chunk).data.cast("B"))
                for _ in range(count):
                    self.encoder.write(data)
                    self._progress_at = time.monotonic()
                    self.written += 1
                self._sync_if_due()
        except BaseException as exc:  # raised in the owner's thread by put, close
            self.failure = exc
        finally:
            self._busy = False
            self.cpu_s = time.thread_time() - started

    def _sync_if_due(self) -> None:
        now = time.monotonic()
        if self._sync is None or now < self._next_sync:
            return
        self._next_sync = now + SYNC_EVERY_S
        self._progress_at = now
        self._busy = True  # a slow disk holds this thread here: that is a stall too
        self._sync(self.path)
