"""One interview's recording, from the first answer to a committed `interview.mp4`.

Every answer (every take of it) is a part under `recordings/<session-id>/parts/`, described in
`parts/manifest.json`, which is rewritten atomically whenever a take starts or ends, so a
crash at any moment leaves enough on disk to rebuild the interview (kiosk.capture.recovery).

Finishing merges the kept takes, writes the poster, verifies the file, commits the session row
(recording fields, size, checksum, duration, question markers) in one transaction, and only
then removes the parts. If anything fails before the commit, the parts stay.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from kiosk.capture.live import LiveSources
from kiosk.capture.rebuild import rebuild_take
from kiosk.capture.recorder import PartRecorder, PartResult
from kiosk.config import Settings
from kiosk.errors import KioskError
from kiosk.media.encode import VideoFormat
from kiosk.media.ffmpeg import MediaError
from kiosk.media.merge import PartFiles, VideoSegment, chapter_bounds_ms, merge_parts
from kiosk.media.poster import write_poster
from kiosk.media.probe import MediaInfo, probe
from kiosk.media.progressive import ProgressiveMerge
from kiosk.store.database import Database
from kiosk.store.files import (
    FILE_MODE,
    FOLDER_MODE,
    PARTS_FOLDER_NAME,
    POSTER_FILE_NAME,
    RECORDING_FILE_NAME,
    RECORDING_LOCK_NAME,
    file_sha256,
    free_bytes,
    relative_to_root,
    session_folder,
    sync_file,
    sync_folder,
)
from kiosk.store.locks import FileLock
from kiosk.store.models import InterviewSession, QuestionMarker, SessionStatus

MANIFEST_NAME = "manifest.json"
PROGRESSIVE_NAME = "interview.progressive.mp4"
MERGE_TOLERANCE_S = 0.2
UNFINISHED_TAKE = ("recording", "failed")  # cut off: rebuilt from what is on disk


class DiskSpaceError(KioskError):
    """Not enough free disk to start (or go on) recording."""


class NothingToMergeError(KioskError):
    """A session has no answer with anything usable in it."""


@dataclass
class TakeEntry:
    index: int  # the question's position, from 0
    take: int  # 1 for the first attempt, 2 for the first retake, ...
    question: str
    stem: str
    status: str = "recording"  # recording -> done | discarded
    segments: list[dict] = field(default_factory=list)  # [{"file", "frames"}], once done
    samples: int | None = None
    reason: str | None = None


@dataclass
class Manifest:
    session_id: str
    width: int
    height: int
    fps: float
    sample_rate: int
    takes: list[TakeEntry] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        data = json.loads(path.read_text(encoding="utf-8"))
        takes = [TakeEntry(**take) for take in data.pop("takes")]
        return cls(**data, takes=takes)

    def save(self, path: Path) -> None:
        partial = path.with_name(path.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with open(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(self), handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
        sync_folder(path.parent)

    def kept_takes(self) -> list[TakeEntry]:
        """For each question, its newest finished take, in question order."""
        newest: dict[int, TakeEntry] = {}
        for take in self.takes:
            if take.status == "done":
                newest[take.index] = take
        return [newest[index] for index in sorted(newest)]


def required_free_bytes(settings: Settings) -> int:
    recording = settings.recording
    interview = recording.longest_interview_minutes * recording.mb_per_minute
    return (interview + recording.disk_reserve_mb) * 1024 * 1024


def check_disk_for_new_session(settings: Settings) -> None:
    """Refuse to start an interview that might not fit (DiskSpaceError with the numbers)."""
    needed, free = required_free_bytes(settings), free_bytes(settings.recordings_dir)
    if free < needed:
        raise DiskSpaceError(
            f"Not enough free disk to record an interview: {free / 2**30:.1f} GB free in "
            f"{settings.recordings_dir}, {needed / 2**30:.1f} GB needed (the longest interview "
            f"plus the reserve). Free some space or export and delete old recordings."
        )


class SessionRecording:
    """Records the answers of one session (through `sources`) and finishes it."""

    def __init__(self, db: Database, settings: Settings, sources: LiveSources,
                 session_id: str) -> None:
        self._db, self._settings, self._sources = db, settings, sources
        self.session_id = session_id
        self.folder = session_folder(settings.recordings_dir, session_id)
        self.parts = self.folder / PARTS_FOLDER_NAME
        recording = settings.recording
        camera = sources.camera
        self.video = VideoFormat(camera.width, camera.height, float(camera.fps or recording.fps))
        self.manifest = Manifest(session_id, self.video.width, self.video.height, self.video.fps,
                                 sources.microphone.sample_rate)
        self._active: tuple[TakeEntry, PartRecorder] | None = None
        self._lock = FileLock(self.folder / RECORDING_LOCK_NAME)
        # Answers the interview has moved past are appended to the interview file in the
        # background, so that finishing only has the last one left to add.
        self._progressive: ProgressiveMerge | None = None
        self._appended: list[TakeEntry] = []
        self._appending: queue.Queue[PartFiles | None] = queue.Queue()
        self._append_error: BaseException | None = None
        self._appender: threading.Thread | None = None
        self.used_progressive = False

    def begin(self) -> None:
        """Check the disk, make the folders, lock them, and mark the session in progress."""
        check_disk_for_new_session(self._settings)
        self.folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
        if not self._lock.acquire():
            raise KioskError(f"The session {self.session_id} is being recorded by another "
                             f"kiosk on this machine.")
        self.parts.mkdir(mode=FOLDER_MODE, exist_ok=True)
        self.manifest.save(self.parts / MANIFEST_NAME)
        self._set_status(SessionStatus.IN_PROGRESS, started=True)
        self._progressive = ProgressiveMerge(self.parts / PROGRESSIVE_NAME)
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

    def start_answer(self, index: int, question: str) -> PartRecorder:
        """Start recording a take of question `index` (a retake if it was answered before)."""
        if self._active is not None:
            raise RuntimeError("an answer is already being recorded")
        self._seal(before=index)
        take = 1 + sum(1 for t in self.manifest.takes if t.index == index)
        entry = TakeEntry(index=index, take=take, question=question,
                          stem=f"q{index:02d}-t{take}")
        self.manifest.takes.append(entry)
        self.manifest.save(self.parts / MANIFEST_NAME)
        self._set_status(SessionStatus.RECORDING)
        recorder = PartRecorder(
            self._sources, self.parts, entry.stem, video=self.video,
            sample_rate=self.manifest.sample_rate, title=question,
            disk_reserve_bytes=self._settings.recording.disk_reserve_mb * 1024 * 1024,
        )
        recorder.start()
        self._active = (entry, recorder)
        return recorder

    def end_answer(self, at: float | None = None, *, timeout_s: float = 60) -> PartResult:
        """Stop the take being recorded (at capture time `at`, default now) and keep it."""
        if self._active is None:
            raise RuntimeError("no answer is being recorded")
        entry, recorder = self._active
        recorder.stop(at)
        try:
            result = recorder.wait(timeout_s)
        except BaseException:
            # Whatever survives of it is rebuilt at finish (or by recovery): never dropped.
            entry.status = "failed"
            self.manifest.save(self.parts / MANIFEST_NAME)
            raise
        finally:
            self._active = None
        entry.status = "done"
        entry.reason = result.reason
        entry.samples = result.samples
        entry.segments = [{"file": s.path.name, "frames": s.frames} for s in result.files.video]
        self.manifest.save(self.parts / MANIFEST_NAME)
        self._set_status(SessionStatus.IN_PROGRESS)
        return result

    def discard_take(self, index: int) -> None:
        """Drop the newest finished take of question `index` (the candidate chose to retry)."""
        for entry in reversed(self.manifest.takes):
            if entry.index == index and entry.status == "done":
                entry.status = "discarded"
                break
        self.manifest.save(self.parts / MANIFEST_NAME)

    def finish(self) -> None:
        """Merge, verify and commit; then remove the parts (see the module's docstring)."""
        try:
            if self._active is not None:
                self.end_answer()
            premerged = self._finish_progressive()
            self.used_progressive = finish_session(
                self._db, self._settings, self.session_id, self.manifest,
                status=SessionStatus.COMPLETED, premerged=premerged)
        except BaseException:
            self.release()  # left for recovery at the next start: no longer ours
            raise
        self.release()
        (self.folder / RECORDING_LOCK_NAME).unlink(missing_ok=True)

    def release(self) -> None:
        self._stop_appender()
        self._lock.release()

    def _seal(self, before: int | None = None) -> None:
        """Hand the kept answers before question `before` (all, if None) to the appender."""
        for take in self.manifest.kept_takes():
            if (before is None or take.index < before) and take not in self._appended:
                self._appended.append(take)
                self._appending.put(take_files(self.manifest, take, self.parts))

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
            take.status in UNFINISHED_TAKE for take in self.manifest.takes
        ):
            progressive.abort()  # an answer changed after it was appended, or one failed
            return None
        files = [take_files(self.manifest, take, self.parts) for take in kept]
        try:
            progressive.finish([(start, take.question) for take, (start, _) in
                                zip(kept, chapter_bounds_ms(files), strict=True)])
        except KioskError:
            progressive.abort()
            return None
        return progressive.output

    def _set_status(self, status: SessionStatus, *, started: bool = False) -> None:
        with self._db.session() as db, db.begin():
            row = db.get(InterviewSession, self.session_id)
            if row is None:
                raise KioskError(f"The session {self.session_id} no longer exists.")
            row.status = status
            if started and row.started_at is None:
                row.started_at = datetime.now(UTC)


