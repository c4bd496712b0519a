"""A real interview recorded from the synthetic sources on a simulated clock, in seconds.

For the screenshots, the UI bench and the tests: everything a recruiter's screen shows (the
merged file with its chapters, the poster, the session row with its question markers) made
by the engine itself, so what they show is what a booth produces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from kiosk.capture.clock import SimulatedClock
from kiosk.capture.devices import open_sources
from kiosk.capture.session import SessionRecording
from kiosk.capture.synthetic import SyntheticOptions
from kiosk.config import Settings
from kiosk.store.database import Database
from kiosk.store.models import SessionStatus
from kiosk.store.sessions import create_session

DEMO_QUESTIONS = (
    ("Tell us about yourself.", 4.0),
    ("Why do you want this job?", 3.0),
    ("Describe a hard problem you solved.", 5.0),
)


def record_demo_session(
    db: Database,
    settings: Settings,
    *,
    candidate: str = "Demo candidate",
    position: str | None = None,
    questions: Sequence[tuple[str, float]] = DEMO_QUESTIONS,
    width: int = 640,
    height: int = 360,
) -> str:
    """Record, merge and commit one session (one answer per (question, seconds)); its id."""
    with db.session() as s, s.begin():
        session_id = create_session(s, candidate, position=position,
                                    status=SessionStatus.IN_PROGRESS).id
    # A demo needs no disk reserve beyond its own few hundred kilobytes.
    settings = replace(settings, recording=replace(settings.recording, disk_reserve_mb=1,
                                                   longest_interview_minutes=1))
    options = SyntheticOptions(width=width, height=height, fps=float(settings.recording.fps),
                               sample_rate=settings.recording.sample_rate)
    sources = open_sources(settings.recording, demo=True, clock=SimulatedClock(),
                           demo_options=options)
    try:
        recording = SessionRecording(db, settings, sources, session_id)
        recording.begin()
        at = sources.camera._clapper.epoch
        for index, (question, seconds) in enumerate(questions):
            at += seconds
            recording.start_answer(index, question)
            recording.end_answer(at=at)
        recording.finish()
    finally:
        sources.close()
    return session_id
