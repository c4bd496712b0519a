"""One interview being recorded: its answers, as parts, and the file built along the way.

Every answer (every take of it) is a part under `recordings/<session-id>/parts/`, listed in
the manifest (kiosk.recording.manifest). While the candidate answers the next question, the
answers behind them are appended to the interview file in the background
(kiosk.media.progressive), so that finishing (kiosk.recording.finish) has only the last one
left to add.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from pathlib import Path

from kiosk.capture.live import LiveSources
from kiosk.capture.recorder import PartRecorder, PartResult
from kiosk.config import Settings
from kiosk.errors import KioskError
from kiosk.media.encode import VideoFormat
from kiosk.media.merge import PartFiles, chapter_bounds_ms
from kiosk.media.progressive import ProgressiveMerge
from kiosk.recording.disk import check_disk_for_new_session, full_disk_is_an_error
from kiosk.recording.finish import UNKNOWN_EXTENT, Extent, Finished, finish_session
from kiosk.recording.manifest import Manifest, TakeEntry
from kiosk.store import sessions
from kiosk.store.database import Database
from kiosk.store.files import (
    FOLDER_MODE,
    PARTS_FOLDER_NAME,
    RECORDING_LOCK_NAME,
    session_folder,
)
from kiosk.store.locks import FileLock
from kiosk.store.models import SessionStatus
from kiosk.words import StopReason, TakeStatus

PROGRESSIVE_NAME = "interview.progressive.mp4"
END_SLACK_S = 30.0  # beyond the encoders' own patience: flushing x264 after a long answer


class SessionRecording:
    """Records the answers of one session (through `sources`) and finishes it."""

    def __init__(self, db: Database, settings: Settings, sources: LiveSources,
                 session_id: str) -> None:
        self._db, self._settings, self._sources = db, settings, sources
        self.session_id = session_id
        self.folder = session_folder(settings.recordings_dir, session_id)
        self.parts = self.folder / PARTS_FOLDER_NAME
        camera = sources.camera
        self.video = VideoFormat(camera.width, camera.height,
                                 float(camera.fps or settings.recording.fps))
        self.manifest = Manifest(self.parts, session_id, self.video.width, self.video.height,
                                 self.video.fps, sources.microphone.sample_rate)
        self._active: tuple[TakeEntry, PartRecorder] | None = None
        self._lock = FileLock(self.folder / RECORDING_LOCK_NAME)
        # Answers the interview has moved past are appended to the interview file in the
        # background, so that finishing only has the last one left to add.
        self._progressive: ProgressiveMerge | None = None
        self._appended: list[TakeEntry] = []
        self._appending: queue.Queue[PartFiles | None] = queue.Queue()
        self._append_error: BaseException | None = None
        self._appender: threading.Thread | None = None
        self.used_progressive = False  # once finished: the file built along the way was used

    def begin(self) -> None:
        """Check the disk, make the folders, lock them, and mark the session in progress."""
        check_disk_for_new_session(self._settings)
        with full_disk_is_an_error("Starting the interview"):
            self.folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
            if not self._lock.acquire():
                raise KioskError(f"The session {self.session_id} is being recorded by another "
                                 f"kiosk on this machine.")
            self.parts.mkdir(mode=FOLDER_MODE, exist_ok=True)
            self.manifest.save()
            sessions.start_session(self._db, self.session_id,
                                   booth_name=self._settings.booth_name)
        # Its index is kept at the front, in room sized for the longest interview planned;
        # one that runs longer is merged at the end instead (see _finish_progressive).
        self._progressive = ProgressiveMerge(
            self.parts / PROGRESSIVE_NAME,
            longest_minutes=self._settings.recording.longest_interview_minutes)
        self._appender = threading.Thread(target=self._append_answers, name="appender",
                                          daemon=True)
        self._appender.start()

    def use_sources(self, sources: LiveSources) -> None:
        """Record the next answers through `sources` (the devices opened again after a loss).

        The parts are joined without re-encoding, so the picture size and the sample rate
        must stay those of the answers already recorded.
        """
        if sources is self._sources:
            return
        if self._active is not None:
            raise RuntimeError("an answer is being recorded")
        size = (sources.camera.width, sources.camera.height)
        if size != (self.video.width, self.video.height) or (
                sources.microphone.sample_rate != self.manifest.sample_rate):
            raise KioskError(
                f"The camera or microphone that came back records differently "
                f"({size[0]}x{size[1]}, {sources.microphone.sample_rate} Hz; the interview "
                f"so far is {self.video.width}x{self.video.height}, "
                f"{self.manifest.sample_rate} Hz). The answers so far are kept. "
                f"Please tell a member of staff.")
        self._sources = sources

    def start_answer(self, index: int, question: str, *,
                     on_end: Callable[[StopReason], None] | None = None) -> PartRecorder:
        """Start recording a take of question `index` (a retake if it was answered before).

        `on_end` is told, on the writer's thread, why the take ended: also when it ended by
        itself (a device lost, the disk low).
        """
        if self._active is not None:
            raise RuntimeError("an answer is already being recorded")
        self._seal(before=index)
        with full_disk_is_an_error("Starting the answer"):
            entry = self.manifest.add_take(index, question)
            sessions.answer_started(self._db, self.session_id)
        recorder = PartRecorder(
            self._sources, self.parts, entry.stem, video=self.video,
            sample_rate=self.manifest.sample_rate, title=question,
            disk_reserve_bytes=self._settings.recording.disk_reserve_mb * 1024 * 1024,
            stall_limit_s=self._settings.recording.stall_limit_seconds,
            on_end=on_end, av_offset_s=self._settings.recording.av_offset_ms / 1000,
        )
        recorder.start()
        self._active = (entry, recorder)
        return recorder

    def end_answer(self, at: float | None = None) -> PartResult:
        """Stop the take being recorded (at capture time `at`, default now) and keep it."""
        if self._active is None:
            raise RuntimeError("no answer is being recorded")
        entry, recorder = self._active
        self._active = None
        recorder.stop(at)
        # Whatever survives of a take that failed is rebuilt at finish (or by recovery): it
        # is never dropped. If the disk is full the manifest on disk still says "recording",
        # which means the same.
        with full_disk_is_an_error("Ending the answer"):
            try:
                # Longer than closing may wait on a stalled encoder: not failed while it
                # still closes.
                result = recorder.wait(recorder.closing_patience_s + END_SLACK_S)
            except BaseException:
                self.manifest.update(entry, status=TakeStatus.FAILED)
                raise
            # A part that ended on a full disk may be cut short on disk: rebuilt from it.
            ended = TakeStatus.FAILED if result.reason is StopReason.DISK_LOW else (
                TakeStatus.DONE)
            self.manifest.update(entry, status=ended, reason=result.reason,
                                 samples=result.samples, segments=tuple(result.files.video),
                                 stalls=tuple(result.stats.stalls))
            sessions.answer_ended(self._db, self.session_id)
        return result

    def discard_take(self, index: int) -> None:
        """Drop the newest finished take of question `index` (the candidate chose to retry)."""
        for entry in reversed(self.manifest.takes):
            if entry.index == index and entry.status is TakeStatus.DONE:
                self.manifest.update(entry, status=TakeStatus.DISCARDED)
                return
        self.manifest.save()

    def finish(self, extent: Extent = UNKNOWN_EXTENT) -> Finished:
        """End any answer, then finish the session (kiosk.recording.finish)."""
        try:
            if self._active is not None:
                self.end_answer()
            premerged = self._finish_progressive()
            finished = finish_session(self._db, self._settings, self.manifest,
                                      status=SessionStatus.COMPLETED, premerged=premerged,
                                      extent=extent)
        except BaseException:
            self.release()  # left for recovery at the next start: no longer ours
            raise
        self.release()
        (self.folder / RECORDING_LOCK_NAME).unlink(missing_ok=True)
        self.used_progressive = finished.used_progressive
        return finished

    def release(self) -> None:
        self._stop_appender()
        if self._progressive is not None:
            # Used (moved into place) or not, the muxer and its lists go now, not at exit;
            # a session left for recovery is rebuilt from its parts.
            self._progressive.abort()
            self._progressive = None
        self._lock.release()

    def _seal(self, before: int | None = None) -> None:
        """Hand the kept answers before question `before` (all, if None) to the appender."""
        for take in self.manifest.kept_takes():
            if (before is None or take.index < before) and take not in self._appended:
                self._appended.append(take)
                self._appending.put(self.manifest.files(take))

    def _append_answers(self) -> None:
        while (part := self._appending.get()) is not None:
            if self._append_error is None and self._progressive is not None:
                try:
                    self._progressive.append(part)
                except BaseException as exc:  # finish falls back to the full merge
                    self._append_error = exc

    def _stop_appender(self) -> None:
        if self._appender is not None:
            self._appending.put(None)
            self._appender.join()
            self._appender = None

    def _finish_progressive(self) -> Path | None:
        """The interview file built along the way, if it holds exactly the kept answers."""
        progressive = self._progressive
        if progressive is None:
            return None
        self._seal()
        self._stop_appender()
        kept = self.manifest.kept_takes()
        if self._append_error is not None or self._appended != kept or any(
            take.status.cut_off for take in self.manifest.takes
        ):
            progressive.abort()  # an answer changed after it was appended, or one failed
            return None
        files = [self.manifest.files(take) for take in kept]
        try:
            progressive.finish([(start, take.question) for take, (start, _) in
                                zip(kept, chapter_bounds_ms(files), strict=True)])
        except KioskError:
            progressive.abort()
            return None
        return progressive.output
