"""The booth: carries out the interview flow's effects on the devices, the engine and the store.

Effects run one at a time, in order, on the booth's own worker thread, so a slow device or a
merge never freezes the screen. What happened is reported back as flow events through
`report`, which may be called from any thread (the window queues them to its own).
"""

from __future__ import annotations

import logging
import statistics
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import assert_never

from kiosk.capture.checkup import LAST_CHECK_FILE, VOICE_OVER_FLOOR_DB, LiveCheck, save_verdict
from kiosk.capture.live import LiveSources
from kiosk.capture.recorder import PartRecorder, PartStats
from kiosk.capture.sources import SourceError
from kiosk.capture.synthetic import SyntheticCamera
from kiosk.config import Settings
from kiosk.errors import DiskFullError, KioskError, NotFoundError
from kiosk.interview import flow
from kiosk.media.merge import PartFiles
from kiosk.recording.disk import check_disk_for_new_session
from kiosk.recording.finish import Extent, NothingToMergeError
from kiosk.recording.session import SessionRecording
from kiosk.storage.worker import UploadWorker
from kiosk.store import sessions
from kiosk.store.database import Database
from kiosk.transcripts.worker import TranscriptWorker
from kiosk.words import Advice, Notice, StopReason, TakeStatus

log = logging.getLogger(__name__)

OpenSources = Callable[[], LiveSources]
LIVE_TIMEOUT_S = 10.0
UNEXPECTED = Notice.BOOTH_PROBLEM
OUT_OF_SPACE = Notice.OUT_OF_SPACE

# The voice rule, on the microphone's newest level as the kiosk reads it ten times a second,
# with the margin over the room's floor that the device check uses (VOICE_OVER_FLOOR_DB).
VOICE_WINDOW = 15  # the newest levels judged together: 1.5 s
# Speech is loud in much of a second and a half; a 100 ms beep every 2 s (the demo's tone),
# a cough or a door is not.
VOICE_SHARE = 0.3
STEADY_SPREAD_DB = 3.0  # levels closer together than this (standard deviation) are a machine
FLOOR_SAMPLES_MIN = 5  # fewer than this (a device check of under half a second) tells nothing
FLOOR_SAMPLES_MAX = 3000  # five minutes: a device check left open does not grow for ever
UNMEASURED_FLOOR_DBFS = -55.0  # without a measurement: the fixed line of -45 dBFS of before


def noise_floor(levels: Sequence[float]) -> float | None:
    """The room's own level in dBFS: the median of the levels heard at the device check.

    A median, so the few words the device check asks for (less than half of it) and a beep
    do not raise it; None when there are too few levels to tell.
    """
    if len(levels) < FLOOR_SAMPLES_MIN:
        return None
    return statistics.median(levels)


def is_voice(recent: Sequence[float], floor: float) -> bool:
    """Whether the newest levels (oldest first, dBFS) sound like someone speaking, in a
    room whose own level is `floor`: clearly above it for a good share of the last 1.5 s,
    and not steady."""
    window = list(recent)[-VOICE_WINDOW:]
    line = floor + VOICE_OVER_FLOOR_DB
    if sum(level >= line for level in window) < VOICE_SHARE * VOICE_WINDOW:
        return False
    return statistics.pstdev(window) >= STEADY_SPREAD_DB


