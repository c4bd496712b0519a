"""Transcribing the queue: one job at a time, at the lowest priority, never while a candidate
records.

`transcribe_job` does one claimed job (the CLI's `kiosk transcripts run` calls it in the
foreground); `TranscriptWorker` is the kiosk's background thread around it. The booth holds
the worker while an answer is recorded and while the interview is merged: the worker stops
at the next segment (the model decodes 30 s of sound at a time, about a second of CPU) and
waits, keeping its claim alive, until it is let go.
"""

from __future__ import annotations

import enum
import functools
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError

from kiosk.config import Settings
from kiosk.errors import KioskError
from kiosk.media.speech import speech_samples
from kiosk.store import transcripts
from kiosk.store.database import Database
from kiosk.store.files import resolve_recording_path
from kiosk.store.transcripts import Answer, Claim, Segment
from kiosk.transcripts.engine import SpeechToText
from kiosk.transcripts.model import NoModelError, find_model

log = logging.getLogger(__name__)
T = TypeVar("T")

PROGRESS_EVERY_S = 2.0  # how often a job's progress reaches the database
RENEW_WHILE_HELD_S = 30.0
IDLE_POLL_S = 30.0  # another booth may queue a job: look again this often when idle


class Outcome(enum.StrEnum):
    DONE = "done"
    FAILED = "failed"
    LOST = "lost"  # another worker took the job (this one's lease ran out)
    STOPPED = "stopped"  # the worker was stopped; the job went back to the queue


class WorkerState(enum.StrEnum):
    IDLE = "idle"  # nothing to transcribe
    WORKING = "working"
    HELD = "held"  # a candidate is recording: waiting
    NO_MODEL = "no_model"  # there is no speech model: nothing is transcribed
    STOPPED = "stopped"


class _Stopping(Exception):
    pass


class _Lost(Exception):
    pass


@dataclass(frozen=True)
class JobResult:
    session_id: str
    outcome: Outcome
    segments: int = 0
    audio_ms: int = 0
    seconds: float = 0.0
    reason: str = ""


def lower_priority() -> None:
    """The calling thread (and the threads it starts, the model's) at the lowest priority.

    On Linux os.nice changes the calling thread only; threads inherit it when created.
    Windows has no nice: the worker relies on being held while a candidate records.
    """
    if hasattr(os, "nice"):
        try:
            os.nice(19)
        except OSError as exc:
            log.info("could not lower the transcription's priority: %s", exc)


def transcribe_job(db: Database, settings: Settings, stt: SpeechToText, claim: Claim, *,
                   between: Callable[[], None] = lambda: None) -> JobResult:
    """Transcribe one claimed job, answer by answer, and store it whole; or fail it with
    the reason. `between` is called after every segment (it may wait, or raise to stop)."""
    started = time.monotonic()
    answers = claim.answers or (Answer(-1, "", 0, claim.duration_ms or 0),)
    total_ms = sum(max(0, a.end_ms - a.start_ms) for a in answers)
    spoken_in = claim.language.split("-")[0] if claim.language else None  # Whisper's: "pt"
    if stt.folder.english_only and spoken_in not in (None, "en"):
        # An English-only model would write English words over another language's speech.
        return _failed(db, claim, f"The interview is in '{claim.language}', and the model "
                       f"{stt.name} transcribes English only: name a multilingual model in "
                       f"[transcripts] model_dir, then ask again (kiosk transcripts run "
                       f"{claim.session_id}).", started)
    try:
        path = _recording_path(settings, claim)
    except KioskError as exc:
        return _failed(db, claim, str(exc), started)
    if not transcripts.renew(db, claim, progress_ms=0, total_ms=total_ms):
        return JobResult(claim.session_id, Outcome.LOST)
    done_before = 0
    last_report = time.monotonic()
    segments: list[Segment] = []
    language: str | None = None

    def after_segment(answer_done_ms: int) -> None:
        nonlocal last_report
        between()
        if time.monotonic() - last_report >= PROGRESS_EVERY_S:
            last_report = time.monotonic()
            if not transcripts.renew(db, claim, progress_ms=done_before + answer_done_ms):
                raise _Lost

    try:
        for answer in answers:
            whole = answer.index < 0
            try:
                samples = speech_samples(path, answer.start_ms,
                                         None if whole else answer.end_ms)
            except KioskError as exc:
                return _failed(db, claim, str(exc), started)
            spoken = stt.transcribe(samples, offset_ms=answer.start_ms,
                                    question_index=None if whole else answer.index,
                                    language=spoken_in, between=after_segment)
            language = language or spoken.language
            segments.extend(_inside(answer, spoken.segments, whole))
            done_before += max(0, answer.end_ms - answer.start_ms)
            between()
    except _Lost:
        return JobResult(claim.session_id, Outcome.LOST)
    except _Stopping:
        transcripts.give_back(db, claim)
        return JobResult(claim.session_id, Outcome.STOPPED)
    if not transcripts.complete(db, claim, segments, model=stt.name, language=language):
        return JobResult(claim.session_id, Outcome.LOST)
    return JobResult(claim.session_id, Outcome.DONE, segments=len(segments),
                     audio_ms=total_ms, seconds=time.monotonic() - started)


