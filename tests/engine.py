"""Helpers for engine tests: record parts from synthetic sources on a simulated clock."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from kiosk.capture.clock import SimulatedClock
from kiosk.capture.devices import open_sources
from kiosk.capture.live import LiveSources
from kiosk.capture.recorder import PartRecorder, PartResult
from kiosk.capture.synthetic import SyntheticOptions, synthetic_pair
from kiosk.config import Settings
from kiosk.media.encode import VideoFormat
from kiosk.recording.headless import record_demo_session
from kiosk.recording.session import SessionRecording
from kiosk.store.database import Database
from kiosk.store.models import SessionStatus
from kiosk.store.sessions import create_session

SMALL = {"width": 320, "height": 180}


def record_parts(
    folder: Path,
    ends_s: Sequence[float],
    options: SyntheticOptions | None = None,
    *,
    record_fps: float = 30.0,
    titles: Sequence[str] | None = None,
    av_offset_s: float = 0.0,
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
                av_offset_s=av_offset_s,
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


def children_running(marker: str) -> list[int]:
    """Our own child processes whose command line mentions `marker` (Linux /proc): an
    encoder to kill or stop, found by what it encodes (libx264, s16le)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and marker.encode() in command:
            found.append(int(stat.parent.name))
    return found


def new_session(db: Database, name: str = "Ada Lovelace") -> str:
    with db.session() as s, s.begin():
        return create_session(s, name, status=SessionStatus.IN_PROGRESS).id


def simulated_sources(settings: Settings) -> tuple[LiveSources, float]:
    clock = SimulatedClock()
    sources = open_sources(settings.recording, demo=True, clock=clock,
                           demo_options=SyntheticOptions(**SMALL))
    return sources, sources.camera._clapper.epoch


@contextmanager
def begun_recording(settings: Settings, db: Database) -> Iterator[tuple[SessionRecording,
                                                                         float]]:
    """A new session being recorded from simulated sources, and the sources' epoch."""
    session_id = new_session(db)
    sources, epoch = simulated_sources(settings)
    try:
        recording = SessionRecording(db, settings, sources, session_id)
        recording.begin()
        yield recording, epoch
    finally:
        sources.close()
