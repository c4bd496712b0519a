"""Stalls: an encoder that takes no data for a while, and what the part does meanwhile.

The timeline goes on (kiosk.capture.recorder), so the part keeps its true length and its
sync. Video that finds no room at its encoder is dropped as whole frames at their place on
the timeline, and their slots are paid, once the encoder takes data again, with the last
picture it was given (a count of repeats, not copies in memory): the picture freezes.
Sound that finds no room waits in a file beside the part and goes to its encoder, in
order, after: not a sample is lost, and memory stays bounded. Each stall is kept in the
part's stats and told to IT (the log).
"""

from __future__ import annotations

import errno
import io
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.errors import DiskFullError
from kiosk.media.queued import QueuedEncoder

log = logging.getLogger(__name__)

VIDEO = "video"
AUDIO = "audio"
SPILL_CHUNK_BYTES = 48_000  # half a second of 48 kHz mono: what goes back to the encoder at once
# Blocks go on together: a fifth of the writing thread's wake-ups (its CPU), and a crash
# loses 0.1 s more at most.
AUDIO_BATCH_S = 0.1
STALL_MIN_S = 0.5  # of the part without room: a stall (with the queue's half second before it)


@dataclass(frozen=True)
class Stall:
    """A stretch of a part that its encoder had no room for (it took no data), placed on
    the part's own timeline: seconds of the part as it plays.

    video: the picture froze at `at_s` for `duration_s`; `frames_repeated` slots show the
    last picture before it instead of the camera's. audio: from `at_s`, `duration_s` of
    sound waited on disk until the encoder took data again; `audio_spilled_s` went through
    the spill file in all (with what followed while the backlog drained). No sound is lost:
    an audio stall costs the candidate nothing, it tells IT that the booth was frozen.
    Either begins up to about a second after the encoder stopped (its queue and pipe are
    full by then). Only a stretch of STALL_MIN_S or more is a stall (see StallLog).
    """

    stream: str  # "video" or "audio"
    at_s: float  # seconds from the part's start
    duration_s: float
    frames_repeated: int = 0  # video only
    audio_spilled_s: float = 0.0  # audio only


class StallLog:
    """The stalls of one part, in the order they ended.

    A stretch shorter than STALL_MIN_S is an encoder that is slow rather than stalled: its
    cost is in the part's dropped and repeated frames (and it steps the preset), but it is
    not a stall to tell anyone about.
    """

    def __init__(self, part: str, stalls: list[Stall]) -> None:
        self.part = part
        self.stalls = stalls
        self._told: set[str] = set()

    def going_on(self, stream: str, at_s: float, so_far_s: float) -> None:
        """A stretch without room since `at_s`: told to IT once it is a stall."""
        if so_far_s < STALL_MIN_S or stream in self._told:
            return
        self._told.add(stream)
        log.warning("part %s: the %s encoder has taken no data since %.2f s: %s", self.part,
                    stream, at_s, "its frames are dropped and will be repeated"
                    if stream == VIDEO else "the sound waits on disk")

    def ended(self, stall: Stall) -> None:
        self._told.discard(stall.stream)
        if stall.duration_s < STALL_MIN_S:
            return
        self.stalls.append(stall)
        cost = (f"{stall.frames_repeated} frames repeated" if stall.stream == VIDEO
                else f"{stall.audio_spilled_s:.2f} s of sound went through the disk")
        log.warning("part %s: the %s encoder stalled at %.2f s for %.2f s: %s", self.part,
                    stall.stream, stall.at_s, stall.duration_s, cost)


class VideoOutlet:
    """Frames placed on the timeline, on their way to the video encoder.

    `blocking` (a simulated clock: nothing is late) waits for room instead of dropping.
    """

    def __init__(self, encoder: QueuedEncoder, fps: float, stalls: StallLog, *,
                 blocking: bool) -> None:
        self.encoder = encoder
        self.fps = fps
        self.blocking = blocking
        self.patience_s: float | None = None
        self.slots = 0  # slots handed on or owed
        self.dropped = 0  # frames from the camera that found no room (their slots repeat)
        self._stalls = stalls
        self._shown: np.ndarray | None = None  # the last picture the encoder was given
        self._owed = 0
        self._owed_from = 0  # the first slot owed

    def write(self, image: np.ndarray, count: int, *, new: bool) -> None:
        """`count` slots of `image`; `new`: its first is a frame from the camera (else all
        repeat one placed before). Raises what the encoder's writing raised."""
        if (not self._owed or self._pay()) and self._hand(image, count):
            self._shown = image
        else:
            if not self._owed:
                self._owed_from = self.slots
            if self._shown is None:
                self._shown = image  # nothing shown yet: the first picture stands in
            self._owed += count
            self.dropped += new
            self._stalls.going_on(VIDEO, self._owed_from / self.fps, self._owed / self.fps)
        self.slots += count

    def finish(self, patience_s: float) -> None:
        """From now on wait for room (up to `patience_s` of the encoder taking nothing), and
        pay what is owed."""
        self.blocking, self.patience_s = True, patience_s
        if self._owed:
            self._pay()

    def switch(self, encoder: QueuedEncoder) -> tuple[np.ndarray | None, int]:
        """A new segment: returns what the old encoder is still owed (paid as it closes)."""
        owed = self._shown, self._owed
        if self._owed:
            self._ended()
        self.encoder = encoder
        return owed

    def _pay(self) -> bool:
        assert self._shown is not None
        if not self._hand(self._shown, self._owed):
            return False
        self._ended()
        return True

    def _ended(self) -> None:
        self._stalls.ended(Stall(VIDEO, self._owed_from / self.fps, self._owed / self.fps,
                                 frames_repeated=self._owed))
        self._owed = 0

    def _hand(self, image: np.ndarray, count: int) -> bool:
        if self.encoder.failure is not None:
            raise self.encoder.failure  # a dead encoder is no stall
        if self.blocking:
            self.encoder.put(image, count, patience_s=self.patience_s)
            return True
        return self.encoder.offer(image, count)