class RoomSound:
    """The room's noise floor, measured at the device check, and the voice rule against it.

    The kiosk feeds it the microphone's newest level: `measure` during the device check,
    `hears_voice` while an answer is recorded. The booth starts a new measurement each time
    it opens the devices (a new candidate, a Retry), from its own thread: hence the lock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._room: deque[float] = deque(maxlen=FLOOR_SAMPLES_MAX)
        self._recent: deque[float] = deque(maxlen=VOICE_WINDOW)

    @property
    def floor(self) -> float | None:
        with self._lock:
            return noise_floor(self._room)

    def start_measuring(self) -> None:
        with self._lock:
            self._room.clear()
            self._recent.clear()

    def measure(self, level_dbfs: float) -> None:
        with self._lock:
            self._room.append(level_dbfs)

    def forget_recent(self) -> None:
        """A new answer: what the last one heard says nothing about this one."""
        with self._lock:
            self._recent.clear()

    def hears_voice(self, level_dbfs: float) -> bool:
        with self._lock:
            self._recent.append(level_dbfs)
            floor = noise_floor(self._room)
            return is_voice(self._recent,
                            UNMEASURED_FLOOR_DBFS if floor is None else floor)


class Booth:
    def __init__(self, db: Database, settings: Settings, open_sources: OpenSources,
                 report: Callable[[flow.Event], None], *,
                 transcripts: TranscriptWorker | None = None,
                 uploads: UploadWorker | None = None) -> None:
        self._db, self._settings = db, settings
        # Held while an answer is recorded and while the interview is merged: transcription
        # never competes with a candidate for the CPU.
        self._transcripts = transcripts
        self._holding = False
        self._uploads = uploads  # told of each interview committed, to send it at once
        self._open_sources, self._report = open_sources, report
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="booth")
        # Read by the preview and the level meter on the GUI thread: a reference swap.
        self.sources: LiveSources | None = None
        self.session_id: str | None = None
        self._recording: SessionRecording | None = None
        self._answer: PartRecorder | None = None
        self._starting = threading.Lock()
        self._shut_down = False
        # The newest kept answer's capture figures (a kiosk runs for weeks: not a list).
        self.answers_kept = 0
        self.last_answer_stats: PartStats | None = None
        self.room = RoomSound()
        # The device check's measuring, from the devices being ready to the first answer.
        self._check: LiveCheck | None = None

    def advice(self) -> tuple[Advice, ...] | None:
        """What the device check advises now (any thread); None before it has judged, or
        when [interview] device_advice is off."""
        check = self._check
        if check is None or not self._settings.interview.device_advice:
            return None
        verdict = check.verdict()
        return verdict.advice if verdict.ready else None

    def carry_out(self, effect: flow.Effect) -> None:
        self._worker.submit(self._run, effect)

    def wait_idle(self, timeout_s: float | None = None) -> None:
        """Block until every effect asked for so far has been carried out."""
        self._worker.submit(lambda: None).result(timeout_s)

    def newest_take(self) -> Future[PartFiles | None]:
        """The part files of the take recorded last, for the candidate to watch it: once
        every effect asked for so far is done (the answer has ended and is on disk). None if
        there is none, or it did not end whole."""
        return self._worker.submit(self._newest_take)

    def shutdown(self) -> None:
        """Keep whatever is being recorded (end the answer, save), then free the devices."""
        if self._shut_down:
            return  # a window may be closed twice
        self._shut_down = True
        self.wait_idle()
        if self._answer is not None:
            self._run(flow.EndAnswer())
        if self._recording is not None:
            # Stopped (a service manager, staff) in the middle: it ended before its end.
            self._run(flow.FinishSession(ended_early=True))
        self._run(flow.CloseDevices())
        self._let_transcripts_go()
        self._worker.shutdown(wait=True)

    def _run(self, effect: flow.Effect) -> None:
        try:
            self._dispatch(effect)
        except DiskFullError as exc:
            log.warning("%s: %s", type(effect).__name__, exc)  # the details, for IT
            self._report(flow.Failed(OUT_OF_SPACE))
        except KioskError as exc:
            log.warning("%s failed: %s", type(effect).__name__, exc)  # the details, for IT
            self._report(flow.Failed(UNEXPECTED))
        except Exception:
            log.exception("%s failed", type(effect).__name__)
            self._report(flow.Failed(UNEXPECTED))

    def _dispatch(self, effect: flow.Effect) -> None:
        match effect:
            case flow.OpenDevices():
                self._open_devices()
            case flow.CloseDevices():
                self._close_devices()
            case flow.GiveConsent():
                self._give_consent(effect)
            case flow.MarkDeclined():
                self._mark_declined(effect)
            case flow.ReleaseSession():
                self._release_session()
            case flow.StartAnswer():
                self._start_answer(effect)
            case flow.EndAnswer():
                self._end_answer()
            case flow.FinishSession():
                self._finish_session(effect)
            case _:
                assert_never(effect)

    # -- devices ---------------------------------------------------------------------

    def _open_devices(self) -> None:
        self.room.start_measuring()  # the floor is that of the devices being opened
        try:
            sources = self._open_sources()
        except SourceError as exc:
            log.warning("the devices did not open: %s", exc)  # the details, for IT
            self._report(flow.DevicesMissing(_cannot_open_message(exc)))
            return
        self.sources = sources
        if not sources.wait_until_live(LIVE_TIMEOUT_S):
            self._report(flow.DevicesMissing(_not_live_message(sources)))
            return
        self._report(flow.DevicesReady())
        sources.on_lost(lambda: self._device_lost(sources))
        self._end_check()
        # A test pattern is dark and has no face by design: nothing to advise about.
        if not isinstance(sources.camera, SyntheticCamera):
            self._check = LiveCheck(sources, self._settings.recording.fps)
            self._check.start()

    def _end_check(self) -> None:
        """Stop measuring: the verdict goes to the log and to the booth page's file."""
        check, self._check = self._check, None
        if check is not None:
            save_verdict(check.stop(), self._settings.data_dir / LAST_CHECK_FILE)

    def _close_devices(self) -> None:
        self._end_check()
        self._let_transcripts_go()  # the candidate has gone
        sources, self.sources = self.sources, None
        if sources is not None:
            sources.close()

    def _device_lost(self, sources: LiveSources) -> None:
        """A device lost between answers (during one, the answer's end reports it)."""
        if self.sources is sources and self._answer is None:
            self._report(flow.DevicesMissing(_not_live_message(sources)))

    # -- the session row -------------------------------------------------------------

    def _give_consent(self, effect: flow.GiveConsent) -> None:
        check_disk_for_new_session(self._settings)
        self.session_id = sessions.give_consent(self._db, effect.candidate, effect.scheduled_id,
                                                language=effect.language)

    def _mark_declined(self, effect: flow.MarkDeclined) -> None:
        try:
            sessions.decline(self._db, effect.scheduled_id)
        except (sessions.StatusChangeError, NotFoundError) as exc:
            # Taken or removed meanwhile (another booth, a recruiter): nothing to decline.
            log.info("not marked declined: %s", exc)

    def _release_session(self) -> None:
        """Nothing was recorded: the candidate may pick their name again later."""
        session_id, self.session_id = self.session_id, None
        if session_id is not None:
            sessions.withdraw_consent(self._db, session_id)

    # -- answers -----------------------------------------------------------------------

    def _start_answer(self, effect: flow.StartAnswer) -> None:
        if self.sources is None or self.session_id is None:
            raise KioskError(UNEXPECTED)
        self._end_check()  # never measuring while an answer is recorded
        self._hold_transcripts()
        self.room.forget_recent()
        if self._recording is None:
            recording = SessionRecording(self._db, self._settings, self.sources, self.session_id)
            recording.begin()
            self._recording = recording
        else:
            self._recording.use_sources(self.sources)  # opened again after a device was lost
        answer: list[PartRecorder] = []

        def ended(reason: StopReason) -> None:
            with self._starting:  # an answer that ends at once waits until it is known
                ours = bool(answer) and self._answer is answer[0]
            # Only an answer that ended by itself: one the flow ended is no longer current.
            if ours:
                if reason is StopReason.FAILED:
                    log.warning("the answer's writer failed; what is on disk is kept")
                self._report(flow.AnswerStopped(reason))

        with self._starting:
            try:
                self._answer = self._recording.start_answer(effect.index, effect.question,
                                                            on_end=ended)
            except BaseException:
                self._let_transcripts_go()
                raise
            answer.append(self._answer)

    def _newest_take(self) -> PartFiles | None:
        recording = self._recording
        if recording is None or self._answer is not None or not recording.manifest.takes:
            return None
        take = recording.manifest.takes[-1]
        if take.status is not TakeStatus.DONE or not take.segments:
            return None
        return recording.manifest.files(take)

    def _end_answer(self) -> None:
        if self._recording is None or self._answer is None:
            return
        self._answer = None
        try:
            stats = self._recording.end_answer().stats
        except Exception:
            # The take is marked failed in the manifest and rebuilt from disk when finishing.
            log.exception("ending the answer failed; what is on disk is kept")
            return
        finally:
            self._let_transcripts_go()
        self.last_answer_stats = stats
        self.answers_kept += 1
        log.info("answer kept: %d frames from the camera, %d dropped, %d repeated, preset %s; "
                 "frames stamped by %s time, sound by %s", stats.frames_offered,
                 stats.frames_dropped, stats.frames_repeated,
                 stats.presets[-1] if stats.presets else "-", stats.video_stamping,
                 stats.audio_stamping)

    def _finish_session(self, effect: flow.FinishSession) -> None:
        recording, self._recording = self._recording, None
        self.session_id = None
        if recording is None:
            self._report(flow.Saved(ok=False, message=Notice.NOTHING_RECORDED))
            return
        self._hold_transcripts()
        try:
            recording.finish(Extent(questions_total=effect.questions or None,
                                    ended_early=effect.ended_early))
        except NothingToMergeError as exc:
            log.warning("nothing to save: %s", exc)
            self._report(flow.Saved(ok=False, message=Notice.NOTHING_RECORDED))
            return
        except Exception as exc:
            # The parts stay on disk, the session stays unfinished: recovery rebuilds it.
            log.exception("saving the interview failed; recovery will rebuild it: %s", exc)
            self._report(flow.Saved(ok=False, message=Notice.NOT_SAVED_YET))
            return
        finally:
            self._let_transcripts_go()
        if self._transcripts is not None:
            self._transcripts.wake()  # its job was committed with it
        if self._uploads is not None:
            self._uploads.wake()
        self._report(flow.Saved(ok=True))

    # -- transcription -------------------------------------------------------------------

    def _hold_transcripts(self) -> None:
        if self._transcripts is not None and not self._holding:
            self._holding = True
            self._transcripts.hold()

    def _let_transcripts_go(self) -> None:
        if self._transcripts is not None and self._holding:
            self._holding = False
            self._transcripts.release()


def _cannot_open_message(exc: SourceError) -> Notice:
    return {"camera": Notice.CANNOT_SWITCH_ON_CAMERA,
            "microphone": Notice.CANNOT_SWITCH_ON_MICROPHONE}.get(
                exc.device or "", Notice.CANNOT_SWITCH_ON_DEVICES)


def _not_live_message(sources: LiveSources) -> Notice:
    if sources.error:  # the driver's own words, for IT; the candidate gets plain ones
        log.warning("%s", sources.error)
    if sources.latest_frame is None or sources.camera_lost.is_set():
        return Notice.CANNOT_SEE_CAMERA
    return Notice.CANNOT_HEAR_MICROPHONE
