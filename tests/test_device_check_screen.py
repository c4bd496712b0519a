"""The device check's advice on the candidate's screen: measured on a real photograph through
the kiosk's own booth, kept for the booth page, and off when the admin switches it off."""

# ruff: noqa: F811 (pytest's fixtures, imported by name)
from __future__ import annotations

import dataclasses

import cv2
from pytestqt.qtbot import QtBot

from kiosk.capture.clock import SystemClock
from kiosk.capture.live import LiveSources
from kiosk.capture.synthetic import SyntheticOptions, synthetic_pair
from kiosk.config import Settings
from kiosk.health import booth_settings as settings_shown
from kiosk.interview.flow import Screen
from kiosk.store.database import Database
from kiosk.words import Advice
from tests.still_camera import StillCamera
from tests.test_candidate_kiosk import (  # noqa: F401 (fixtures)
    SMALL,
    booth_settings,
    click,
    db,
    make_kiosk,
    on,
    reach_the_device_check,
)
from tests.test_device_check import scene


def _opener(*, face_across: float) -> LiveSources:
    clock = SystemClock()
    _, microphone = synthetic_pair(clock, SyntheticOptions(**SMALL))
    picture = cv2.resize(scene(face_across=face_across), (SMALL["width"] * 2,
                                                           SMALL["height"] * 2))
    live = LiveSources(StillCamera(picture, clock), microphone, clock)
    live.start()
    return live


def test_a_candidate_off_to_one_side_reads_where_to_move_and_the_booth_page_keeps_it(
        qtbot: QtBot, booth_settings: Settings, db: Database) -> None:
    kiosk = make_kiosk(qtbot, booth_settings, db, lambda: _opener(face_across=0.2))
    try:
        reach_the_device_check(qtbot, kiosk, "Ana")
        screen = kiosk.device_check
        # The face is on the camera's left: the candidate's left in the mirrored preview.
        qtbot.waitUntil(lambda: Advice.MOVE_LEFT.sentence in screen.advice.text(),
                        timeout=5_000)
        assert screen.advice.isVisible() and screen.confirm.isEnabled()
        shown_below = screen.advice.geometry().top() >= screen.confirm.geometry().bottom()
        assert shown_below  # the button never moves for it
        click(qtbot, screen.confirm)
        click(qtbot, kiosk.practice.start)
        click(qtbot, kiosk.question.start)
        qtbot.waitUntil(on(kiosk, Screen.ANSWER), timeout=5_000)
        qtbot.waitUntil(lambda: kiosk.booth._check is None, timeout=5_000)  # not while recording
    finally:
        kiosk.shutdown()
    last = dict(settings_shown(booth_settings))["Last device check"]
    assert "move left" in last and "fps" in last and "face found" in last


def test_advice_switched_off_by_the_admin_is_not_shown(
        qtbot: QtBot, booth_settings: Settings, db: Database) -> None:
    quiet = dataclasses.replace(booth_settings, interview=dataclasses.replace(
        booth_settings.interview, device_advice=False))
    kiosk = make_kiosk(qtbot, quiet, db, lambda: _opener(face_across=0.2))
    try:
        reach_the_device_check(qtbot, kiosk, "Ana")
        verdict = kiosk.booth._check
        assert verdict is not None  # still measured, for the log and the booth page
        qtbot.waitUntil(lambda: verdict.verdict().ready, timeout=5_000)
        qtbot.wait(700)  # more than a refresh of the advice
        assert not kiosk.device_check.advice.isVisible()
    finally:
        kiosk.shutdown()
