"""`kiosk screenshots DIR`: every screen rendered offscreen at the booth sizes, for review.

The screens are the real ones, driven through the real flow with the synthetic camera and
microphone, in a temporary data folder: nothing is read from or written to the booth's own
database or recordings.

The candidate's screens come in every shipped language and in the right-to-left
pseudo-translation (`<screen>-es-1280x800.png`, `<screen>-rtl-...`), and a few with the
candidate's aids (`<screen>-larger-text-high-contrast-...`); the walk through them
(CandidateWalk) is also what tests/test_candidate_languages.py checks the fit of every
text on, 40% longer.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.config import Settings
from kiosk.store.database import Database

if TYPE_CHECKING:  # Qt is imported only once the platform is set (offscreen)
    from PySide6.QtWidgets import QWidget

SIZES = ((1280, 800), (1920, 1080))
LAYOUT_PASSES = 5
WAIT_S = 20.0  # for a candidate screen to reach the state it is shot in
RECRUITER_SCREENS = ("pin", "sessions", "sessions-search", "details", "transcript",
                     "transcript-search", "captions", "setup", "booth", "schedule")
# The device check's advice, each as the candidate reads it (measured on real pictures in
# tests/test_device_check.py: a test pattern has no face to measure).
ADVICE_SHOWN = {
    "good": (), "too-dark": ("too dark",), "move-left": ("move left",),
    "too-far": ("too far",), "no-face": ("no face",), "too-quiet": ("too quiet",),
    "clipping": ("clipping",), "backlit-and-quiet": ("backlit", "too quiet"),
    "jerky": ("jerky",),
}


# The whole walk, in the booth's language.
FULL_WALK = ("welcome", "identify", "identify-accents", "identify-long-name",
             "consent", "consent-long-name", "device-check",
             *(f"device-check-advice-{case}" for case in ADVICE_SHOWN), "practice",
             "question-prepare", "question-answer", "retake", "idle-warning",
             "retake-watching", "device-lost", "thank-you", "unavailable")
# Every screen once, in each other language (kiosk.ui.i18n.LANGUAGES) and in the
# right-to-left pseudo-translation (kiosk.ui.tooling.pseudo): `<screen>-<language>`.
LANGUAGE_WALK = ("welcome", "identify", "consent", "device-check",
                 "device-check-advice-backlit-and-quiet", "practice", "question-prepare",
                 "question-answer", "retake", "idle-warning", "device-lost", "thank-you",
                 "unavailable")
RTL_NAME = "rtl"
# The candidate's aids, chosen at Welcome: `<screen>-<look>`.
LOOKS = {"larger-text": ("larger text",), "high-contrast": ("high contrast",),
         "larger-text-high-contrast": ("larger text", "high contrast")}
LOOK_WALK = ("identify", "device-check", "question-prepare", "retake")
BOTH_LOOKS = "larger-text-high-contrast"


def _other_languages() -> tuple[str, ...]:
    from kiosk.ui.i18n import LANGUAGES, SOURCE_LANGUAGE

    return tuple(code for code in LANGUAGES if code != SOURCE_LANGUAGE)


CANDIDATE_SCREENS = (
    *FULL_WALK,
    *(f"{name}-{code}" for code in (*_other_languages(), RTL_NAME) for name in LANGUAGE_WALK),
    *(f"welcome-{look}" for look in LOOKS),
    *(f"{name}-{BOTH_LOOKS}" for name in LOOK_WALK),
)
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


def _candidate_screens(settings: Settings, db: Database, out: Path) -> list[Path]:
    from kiosk.ui.tooling.pseudo import RTL, install_pseudo_languages

    try:
        install_pseudo_languages()
        pseudo: tuple[str, ...] = (RTL,)
    except (OSError, RuntimeError) as exc:  # Qt's lupdate/lrelease are not in the bundle
        print(f"screenshots: no right-to-left pseudo-translation ({exc})", file=sys.stderr)
        pseudo = ()
    written: list[Path] = []
    with CandidateWalk(settings, db) as walk:
        def shoot_as(suffix: str) -> Callable[[str], None]:
            def shoot(screen_name: str) -> None:
                written.extend(walk.shoot(out, screen_name + suffix))
            return shoot

        walk.walk(shoot_as(""), FULL_WALK)
        for code in (*_other_languages(), *pseudo):
            walk.walk(shoot_as(f"-{RTL_NAME if code == RTL else code}"), LANGUAGE_WALK, code)
        walk.walk_looks(shoot_as)
    return written


class CandidateWalk:
    """The candidate kiosk of a throwaway booth, shown, with the walk through its screens.

    `walk(visit, wanted)` goes from Welcome through every screen to "unavailable" and back
    to Welcome, calling `visit(name)` on each screen in `wanted`, in the language chosen
    at Welcome (ChooseLanguage just before it); the fit test walks it too.
    """

    def __init__(self, settings: Settings, db: Database) -> None:
        self._settings, self._db = settings, db

    def __enter__(self) -> CandidateWalk:
        from kiosk.interview.question_sets import configured_question_sets
        from kiosk.store.sessions import create_session
        from kiosk.ui.app import application, sources_opener
        from kiosk.ui.candidate.kiosk import CandidateKiosk

        self.app = application()
        with self._db.session() as session, session.begin():
            for name, position in SCHEDULED_DEMO:
                create_session(session, name, position=position)
        self.skipped = [0.0]  # the idle warning is shot by moving the clock on, not waiting
        self.kiosk = CandidateKiosk(self._settings, self._db,
                                    configured_question_sets(self._settings),
                                    sources_opener(self._settings, demo=True),
                                    clock=lambda: time.monotonic() + self.skipped[0])
        self.name = ""
        self.kiosk.show()
        return self

    def __exit__(self, *exc: object) -> None:
        self.kiosk.shutdown()
        self.kiosk.close()
        self.kiosk.deleteLater()
        self.app.processEvents()

    def stuck(self) -> str:
        return f"the kiosk did not reach the state for {self.name!r} in time"

    def _drawn_since(self, previews: list, shown: list[int], settle: float
                     ) -> Callable[[], bool]:
        # A preview redraws at the new size with its next frame; a meter is shot while the
        # synthetic microphone beeps, as it would move with a voice.
        kiosk = self.kiosk
        meters = [m for m in (kiosk.device_check.meter, kiosk.question.meter)
                  if m.isVisibleTo(kiosk)]
        return lambda: time.monotonic() > settle and all(
            p.frames_shown > n for p, n in zip(previews, shown, strict=True)) and all(
            m.fraction > 0.3 for m in meters)

    def at_size(self, width: int, height: int) -> None:
        """The kiosk at that size, laid out and drawn (its previews and meters moving)."""
        from kiosk.ui.tooling.waiting import wait_until

        kiosk = self.kiosk
        kiosk.resize(width, height)
        previews = [p for p in (kiosk.device_check.preview, kiosk.question.preview)
                    if p.isVisibleTo(kiosk)]
        # A screen of words alone is laid out in a few rounds of events; a moving picture
        # and meter want a moment more.
        moving = previews or kiosk.device_check.meter.isVisibleTo(kiosk) or (
            kiosk.question.meter.isVisibleTo(kiosk))
        wait_until(self._drawn_since(previews, [p.frames_shown for p in previews],
                                     time.monotonic() + (0.3 if moving else 0.05)),
                   timeout_s=WAIT_S, stuck=self.stuck)

    def shoot(self, out: Path, screen_name: str) -> list[Path]:
        written = []
        for width, height in SIZES:
            self.at_size(width, height)
            written.append(_save(self.kiosk, out / f"{screen_name}-{width}x{height}.png"))
        return written

    def walk(self, visit: Callable[[str], None], wanted: tuple[str, ...] | set[str],
             language: str | None = None) -> None:
        from kiosk.interview import flow
        from kiosk.interview.flow import Devices, Screen
        from kiosk.ui.tooling.waiting import wait_until
        from kiosk.words import Notice, StopReason

        kiosk, app = self.kiosk, self.app
        if language is not None:
            kiosk.flow.handle(flow.ChooseLanguage(language))

        def at(name: str) -> None:
            self.name = name
            if name in wanted:
                visit(name)

        at("welcome")
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
            self.name = name
            for event in events:
                kiosk.flow.handle(event)
            wait_until(ready, timeout_s=WAIT_S, stuck=self.stuck)
            if name == "identify":
                kiosk.identify.name.setText("Ana Mü")
            at(name)
            if name == "identify" and "identify-accents" in wanted:
                kiosk.identify.keyboard.show_accents(True)  # the keyboard's second layer
                at("identify-accents")
                kiosk.identify.keyboard.show_accents(False)
            elif name == "device-check":
                self._advice(at, wanted)
            elif name == "consent" and {"identify-long-name", "consent-long-name"} & set(
                    wanted):
                kiosk.flow.handle(flow.Back())
                kiosk.identify.name.setText(LONG_NAME)
                at("identify-long-name")
                kiosk.flow.handle(flow.Identified(LONG_NAME))
                at("consent-long-name")
                kiosk.flow.handle(flow.Back())
                kiosk.flow.handle(flow.Identified("Ana Müller"))
        self.name = "idle-warning"  # nobody touched the retake choice: 12 s before Welcome
        idle = kiosk.flow.state.idle_deadline
        assert idle is not None
        self.skipped[0] += (idle - kiosk.flow.timing.warning_s + 3
                            - (time.monotonic() + self.skipped[0]))
        wait_until(kiosk.idle_warning.isVisible, timeout_s=WAIT_S, stuck=self.stuck)
        at("idle-warning")
        kiosk.flow.handle(flow.StillHere())
        if "retake-watching" in wanted:
            self.name = "retake-watching"  # "Watch it": the take just recorded, on a picture
            review = kiosk.question.review
            # From the small size up: "Stop watching" is wider than "Watch it", and the
            # window cannot shrink below the buttons of the large size's stylesheet.
            kiosk.resize(*SIZES[0])
            app.processEvents()
            review.watch.click()
            wait_until(lambda: review.player.frames_shown > 0
                       and review.player.media.position() >= 300, timeout_s=WAIT_S,
                       stuck=self.stuck)
            review.player.media.pause()
            at("retake-watching")
            review.stop()
        self.name = "device-lost"  # the camera pulled out mid-answer: Retry, then on
        kiosk.flow.handle(flow.TryAgain())
        kiosk.flow.handle(flow.StartAnswering())
        kiosk.flow.handle(flow.AnswerStopped(StopReason.CAMERA_LOST))
        at("device-lost")
        kiosk.flow.handle(flow.Retry())
        wait_until(lambda: kiosk.flow.state.devices is Devices.READY, timeout_s=WAIT_S,
                   stuck=self.stuck)
        kiosk.flow.handle(flow.DevicesConfirmed())
        self._to_thank_you()
        at("thank-you")
        self.name = "unavailable"
        kiosk.flow.handle(flow.Begin())
        if language is not None:  # Thank you may have gone back to Welcome meanwhile
            kiosk.flow.handle(flow.ChooseLanguage(language))
        kiosk.flow.handle(flow.Failed(Notice.OUT_OF_SPACE))  # in the candidate's language
        at("unavailable")
        kiosk.flow.handle(flow.Back())
        assert kiosk.flow.state.screen is Screen.WELCOME, kiosk.flow.state.screen

    def _to_thank_you(self) -> None:
        from kiosk.interview import flow
        from kiosk.interview.flow import Screen
        from kiosk.ui.tooling.waiting import wait_until

        kiosk = self.kiosk
        self.name = "thank-you"
        while kiosk.flow.state.screen is not Screen.THANK_YOU:
            kiosk.flow.handle(flow.StartAnswering())
            kiosk.flow.handle(flow.Done())
            if kiosk.flow.state.screen is Screen.RETAKE:
                kiosk.flow.handle(flow.Keep())
        wait_until(lambda: not kiosk.flow.state.saving, timeout_s=60, stuck=self.stuck)

    def _advice(self, at: Callable[[str], None], wanted: tuple[str, ...] | set[str]) -> None:
        from kiosk.words import Advice

        screen = self.kiosk.device_check
        measured = screen._advice
        try:
            for case, words in ADVICE_SHOWN.items():
                if f"device-check-advice-{case}" not in wanted:
                    continue
                advice = tuple(Advice(word) for word in words)
                screen._advice = lambda advice=advice: advice
                screen.show_advice(advice)
                at(f"device-check-advice-{case}")
        finally:
            screen._advice = measured
            screen.show_advice(measured())

    def walk_looks(self, shoot_as: Callable[[str], Callable[[str], None]]) -> None:
        """Welcome in each look; then the interview's screens with both aids, chosen at
        Welcome as a candidate would, and the questions read aloud; to Thank you and back to
        Welcome, where they end."""
        from kiosk.accommodations import Aid, make_accommodations
        from kiosk.interview import flow
        from kiosk.interview.flow import Screen
        from kiosk.ui.tooling.waiting import wait_until

        kiosk = self.kiosk
        for look, aids in LOOKS.items():
            for aid in aids:
                kiosk.flow.handle(flow.ToggleAid(Aid(aid)))
            shoot_as(f"-{look}")("welcome")
            if look != BOTH_LOOKS:
                for aid in aids:
                    kiosk.flow.handle(flow.ToggleAid(Aid(aid)))
        shoot = shoot_as(f"-{BOTH_LOOKS}")
        for name, event in (("identify", flow.Begin()),
                            # Read aloud too: "Read again" is on the question screens.
                            ("consent", flow.Identified(
                                "Ana Müller", accommodations=make_accommodations(
                                    read_aloud=True))),
                            ("device-check", flow.AcceptConsent()),
                            ("practice", flow.DevicesConfirmed()),
                            ("question-prepare", flow.SkipPractice()),
                            ("question-answer", flow.StartAnswering()),
                            ("retake", flow.Done())):
            self.name = name
            kiosk.flow.handle(event)
            if name == "device-check":
                wait_until(lambda: kiosk.flow.state.devices is flow.Devices.READY,
                           timeout_s=WAIT_S, stuck=self.stuck)
            if name in LOOK_WALK:
                shoot(name)
        kiosk.flow.handle(flow.Keep())
        self._to_thank_you()
        wait_until(lambda: kiosk.flow.state.screen is Screen.WELCOME, timeout_s=60,
                   stuck=self.stuck)
