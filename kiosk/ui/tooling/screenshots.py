"""`kiosk screenshots DIR`: every screen rendered offscreen at the booth sizes, for review.

The screens are the real ones, driven through the real flow with the synthetic camera and
microphone, in a temporary data folder: nothing is read from or written to the booth's own
database or recordings.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.config import Settings
from kiosk.store.database import Database

if TYPE_CHECKING:  # Qt is imported only once the platform is set (offscreen)
    from PySide6.QtWidgets import QWidget

SIZES = ((1280, 800), (1920, 1080))
LAYOUT_PASSES = 5
WAIT_S = 20.0  # for a candidate screen to reach the state it is shot in
RECRUITER_SCREENS = ("pin", "sessions", "sessions-search", "details", "transcript",
                     "transcript-search", "captions", "setup", "booth")
# The device check's advice, each as the candidate reads it (measured on real pictures in
# tests/test_device_check.py: a test pattern has no face to measure).
ADVICE_SHOWN = {
    "good": (), "too-dark": ("too dark",), "move-left": ("move left",),
    "too-far": ("too far",), "no-face": ("no face",), "too-quiet": ("too quiet",),
    "clipping": ("clipping",), "backlit-and-quiet": ("backlit", "too quiet"),
    "jerky": ("jerky",),
}


CANDIDATE_SCREENS = ("welcome", "identify", "identify-accents", "identify-long-name",
                     "consent", "consent-long-name", "device-check",
                     *(f"device-check-advice-{case}" for case in ADVICE_SHOWN), "practice",
                     "question-prepare", "question-answer", "retake", "idle-warning",
                     "retake-watching", "device-lost", "thank-you", "unavailable")
# The longest name the name rule lets through, with nowhere to wrap it: it must change nothing
# but itself (elided), never the window.
LONG_NAME = "W" * 200
SCHEDULED_DEMO = (("Ana Müller", "Support engineer"), ("Kwame Mensah", "Support engineer"),
                  ("Zoë O'Brien", "Team lead"))


def write_screenshots(settings: Settings, directory: str | Path) -> list[Path]:
    """Render each screen at each size to `DIR/<screen>-<W>x<H>.png`; return the files."""
    # Must be decided before Qt starts: screenshots never need (or open) a display.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    from kiosk.demo_data import demo_booth

    # Each side in a throwaway booth of its own, never this one's.
    with demo_booth() as (demo_settings, demo_db):
        written = _candidate_screens(_with_booth_setup(demo_settings, settings), demo_db, out)
    with demo_booth() as (demo_settings, demo_db):
        written += _recruiter_screens(demo_settings, demo_db, out)
    return written


def _save(widget: QWidget, path: Path) -> Path:
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    return path


def _recruiter_screens(settings: Settings, db: Database, out: Path) -> list[Path]:
    from kiosk.ui.app import application
    from kiosk.ui.tooling.recruiter_screens import recruiter_screens

    app = application()
    written = []
    for name, make in recruiter_screens(settings, db).items():
        for width, height in SIZES:
            widget = make()
            widget.resize(width, height)
            widget.show()
            # Text that wraps to its width is laid out over several passes (widths, then the
            # heights they give, then a scroll bar those may bring): let them all run.
            for _ in range(LAYOUT_PASSES):
                app.processEvents()
            written.append(_save(widget, out / f"{name}-{width}x{height}.png"))
            widget.close()
            widget.deleteLater()
    return written


def _with_booth_setup(demo: Settings, booth: Settings) -> Settings:
    """The demo booth's data folder with this booth's picture size and question set."""
    return dataclasses.replace(demo, recording=booth.recording,
                               interview=dataclasses.replace(booth.interview,
                                                             question_sets_dir=str(
                                                                 booth.question_sets_dir)))


def _shoot_advice(kiosk: Any, shoot: Callable[[str], None]) -> None:
    from kiosk.words import Advice

    screen = kiosk.device_check
    measured = screen._advice
    try:
        for case, words in ADVICE_SHOWN.items():
            advice = tuple(Advice(word) for word in words)
            screen._advice = lambda advice=advice: advice
            screen.show_advice(advice)
            shoot(f"device-check-advice-{case}")
    finally:
        screen._advice = measured
        screen.show_advice(measured())


def _candidate_screens(settings: Settings, db: Database, out: Path) -> list[Path]:
    from kiosk.interview import flow
    from kiosk.interview.flow import Devices, Screen
    from kiosk.interview.question_sets import configured_question_set
    from kiosk.store.sessions import create_session
    from kiosk.ui.app import application, sources_opener
    from kiosk.ui.candidate.kiosk import CandidateKiosk
    from kiosk.ui.tooling.waiting import wait_until
    from kiosk.words import StopReason

    app = application()
    with db.session() as session, session.begin():
        for name, position in SCHEDULED_DEMO:
            create_session(session, name, position=position)
    skipped = [0.0]  # the idle warning is shot by moving the kiosk's clock on, not waiting
    kiosk = CandidateKiosk(settings, db, configured_question_set(settings),
                           sources_opener(settings, demo=True),
                           clock=lambda: time.monotonic() + skipped[0])
    written: list[Path] = []

    def stuck() -> str:
        return f"the kiosk did not reach the state for {name!r} in time"

    def drawn_since(previews: list, shown: list[int], settle: float) -> Callable[[], bool]:
        # A preview redraws at the new size with its next frame; a meter is shot while the
        # synthetic microphone beeps, as it would move with a voice.
        meters = [m for m in (kiosk.device_check.meter, kiosk.question.meter)
                  if m.isVisibleTo(kiosk)]
        return lambda: time.monotonic() > settle and all(
            p.frames_shown > n for p, n in zip(previews, shown, strict=True)) and all(
            m.fraction > 0.3 for m in meters)

    def shoot(screen_name: str) -> None:
        for width, height in SIZES:
            kiosk.resize(width, height)
            previews = [p for p in (kiosk.device_check.preview, kiosk.question.preview)
                        if p.isVisibleTo(kiosk)]
            wait_until(drawn_since(previews, [p.frames_shown for p in previews],
                                   time.monotonic() + 0.3), timeout_s=WAIT_S, stuck=stuck)
            written.append(_save(kiosk, out / f"{screen_name}-{width}x{height}.png"))

    try:
        kiosk.show()
        name = "welcome"
        shoot(name)
        steps: list[tuple[str, list[flow.Event], Callable[[], bool]]] = [
            ("identify", [flow.Begin()], lambda: True),
            ("consent", [flow.Identified("Ana Müller")], lambda: True),
            ("device-check", [flow.AcceptConsent()],
             lambda: kiosk.flow.state.devices is Devices.READY),
            ("practice", [flow.DevicesConfirmed()], lambda: True),
            ("question-prepare", [flow.SkipPractice()], lambda: True),
            ("question-answer", [flow.StartAnswering()], lambda: True),
            ("retake", [flow.Done()], lambda: True),
        ]
        for name, events, ready in steps:
            for event in events:
                kiosk.flow.handle(event)
            wait_until(ready, timeout_s=WAIT_S, stuck=stuck)
            if name == "identify":
                kiosk.identify.name.setText("Ana Mü")
            shoot(name)
            if name == "identify":
                name = "identify-accents"  # the on-screen keyboard's second layer
                kiosk.identify.keyboard.show_accents(True)
                shoot(name)
                kiosk.identify.keyboard.show_accents(False)
            elif name == "device-check":
                _shoot_advice(kiosk, shoot)
            elif name == "consent":
                name = "identify-long-name"
                kiosk.flow.handle(flow.Back())
                kiosk.identify.name.setText(LONG_NAME)
                shoot(name)
                name = "consent-long-name"
                kiosk.flow.handle(flow.Identified(LONG_NAME))
                shoot(name)
                kiosk.flow.handle(flow.Back())
                kiosk.flow.handle(flow.Identified("Ana Müller"))
        name = "idle-warning"  # nobody touched the retake choice: 12 s before Welcome
        idle = kiosk.flow.state.idle_deadline
        assert idle is not None
        skipped[0] += idle - kiosk.flow.timing.warning_s + 3 - (time.monotonic() + skipped[0])
        wait_until(kiosk.idle_warning.isVisible, timeout_s=WAIT_S, stuck=stuck)
        shoot(name)
        kiosk.flow.handle(flow.StillHere())
        name = "retake-watching"  # "Watch it": the take just recorded, held on a picture
        review = kiosk.question.review
        # From the small size up: "Stop watching" is wider than "Watch it", and the window
        # cannot shrink below the buttons of the large size's stylesheet.
        kiosk.resize(*SIZES[0])
        app.processEvents()
        review.watch.click()
        wait_until(lambda: review.player.frames_shown > 0
                   and review.player.media.position() >= 300, timeout_s=WAIT_S, stuck=stuck)
        review.player.media.pause()
        shoot(name)
        review.stop()
        name = "device-lost"  # the camera pulled out mid-answer: Retry, then on
        kiosk.flow.handle(flow.TryAgain())
        kiosk.flow.handle(flow.StartAnswering())
        kiosk.flow.handle(flow.AnswerStopped(StopReason.CAMERA_LOST))
        shoot(name)
        kiosk.flow.handle(flow.Retry())
        wait_until(lambda: kiosk.flow.state.devices is Devices.READY, timeout_s=WAIT_S,
                   stuck=stuck)
        kiosk.flow.handle(flow.DevicesConfirmed())
        name = "thank-you"
        while kiosk.flow.state.screen is not Screen.THANK_YOU:
            kiosk.flow.handle(flow.StartAnswering())
            kiosk.flow.handle(flow.Done())
            if kiosk.flow.state.screen is Screen.RETAKE:
                kiosk.flow.handle(flow.Keep())
        wait_until(lambda: not kiosk.flow.state.saving, timeout_s=60, stuck=stuck)
        shoot(name)
        name = "unavailable"
        kiosk.flow.handle(flow.Begin())
        kiosk.flow.handle(flow.Failed(
            "Not enough free disk to record an interview: 0.4 GB free, 1.9 GB needed."))
        shoot(name)
    finally:
        kiosk.shutdown()
        kiosk.close()
        kiosk.deleteLater()
        app.processEvents()
    return written
