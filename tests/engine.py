"""Helpers for engine tests: record parts from synthetic sources on a simulated clock."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kiosk.capture.clock import SimulatedClock
from kiosk.capture.live import LiveSources
from kiosk.capture.recorder import PartRecorder, PartResult
from kiosk.capture.synthetic import SyntheticOptions, synthetic_pair
from kiosk.config import Settings
from kiosk.media.encode import VideoFormat
from kiosk.recording.headless import record_demo_session
from kiosk.store.database import Database

SMALL = {"width": 320, "height": 180}


def record_parts(
    folder: Path,
    ends_s: Sequence[float],
    options: SyntheticOptions | None = None,
    *,
    record_fps: float = 30.0,
    titles: Sequence[str] | None = None,
) -> list[PartResult]:
    """One part per entry of `ends_s` (source time at which that answer ends)."""
    options = options or SyntheticOptions(**SMALL)
    clock = SimulatedClock()
    camera, microphone = synthetic_pair(clock, options)
    live = LiveSources(camera, microphone, clock)
    live.start()
    results = []
    try:
        for index, end in enumerate(ends_s):
            recorder = PartRecorder(
                live, folder, f"q{index:02d}",
                video=VideoFormat(options.width, options.height, record_fps),
                sample_rate=options.sample_rate,
                title=titles[index] if titles else f"Question {index + 1}",
            )
            recorder.start()
            recorder.stop(at=camera._clapper.epoch + end)
            results.append(recorder.wait(timeout=120))
    finally:
        live.close()
    return results


QUICK_QUESTIONS = (("Tell us about yourself.", 2.0), ("Why this job?", 1.5),
                   ("A hard problem you solved.", 2.0))


def quick_interview(db: Database, settings: Settings, candidate: str = "Ada Lovelace",
                    position: str | None = "Engineer") -> str:
    """A real three-question interview (small picture, a few seconds), committed; its id."""
    return record_demo_session(db, settings, candidate=candidate, position=position,
                               questions=QUICK_QUESTIONS, **SMALL)
