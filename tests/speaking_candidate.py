"""A candidate who speaks known sentences into the booth's real microphone path, answer by
answer, while an earlier interview waits to be transcribed.

Run in its own process (the PulseAudio server's environment must be there before PortAudio
starts): `python -m tests.speaking_candidate SENTENCE...` with KIOSK_DATA_DIR set and the
null sink's environment. The booth is the product's own (kiosk.interview.booth.Booth) with
the test pattern camera and the `pulse` microphone; the background transcription is the
kiosk's own worker. It prints, as JSON, what a test needs to judge it: the session, each
answer's dropped frames, and how the waiting job moved while the candidate spoke.
"""

from __future__ import annotations

import json
import queue
import sys
import tempfile
import time
from pathlib import Path

from kiosk.capture.devices import open_sources
from kiosk.config import load_settings
from kiosk.interview import flow
from kiosk.interview.booth import Booth
from kiosk.store.database import open_configured
from kiosk.store.transcripts import load_transcript
from kiosk.transcripts.worker import TranscriptWorker, WorkerState
from tests.speech import speak_into

QUIET_S = 0.6  # before and after a sentence, inside the answer


def main(sentences: list[str]) -> dict:
    settings = load_settings()
    db = open_configured(settings)
    env = dict(__import__("os").environ)
    waiting = _waiting_session(db)
    worker = TranscriptWorker(db, settings)
    worker.start()
    reports: queue.Queue[flow.Event] = queue.Queue()
    booth = Booth(db, settings, lambda: open_sources(settings.recording), reports.put,
                  transcripts=worker)
    answers = []
    try:
        # The waiting job is under way before the candidate arrives.
        _until(lambda: (load_transcript(db, waiting).status.progress_ms or 0) > 0, 60)
        booth.carry_out(flow.OpenDevices())
        _expect(reports, flow.DevicesReady)
        booth.carry_out(flow.GiveConsent(candidate="Sam Speaker", scheduled_id=None))
        folder = Path(tempfile.mkdtemp(prefix="said-"))
        for index, sentence in enumerate(sentences):
            booth.carry_out(flow.StartAnswer(index=index, question=f"Question {index + 1}"))
            booth.wait_idle(30)
            _until(lambda: worker.state is WorkerState.HELD, 10)
            progress_held = load_transcript(db, waiting).status.progress_ms
            time.sleep(QUIET_S)
            speak_into(env, sentence, folder)
            time.sleep(QUIET_S)
            status = load_transcript(db, waiting).status
            answers.append({"state_during": worker.state.value,
                            "waiting_job": status.state.value,
                            "progress_at_start_ms": progress_held,
                            "progress_at_end_ms": status.progress_ms})
            booth.carry_out(flow.EndAnswer())
            booth.wait_idle(30)
            stats = booth.last_answer_stats
            answers[-1]["frames_dropped"] = stats.frames_dropped if stats else None
            answers[-1]["frames_offered"] = stats.frames_offered if stats else None
        booth.carry_out(flow.FinishSession(questions=len(sentences)))
        saved = _expect(reports, flow.Saved)
        session_id = _newest_session(db, exclude=waiting)
        _until(lambda: load_transcript(db, session_id).done, 240)
        _until(lambda: load_transcript(db, waiting).done, 240)
    finally:
        booth.shutdown()
        worker.stop()
        db.close()
    return {"session_id": session_id, "waiting_session_id": waiting, "saved": saved.ok,
            "answers": answers}


def _waiting_session(db) -> str:
    from kiosk.store.models import InterviewSession

    with db.session() as s:
        return s.query(InterviewSession.id).one()[0]


def _newest_session(db, *, exclude: str) -> str:
    from kiosk.store.models import InterviewSession

    with db.session() as s:
        rows = s.query(InterviewSession.id).filter(InterviewSession.id != exclude).all()
    assert len(rows) == 1, rows
    return rows[0][0]


def _expect(reports: queue.Queue, kind: type) -> flow.Event:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        event = reports.get(timeout=max(0.1, deadline - time.monotonic()))
        if isinstance(event, kind):
            return event
        if isinstance(event, flow.DevicesMissing | flow.Failed):
            raise SystemExit(f"the booth said: {event}")
    raise SystemExit(f"no {kind.__name__} within 60 s")


def _until(condition, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"not within {timeout_s} s")
        time.sleep(0.05)


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
