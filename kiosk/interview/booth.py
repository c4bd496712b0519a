"""The booth: carries out the interview flow's effects on the devices, the engine and the store.

Effects run one at a time, in order, on the booth's own worker thread, so a slow device or a
merge never freezes the screen. What happened is reported back as flow events through
`report`, which may be called from any thread (the window queues them to its own).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import assert_never

from kiosk.capture.live import LiveSources
from kiosk.capture.recorder import PartRecorder, PartStats
from kiosk.capture.sources import SourceError
from kiosk.config import Settings
from kiosk.errors import DiskFullError, KioskError, NotFoundError
from kiosk.interview import flow
from kiosk.recording.disk import check_disk_for_new_session
from kiosk.recording.finish import NothingToMergeError
from kiosk.recording.session import SessionRecording
from kiosk.store import sessions
from kiosk.store.database import Database
from kiosk.words import StopReason

log = logging.getLogger(__name__)

OpenSources = Callable[[], LiveSources]
LIVE_TIMEOUT_S = 10.0
UNEXPECTED = ("Something went wrong with this booth. Your answers so far are saved. "
              "Please tell a member of staff.")
OUT_OF_SPACE = ("This booth ran out of storage space. Your answers up to this moment are "
                "saved. Please tell a member of staff.")


class Booth:
    def __init__(self, db: Database, settings: Settings, open_sources: OpenSources,
                 report: Callable[[flow.Event], None]) -> None:
        self._db, self._settings = db, settings
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

    def carry_out(self, effect: flow.Effect) -> None:
        self._worker.submit(self._run, effect)

    def wait_idle(self, timeout_s: float | None = None) -> None:
        """Block until every effect asked for so far has been carried out."""
        self._worker.submit(lambda: None).result(timeout_s)

    def shutdown(self) -> None:
        """Keep whatever is being recorded (end the answer, save), then free the devices."""
        if self._shut_down:
            return  # a window may be closed twice
        self._shut_down = True
        self.wait_idle()
        if self._answer is not None:
            self._run(flow.EndAnswer())
        if self._recording is not None:
            self._run(flow.FinishSession())
        self._run(flow.CloseDevices())
        self._worker.shutdown(wait=True)

    def _run(self, effect: flow.Effect) -> None:
        try:
            self._dispatch(effect)
        except DiskFullError as exc:
            log.warning("%s: %s", type(effect).__name__, exc)  # the details, for IT
            self._report(flow.Failed(OUT_OF_SPACE))
        except KioskError as exc:
            log.warning("%s failed: %s", type(effect).__name__, exc)
            self._report(flow.Failed(str(exc)))
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
                self._finish_session()
            case _:
                assert_never(effect)

    # -- devices ---------------------------------------------------------------------

    def _open_devices(self) -> None:
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

    def _close_devices(self) -> None:
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
        self.session_id = sessions.give_consent(self._db, effect.candidate, effect.scheduled_id)

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
            self._answer = self._recording.start_answer(effect.index, effect.question,
                                                        on_end=ended)
            answer.append(self._answer)

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
        self.last_answer_stats = stats
        self.answers_kept += 1
        log.info("answer kept: %d frames from the camera, %d dropped, %d repeated, preset %s",
                 stats.frames_offered, stats.frames_dropped, stats.frames_repeated,
                 stats.presets[-1] if stats.presets else "-")

    def _finish_session(self) -> None:
        recording, self._recording = self._recording, None
        self.session_id = None
        if recording is None:
            self._report(flow.Saved(ok=False, message="nothing was recorded"))
            return
        try:
            recording.finish()
        except NothingToMergeError as exc:
            self._report(flow.Saved(ok=False, message=str(exc)))
            return
        except Exception as exc:
            # The parts stay on disk, the session stays unfinished: recovery rebuilds it.
            log.exception("saving the interview failed; recovery will rebuild it")
            self._report(flow.Saved(ok=False, message=str(exc)))
            return
        self._report(flow.Saved(ok=True))


def _cannot_open_message(exc: SourceError) -> str:
    what = exc.device or "camera or the microphone"
    return (f"We cannot switch on the {what}. Check that it is plugged in, then press Retry. "
            f"If that does not help, please tell a member of staff.")


def _not_live_message(sources: LiveSources) -> str:
    if sources.error:  # the driver's own words, for IT; the candidate gets plain ones
        log.warning("%s", sources.error)
    if sources.latest_frame is None or sources.camera_lost.is_set():
        return ("We cannot see a camera. Check that it is plugged in and not covered, "
                "then press Retry. If it keeps happening, please tell a member of staff.")
    return ("We cannot hear a microphone. Check that it is plugged in, then press Retry. "
            "If it keeps happening, please tell a member of staff.")
