"""Run as a program: start an interview in the kiosk, answer for a while, then die by SIGKILL.

Used by test_candidate_kiosk's crash test: what a power cut or a killed process leaves.
"""

from __future__ import annotations

import os
import signal
import sys
import time

from kiosk.config import load_settings
from kiosk.interview import flow
from kiosk.interview.flow import Devices, Screen
from kiosk.interview.question_sets import configured_question_set
from kiosk.store.database import open_configured
from kiosk.ui.app import application, sources_opener
from kiosk.ui.candidate.kiosk import CandidateKiosk


def main() -> None:
    answer_s = float(sys.argv[1])
    app = application()
    settings = load_settings()
    db = open_configured(settings)
    kiosk = CandidateKiosk(settings, db, configured_question_set(settings),
                           sources_opener(settings, demo=True))
    kiosk.show()

    def wait_for(done, timeout_s: float = 20.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not done():
            if time.monotonic() > deadline:
                sys.exit(f"stuck on {kiosk.flow.state.screen}")
            app.processEvents()
            time.sleep(0.01)

    for event in (flow.Begin(), flow.Identified("Crash Test"), flow.AcceptConsent()):
        kiosk.flow.handle(event)
    wait_for(lambda: kiosk.flow.state.devices is Devices.READY)
    kiosk.flow.handle(flow.DevicesConfirmed())
    if kiosk.flow.state.screen is Screen.PRACTICE:
        kiosk.flow.handle(flow.SkipPractice())
    kiosk.flow.handle(flow.StartAnswering())
    end = time.monotonic() + answer_s
    wait_for(lambda: time.monotonic() > end, timeout_s=answer_s + 5)
    print("killing myself mid-answer", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    main()