def run_queue(db: Database, settings: Settings, *, session_id: str | None = None,
              on_result: Callable[[JobResult], None] = lambda result: None) -> list[JobResult]:
    """Transcribe what is pending (or one session, asked for again), in the foreground."""
    stt = SpeechToText(find_model(settings), threads=settings.transcripts.threads)
    transcripts.release_abandoned(db)
    worker = transcripts.worker_name()
    results = []
    while (claim := transcripts.claim_next(db, worker, session_id=session_id)) is not None:
        result = transcribe_job(db, settings, stt, claim)
        results.append(result)
        on_result(result)
    return results


class TranscriptWorker:
    """The kiosk's background transcription: a daemon thread around the queue."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self._db, self._settings = db, settings
        self._lock = threading.Condition()
        self._holds = 0
        self._stop = False
        self._woken = False
        self._thread: threading.Thread | None = None
        self.state = WorkerState.IDLE
        self.problem: str | None = None  # why nothing is transcribed (no model), for IT
        self.current: str | None = None  # the session being transcribed
        self.finished = 0  # jobs done since the start

    def start(self) -> None:
        try:
            find_model(self._settings)
        except NoModelError as exc:
            self.state, self.problem = WorkerState.NO_MODEL, str(exc)
            log.warning("%s", exc)  # once: the booth page and doctor say it too
            return
        self._thread = threading.Thread(target=self._run, name="transcripts", daemon=True)
        self._thread.start()

    def hold(self) -> None:
        """A candidate is recording: pause at the next segment, start nothing new."""
        with self._lock:
            self._holds += 1

    def release(self) -> None:
        with self._lock:
            self._holds = max(0, self._holds - 1)
            self._lock.notify_all()

    @property
    def held(self) -> bool:
        with self._lock:
            return self._holds > 0

    def wake(self) -> None:
        """An interview was committed: look at the queue now."""
        with self._lock:
            self._woken = True
            self._lock.notify_all()

    def stop(self, timeout_s: float = 10.0) -> None:
        with self._lock:
            self._stop = True
            self._lock.notify_all()
        if self._thread is not None:
            self._thread.join(timeout_s)
        self.state = WorkerState.STOPPED

    def _run(self) -> None:
        lower_priority()
        worker = transcripts.worker_name()
        stt: SpeechToText | None = None
        try:
            self._call_database(lambda: transcripts.release_abandoned(self._db))
            while self._wait_until_free():
                claim = self._call_database(lambda: transcripts.claim_next(self._db, worker))
                if claim is None:
                    stt = None  # the model's few hundred MB go back while the queue is empty
                    self.state = WorkerState.IDLE
                    self._sleep(IDLE_POLL_S)
                    continue
                if stt is None:
                    stt = self._load_model(claim)
                    if stt is None:
                        return
                self.state, self.current = WorkerState.WORKING, claim.session_id
                self._log(self._transcribe(stt, claim))
                self.current = None
        finally:
            if self.state is not WorkerState.NO_MODEL:
                self.state = WorkerState.STOPPED

    def _call_database(self, call: Callable[[], T]) -> T | None:
        """`call`, or None after a database error (a server restarting): tried again later."""
        try:
            return call()
        except SQLAlchemyError as exc:
            log.warning("transcripts: the database cannot be used now (%s); trying again in "
                        "%.0f s", exc.__class__.__name__, IDLE_POLL_S)
            return None

    def _load_model(self, claim: Claim) -> SpeechToText | None:
        try:
            return SpeechToText(find_model(self._settings),
                                threads=self._settings.transcripts.threads)
        except Exception as exc:  # a damaged model.bin: CTranslate2 says why
            transcripts.give_back(self._db, claim)
            self.state = WorkerState.NO_MODEL
            self.problem = f"The speech model could not be loaded: {exc}"
            log.warning("%s; interviews are not transcribed", self.problem)
            return None

    def _transcribe(self, stt: SpeechToText, claim: Claim) -> JobResult:
        try:
            return transcribe_job(self._db, self._settings, stt, claim,
                                  between=functools.partial(self._between, claim))
        except SQLAlchemyError as exc:
            # Its lease runs out and the job is taken again, here or on another booth.
            log.warning("transcripts: the database failed during a job (%s)", exc)
            self._sleep(IDLE_POLL_S)
            return JobResult(claim.session_id, Outcome.LOST)
        except Exception as exc:
            log.exception("transcribing session %s failed", claim.session_id)
            reason = f"The transcription failed unexpectedly: {exc}"
            self._call_database(lambda: transcripts.fail(self._db, claim, reason))
            return JobResult(claim.session_id, Outcome.FAILED, reason=reason)

    def _between(self, claim: Claim) -> None:
        with self._lock:
            if self._stop:
                raise _Stopping
            if self._holds == 0:
                return
            self.state = WorkerState.HELD
            while self._holds > 0 and not self._stop:
                self._lock.wait(RENEW_WHILE_HELD_S)
                if self._holds > 0 and not self._stop:
                    transcripts.renew(self._db, claim)
            if self._stop:
                raise _Stopping
            self.state = WorkerState.WORKING

    def _wait_until_free(self) -> bool:
        """Wait while held; False once stopped."""
        with self._lock:
            if self._holds > 0:
                self.state = WorkerState.HELD
            while self._holds > 0 and not self._stop:
                self._lock.wait()
            return not self._stop

    def _sleep(self, seconds: float) -> None:
        with self._lock:
            if not self._woken and not self._stop:
                self._lock.wait(seconds)
            self._woken = False

    def _log(self, result: JobResult) -> None:
        if result.outcome is Outcome.DONE:
            self.finished += 1
            factor = result.seconds / (result.audio_ms / 1000) if result.audio_ms else 0.0
            log.info("transcribed session %s: %d segments from %.1f s of sound in %.1f s "
                     "(real-time factor %.3f)", result.session_id, result.segments,
                     result.audio_ms / 1000, result.seconds, factor)
        elif result.outcome is Outcome.FAILED:
            log.warning("the transcription of session %s failed: %s", result.session_id,
                        result.reason)
        else:
            log.info("the transcription of session %s: %s", result.session_id,
                     result.outcome.value)


def _recording_path(settings: Settings, claim: Claim) -> Path:
    if claim.recording_video is None:
        raise KioskError("The session has no recording to transcribe.")
    path = resolve_recording_path(settings.recordings_dir, claim.recording_video)
    if not path.is_file():
        raise KioskError(f"The recording {path} is missing: there is nothing to transcribe.")
    return path


def _inside(answer: Answer, segments: tuple[Segment, ...], whole: bool) -> list[Segment]:
    """Segments kept inside their answer: the model's last time may run past the sound."""
    if whole:
        return list(segments)
    kept = []
    for segment in segments:
        start = min(segment.start_ms, answer.end_ms)
        end = min(max(segment.end_ms, start), answer.end_ms)
        kept.append(Segment(segment.question_index, start, end, segment.text, segment.words))
    return kept


def _failed(db: Database, claim: Claim, reason: str, started: float) -> JobResult:
    transcripts.fail(db, claim, reason)
    return JobResult(claim.session_id, Outcome.FAILED, reason=reason,
                     seconds=time.monotonic() - started)
