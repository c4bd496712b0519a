"""A scheduled candidate given twice the time and an extra retake, through the real kiosk:
the answer limit really is twice as long (the merged file's chapter measures it), the
retake the set does not give is offered, and the recruiter's row says what they had."""

# ruff: noqa: F811
from __future__ import annotations

import dataclasses
import time

from pytestqt.qtbot import QtBot

from kiosk.accommodations import make_accommodations
from kiosk.config import Settings
from kiosk.interview.flow import Screen
from kiosk.store.database import Database, open_configured
from kiosk.store.schedule import schedule_candidate
from kiosk.store.sessions import accommodations_of
from tests.test_candidate_kiosk import (
    booth_settings,  # noqa: F401 (a fixture)
    chapters_of,
    click,
    make_kiosk,
    on,
    saved_session,
    speak_for,
)

ANSWER_S = 5
QUESTIONS = f"""\
title = "Short interview"
consent = "We record your answers."
prepare_seconds = 1
answer_seconds = {ANSWER_S}
retakes = 0

[[questions]]
text = "The only question?"
"""


def test_twice_the_time_and_an_extra_retake(qtbot: QtBot, booth_settings: Settings) -> None:
    (booth_settings.data_dir / "short.toml").write_text(QUESTIONS, encoding="utf-8")
    settings = dataclasses.replace(booth_settings, interview=dataclasses.replace(
        booth_settings.interview, question_set="short.toml"))
    db: Database = open_configured(settings)
    given = make_accommodations(extra_time=2, extra_retakes=1)
    scheduled = schedule_candidate(db, "Noor Haddad", accommodations=given, by="Rita")
    kiosk = make_kiosk(qtbot, settings, db)
    try:
        click(qtbot, kiosk.welcome.start)
        qtbot.waitUntil(on(kiosk, Screen.IDENTIFY))
        [pick] = kiosk.identify.pick_buttons
        click(qtbot, pick)
        qtbot.waitUntil(on(kiosk, Screen.CONSENT))
        click(qtbot, kiosk.consent.accept)
        qtbot.waitUntil(lambda: kiosk.device_check.confirm.isEnabled(), timeout=15_000)
        click(qtbot, kiosk.device_check.confirm)
        qtbot.waitUntil(on(kiosk, Screen.PREPARE))
        # The first take ends early, by Done.
        click(qtbot, kiosk.question.start)
        speak_for(qtbot, 1.0)
        click(qtbot, kiosk.question.done)
        qtbot.waitUntil(on(kiosk, Screen.RETAKE))
        assert kiosk.question.again.isVisible(), "the extra retake the set does not give"
        click(qtbot, kiosk.question.again)
        qtbot.waitUntil(on(kiosk, Screen.PREPARE))
        click(qtbot, kiosk.question.start)
        qtbot.waitUntil(on(kiosk, Screen.ANSWER))
        began = time.monotonic()
        # The retake runs out its time: twice the set's, not the set's.
        qtbot.waitUntil(lambda: kiosk.flow.state.screen is not Screen.ANSWER,
                        timeout=(4 * ANSWER_S) * 1000)
        lasted = time.monotonic() - began
        assert lasted >= 2 * ANSWER_S - 0.3, f"the answer ended after {lasted:.1f} s"
        # Both tries used: straight to the thanks.
        assert kiosk.flow.state.screen is Screen.THANK_YOU
        qtbot.waitUntil(lambda: not kiosk.flow.state.saving, timeout=30_000)
    finally:
        kiosk.shutdown()

    row = saved_session(db, scheduled)
    [(start, end, title)] = chapters_of(settings, row)
    assert title == "The only question?"
    # The kept take is the retake that ran its whole (doubled) time.
    assert 2 * ANSWER_S - 0.5 <= end - start <= 2 * ANSWER_S + 1.0, (start, end)
    assert accommodations_of(row) == given
    db.close()
