"""`kiosk bench --preview`: what the candidate's live preview costs the recording.

In a throwaway booth, the real kiosk (offscreen) records two answers from the synthetic
camera and microphone at the configured picture size, in real time: the first with the
answer screen shown, so the mirrored preview pulls and paints frames; the second with the
window hidden, so nothing is previewed. The figures side by side:

- preview_fps: frames the preview painted per second (at most 30; none while hidden);
- dropped_frame_pct: camera frames the recording lost for want of room (the writer behind);
- repeated_frame_pct: output frames filled by repeating one (the camera short or stalled);
- process_cpu_pct: the whole kiosk's CPU time over wall time, both cores counting 100 each;
- presets: the x264 presets the encoder used (a faster one means it had to step up).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from kiosk.capture.recorder import PartStats
from kiosk.config import Settings

Progress = Callable[[str], None]
WAIT_S = 30.0  # for the kiosk to reach the next step (an answer saved, devices ready)


def run_preview_bench(booth_settings: Settings, *, seconds: float = 20.0,
                      progress: Progress = lambda _: None) -> dict[str, Any]:
    # Decided before Qt starts: the bench never needs (or opens) a display.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from dataclasses import replace

    from kiosk.demo_data import demo_booth
    from kiosk.interview import flow
    from kiosk.interview.flow import Devices, Screen
    from kiosk.interview.question_sets import configured_question_set
    from kiosk.ui.app import application, sources_opener
    from kiosk.ui.candidate.kiosk import CandidateKiosk
    from kiosk.ui.tooling.waiting import settle, wait_until

    app = application()
    recording = booth_settings.recording
    size = f"{recording.width}x{recording.height}"
    with demo_booth() as (demo_settings, db):
        settings = replace(demo_settings, recording=recording)
        kiosk = CandidateKiosk(settings, db, configured_question_set(settings),
                               sources_opener(settings, demo=True))
        figures: dict[str, Any] = {"video": size, "answer_s": seconds}

        def stuck() -> str:
            return f"the kiosk stopped on {kiosk.flow.state.screen}"

        def answer(shown: bool) -> dict[str, Any]:
            kiosk.setVisible(shown)
            wait_until(lambda: kiosk.flow.state.screen is Screen.PREPARE, timeout_s=WAIT_S,
                       stuck=stuck)
            kiosk.flow.handle(flow.StartAnswering())
            preview = kiosk.question.preview
            painted, wall, cpu = preview.frames_shown, time.monotonic(), time.process_time()
            settle(seconds)  # the answer records
            wall, cpu = time.monotonic() - wall, time.process_time() - cpu
            painted = preview.frames_shown - painted
            kept = kiosk.booth.answers_kept
            kiosk.flow.handle(flow.Done())
            wait_until(lambda: kiosk.booth.answers_kept > kept, timeout_s=WAIT_S, stuck=stuck)
            stats = kiosk.booth.last_answer_stats
            assert stats is not None
            return _answer_figures(stats, painted, wall, cpu)

        try:
            kiosk.resize(1280, 800)
            kiosk.show()
            for event in (flow.Begin(), flow.Identified("Bench Candidate"),
                          flow.AcceptConsent()):
                kiosk.flow.handle(event)
            wait_until(lambda: kiosk.flow.state.devices is Devices.READY, timeout_s=WAIT_S,
                       stuck=stuck)
            kiosk.flow.handle(flow.DevicesConfirmed())
            if kiosk.flow.state.screen is Screen.PRACTICE:
                kiosk.flow.handle(flow.SkipPractice())
            progress(f"answering {seconds:g} s at {size} with the preview on screen")
            with_preview = answer(shown=True)
            if kiosk.flow.state.screen is Screen.RETAKE:
                kiosk.flow.handle(flow.Keep())
            progress(f"answering {seconds:g} s at {size} with nothing on screen")
            without_preview = answer(shown=False)
        finally:
            kiosk.shutdown()
            kiosk.close()
            kiosk.deleteLater()
            app.processEvents()
        for side, measured in (("with_preview", with_preview),
                               ("without_preview", without_preview)):
            figures.update({f"{key}_{side}": value for key, value in measured.items()})
        return figures


def _answer_figures(stats: PartStats, painted: int, wall_s: float, cpu_s: float
                    ) -> dict[str, Any]:
    slots = max(1, stats.frames_offered + stats.frames_repeated - stats.frames_surplus)
    return {
        "preview_fps": round(painted / wall_s, 1),
        "dropped_frame_pct": round(100 * stats.frames_dropped / max(1, stats.frames_offered), 3),
        "repeated_frame_pct": round(100 * stats.frames_repeated / slots, 3),
        "process_cpu_pct": round(100 * cpu_s / wall_s, 1),
        "presets": list(stats.presets),
    }