def take_files(manifest: Manifest, take: TakeEntry, parts: Path) -> PartFiles:
    return PartFiles(
        title=take.question,
        video=tuple(VideoSegment(parts / s["file"], int(s["frames"])) for s in take.segments),
        audio=parts / f"{take.stem}.m4a",
        fps=manifest.fps,
        sample_rate=manifest.sample_rate,
    )


def finish_session(db: Database, settings: Settings, session_id: str, manifest: Manifest,
                   *, status: SessionStatus, premerged: Path | None = None) -> bool:
    """Merge the kept takes into interview.mp4, verify, commit the row, then remove parts/.

    `premerged`, the file built along the way, is used if it checks out (the return value
    says whether it was); otherwise the parts are merged now.

    A take that was cut off (a crash, an encoder that died) is first rebuilt from what
    survives of it, so no answer is left out because its recording did not end normally.
    """
    root = settings.recordings_dir
    folder = session_folder(root, session_id)
    parts = folder / PARTS_FOLDER_NAME
    for take in manifest.takes:
        if take.status in UNFINISHED_TAKE:
            rebuild_take(manifest, take, parts)
    manifest.save(parts / MANIFEST_NAME)
    takes = manifest.kept_takes()
    if not takes:
        raise NothingToMergeError(f"The session {session_id} has no answer with a usable "
                                  f"recording.")
    with db.session() as s, s.begin():
        row = s.get(InterviewSession, session_id)
        if row is None:
            raise KioskError(f"The session {session_id} no longer exists.")
        row.status = SessionStatus.MERGING

    files = [take_files(manifest, take, parts) for take in takes]
    output = folder / RECORDING_FILE_NAME
    expected_s = sum(f.duration_s for f in files)
    info = None
    used_premerged = False
    if premerged is not None:
        # Built while the interview went on (kiosk.media.progressive): check it like a merge.
        info = probe(premerged)
        if _checks_out(info, expected_s, len(files)):
            os.replace(premerged, output)
            used_premerged = True
        else:
            premerged.unlink(missing_ok=True)
            info = None
    if info is None:
        merge_parts(files, output, title=_candidate_name(db, session_id))
        info = probe(output)
    if not _checks_out(info, expected_s, len(files)):
        raise MediaError(
            f"The merged recording of {session_id} does not check out ({info}); the answers "
            f"are kept in {parts}."
        )
    os.chmod(output, FILE_MODE)
    poster = folder / POSTER_FILE_NAME
    write_poster(output, poster, at_s=min(2.0, expected_s / 2))
    os.chmod(poster, FILE_MODE)
    size, digest = _size_and_sha256(output)
    # On disk for good, not only in the page cache, before the parts may go.
    sync_file(output)
    sync_file(poster)
    sync_folder(folder)

    with db.session() as s, s.begin():
        row = s.get(InterviewSession, session_id)
        if row is None:
            raise KioskError(f"The session {session_id} no longer exists.")
        now = datetime.now(UTC)
        row.status = status
        row.completed_at = now
        row.recording_video = relative_to_root(root, output)
        row.recording_created_at = now
        row.duration_ms = round(expected_s * 1000)
        row.size_bytes = size
        row.sha256 = digest
        row.thumbnail = relative_to_root(root, poster)
        row.markers.clear()
        s.flush()
        for take, (start, end) in zip(takes, chapter_bounds_ms(files), strict=True):
            row.markers.append(QuestionMarker(index=take.index, question=take.question,
                                              start_ms=start, end_ms=end))
    # Only now, with the row committed, is it safe to let the parts go.
    shutil.rmtree(parts, ignore_errors=True)
    sync_folder(folder)
    return used_premerged


def _checks_out(info: MediaInfo, expected_s: float, answers: int) -> bool:
    """Both streams, the length the answers add up to, and one chapter per answer."""
    return (info.video_codec is not None and info.audio_codec is not None
            and info.duration_s is not None
            and abs(info.duration_s - expected_s) <= MERGE_TOLERANCE_S
            and len(info.chapters) == answers)


def _candidate_name(db: Database, session_id: str) -> str | None:
    with db.session() as s:
        row = s.get(InterviewSession, session_id)
        return row.candidate_name if row else None


def _size_and_sha256(path: Path) -> tuple[int, str]:
    return path.stat().st_size, file_sha256(path)
