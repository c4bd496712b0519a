"""Recording answers without a window: `kiosk record`, the self-test and the demo data.

`HeadlessSession` creates the session row, records each answer for its seconds, and finishes
the session, the same way for all three. On a real-time clock an answer lasts its seconds
(or less, if a device is lost, or Ctrl+C ends it early: what was recorded is kept); on a
simulated clock it is cut at exactly its seconds of capture time, as fast as the machine goes.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from dataclasses import replace

from kiosk.capture.clock import SimulatedClock
from kiosk.capture.devices import open_sources
from kiosk.capture.live import LiveSources
from kiosk.capture.recorder import PartResult
from kiosk.capture.sources import SourceError
from kiosk.capture.synthetic import SyntheticOptions
from kiosk.config import Settings
from kiosk.recording.disk import check_disk_for_new_session
from kiosk.recording.finish import Finished
from kiosk.recording.session import SessionRecording
from kiosk.store.database import Database
from kiosk.store.models import SessionStatus
from kiosk.store.sessions import create_session


class HeadlessSession:
    """One session recorded from `sources`, answer by answer, then finished."""

    def __init__(self, db: Database, settings: Settings, sources: LiveSources,
                 candidate: str, *, position: str | None = None) -> None:
        check_disk_for_new_session(settings)
        if not sources.wait_until_live():
            raise SourceError("The camera or the microphone delivered nothing within 10 s. "
                              "Check that they are connected and not in use.")
        with db.session() as s, s.begin():
            self.session_id = create_session(s, candidate, position=position,
                                             status=SessionStatus.IN_PROGRESS).id
        self._sources = sources
        self.recording = SessionRecording(db, settings, sources, self.session_id)
        self.recording.begin()
        self._answers = 0
        self._capture_time = sources.clock.now()  # where the next simulated answer starts

    def answer(self, question: str, seconds: float) -> PartResult:
        """Record one answer (see the module's docstring for how long it lasts)."""
        ended = threading.Event()
        try:
            self.recording.start_answer(self._answers, question, on_end=lambda _: ended.set())
            self._answers += 1
            if self._sources.clock.realtime:
                with contextlib.suppress(KeyboardInterrupt):
                    ended.wait(seconds)  # Ctrl+C ends the answer early; it is kept
                return self.recording.end_answer()
            self._capture_time += seconds
            return self.recording.end_answer(at=self._capture_time)
        except BaseException:
            self.recording.release()  # whatever is on disk is left to recovery
            raise

    def finish(self) -> Finished:
        return self.recording.finish()


def record_demo_session(
    db: Database,
    settings: Settings,
    *,
    questions: Sequence[tuple[str, float]],
    candidate: str = "Demo candidate",
    position: str | None = None,
    width: int = 640,
    height: int = 360,
) -> str:
    """Record, merge and commit one session (one answer per (question, seconds)); its id.

    On a simulated clock from the synthetic sources, in seconds: for the screenshots, the UI
    bench and the tests, so that what a recruiter's screen shows is what a booth produces.
    """
    # A demo needs no disk reserve beyond its own few hundred kilobytes.
    settings = replace(settings, recording=replace(settings.recording, disk_reserve_mb=1,
                                                   longest_interview_minutes=1))
    options = SyntheticOptions(width=width, height=height, fps=float(settings.recording.fps),
                               sample_rate=settings.recording.sample_rate)
    sources = open_sources(settings.recording, demo=True, clock=SimulatedClock(),
                           demo_options=options)
    try:
        session = HeadlessSession(db, settings, sources, candidate, position=position)
        for question, seconds in questions:
            session.answer(question, seconds)
        session.finish()
    finally:
        sources.close()
    return session.session_id