class AudioOutlet:
    """Sound on its way to the audio encoder; what finds no room waits in `spill_path`."""

    def __init__(self, encoder: QueuedEncoder, sample_rate: int, spill_path: Path,
                 stalls: StallLog, *, blocking: bool) -> None:
        self.encoder = encoder
        self.rate = sample_rate
        self.spill_path = spill_path
        self.blocking = blocking
        self.patience_s: float | None = None
        self.samples = 0  # handed on or kept on disk
        self._stalls = stalls
        self._batch: list[np.ndarray] = []
        self._batched = 0
        self._batch_samples = max(1, round(sample_rate * AUDIO_BATCH_S))
        self._spill: io.FileIO | None = None
        self._read = self._written = 0  # bytes of the spill file
        self._spilled_from = 0  # the sample where the stall began
        self._taken_at: int | None = None  # the sample at which the encoder took data again

    def write(self, samples: np.ndarray) -> None:
        """Raises what the encoder's writing raised, or DiskFullError if the sound cannot
        wait on a full disk."""
        self._batch.append(samples)
        self._batched += len(samples)
        # Once finishing (the padding at the end) nothing may wait in the batch.
        if self._batched >= self._batch_samples or self.patience_s is not None:
            self._flush()
        elif self._written:
            self.pump()

    def _flush(self) -> None:
        if not self._batch:
            return
        samples = self._batch[0] if len(self._batch) == 1 else np.concatenate(self._batch)
        self._batch, self._batched = [], 0
        if not self._written and self._hand(samples):
            self.samples += len(samples)
            return
        if not self._written:
            self._spilled_from, self._taken_at = self.samples, None
        self._keep(samples)
        if self._taken_at is None:
            self._stalls.going_on(AUDIO, self._spilled_from / self.rate,
                                  (self.samples - self._spilled_from) / self.rate)
        self.pump()

    def pump(self) -> None:
        """Hand what waits on disk to the encoder, oldest first, as far as it has room."""
        while self._read < self._written and (self.blocking or self.encoder.room()):
            assert self._spill is not None
            self._spill.seek(self._read)
            chunk = self._spill.read(min(SPILL_CHUNK_BYTES, self._written - self._read))
            chunk = chunk[:len(chunk) - len(chunk) % 2]  # whole samples, even from a short read
            if not chunk or not self._hand(chunk):
                return
            self._read += len(chunk)
            if self._taken_at is None:
                self._taken_at = self.samples
        if self._written and self._read == self._written:
            assert self._spill is not None and self._taken_at is not None
            self._stalls.ended(Stall(
                AUDIO, self._spilled_from / self.rate,
                (self._taken_at - self._spilled_from) / self.rate,
                audio_spilled_s=self._written / 2 / self.rate))
            self._spill.seek(0)
            self._spill.truncate()  # the next stall starts an empty file
            self._read = self._written = 0

    def finish(self, patience_s: float) -> None:
        """From now on wait for room (as VideoOutlet.finish); hand on all that waits."""
        self.blocking, self.patience_s = True, patience_s
        self._flush()
        self.pump()

    def discard(self) -> None:
        """Let go of the spill file (what it still holds is lost: the part has failed)."""
        if self._spill is not None:
            self._spill.close()
            self._spill = None
        self.spill_path.unlink(missing_ok=True)

    def _keep(self, samples: np.ndarray) -> None:
        data = memoryview(np.ascontiguousarray(samples, np.int16).tobytes())
        before = self._written
        try:
            if self._spill is None:
                self._spill = io.FileIO(self.spill_path, "w+")
            self._spill.seek(self._written)
            while data:
                done = self._spill.write(data) or 0
                self._written += done
                data = data[done:]
        except OSError as exc:
            self._written -= self._written % 2  # a whole number of samples
            if exc.errno == errno.ENOSPC:
                raise DiskFullError(f"The sound could not wait on disk for its encoder: the "
                                    f"disk is full ({exc.strerror}).") from None
            raise
        finally:
            self.samples += (self._written - before) // 2

    def _hand(self, chunk: np.ndarray | bytes) -> bool:
        if self.encoder.failure is not None:
            raise self.encoder.failure  # a dead encoder is no stall
        if self.blocking:
            self.encoder.put(chunk, patience_s=self.patience_s)
            return True
        return self.encoder.offer(chunk)
