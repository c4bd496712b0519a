"""The candidate's idle warning, the voice rule against the room's noise floor, and "Watch it".

The voice rule is tested on its function with levels from real sound blocks (the synthetic
microphone's demo tone, a fan, speech-like bursts); the screens in the real kiosk with the
synthetic devices, on takes really recorded.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from kiosk.capture.clock import SimulatedClock
from kiosk.capture.synthetic import SyntheticOptions, synthetic_pair
from kiosk.config import Settings
from kiosk.interview import booth
from kiosk.interview.booth import RoomSound, is_voice, noise_floor
from kiosk.interview.flow import Screen
from kiosk.media.merge import PartFiles
from kiosk.store.database import Database, open_configured
from kiosk.store.models import SessionStatus
from kiosk.ui.candidate.kiosk import CandidateKiosk
from kiosk.ui.candidate.take_review import TakeReview
from tests.engine import record_parts
from tests.recruiter import frames_of
from tests.test_candidate_kiosk import (
    QUESTIONS,
    SMALL,
    chapters_of,
    click,
    demo_opener,
    key,
    make_kiosk,
    on,
    saved_session,
)

TICKS_PER_S = 10  # the kiosk reads the microphone's newest level ten times a second
BLOCK_S = 0.02


# -- the voice rule, on its functions ---------------------------------------------------

def dbfs(samples: np.ndarray) -> float:
    rms = math.sqrt(float(np.mean(np.square(samples.astype(np.float64)))))
    return 20 * math.log10(rms / 32768) if rms > 0 else -96.0


def ticks(blocks: list[np.ndarray]) -> list[float]:
    """The levels the kiosk would read: the newest 20 ms block, every 100 ms."""
    every = round(1 / TICKS_PER_S / BLOCK_S)
    return [dbfs(block) for block in blocks[every - 1::every]]


def demo_tone(seconds: float) -> list[np.ndarray]:
    """The demo microphone: low noise and a 100 ms beep at 1 kHz every 2 s."""
    _, microphone = synthetic_pair(SimulatedClock(), SyntheticOptions(**SMALL))
    return [microphone.read().samples for _ in range(round(seconds / BLOCK_S))]


def noise(seconds: float, rms: float, seed: int = 1) -> list[np.ndarray]:
    """A fan, or a room's hiss: steady noise."""
    rng = np.random.default_rng(seed)
    return [rng.normal(0, rms, 960) for _ in range(round(seconds / BLOCK_S))]


def speech(seconds: float, rms: float, floor_rms: float, seed: int = 2) -> list[np.ndarray]:
    """Syllables (about four a second, 150 ms of sound, a gap), pauses between phrases."""
    rng = np.random.default_rng(seed)
    blocks = []
    for n in range(round(seconds / BLOCK_S)):
        t = n * BLOCK_S
        in_phrase = t % 3.0 < 2.4
        loud = in_phrase and t % 0.25 < 0.15
        level = rms * rng.uniform(0.3, 1.0) if loud else floor_rms
        blocks.append(rng.normal(0, level, 960))
    return blocks


def heard(room: RoomSound, blocks: list[np.ndarray]) -> int:
    """How many of the kiosk's ticks would have said "a voice"."""
    return sum(room.hears_voice(level) for level in ticks(blocks))


def measured(blocks: list[np.ndarray]) -> RoomSound:
    room = RoomSound()
    for level in ticks(blocks):
        room.measure(level)
    return room


def test_the_noise_floor_is_the_median_of_the_device_check() -> None:
    quiet = ticks(noise(6, rms=30))
    # The few words the device check asks for do not raise it; a beep does not either.
    with_words = quiet + ticks(speech(2, rms=3000, floor_rms=30))
    floor = noise_floor(with_words)
    assert floor is not None and abs(floor - noise_floor(quiet)) < 3
    assert abs(floor - dbfs(np.random.default_rng(0).normal(0, 30, 48_000))) < 3
    assert noise_floor(quiet[:booth.FLOOR_SAMPLES_MIN - 1]) is None  # too short to tell


def test_the_demo_tone_is_not_a_voice() -> None:
    # The tester's walk-away: the booth's demo tone (and the room it stands for) counted as
    # a voice, so the answer ran its whole limit with nobody there.
    room = measured(demo_tone(10))
    assert room.floor is not None and room.floor < -55
    assert heard(room, demo_tone(120)) == 0


def test_a_fan_that_starts_after_the_device_check_is_not_a_voice() -> None:
    room = measured(noise(8, rms=30))
    fan = noise(60, rms=1500)  # 34 dB above the floor measured, but steady
    assert min(ticks(fan)) > room.floor + 20
    assert heard(room, fan) == 0


def test_speech_above_the_room_is_a_voice() -> None:
    room = measured(noise(8, rms=30))
    assert heard(room, speech(10, rms=3000, floor_rms=30)) >= 10


def test_speech_no_louder_than_the_room_heard_at_the_device_check_is_not() -> None:
    room = measured(speech(10, rms=1000, floor_rms=800))  # a radio on all along
    assert heard(room, speech(30, rms=1000, floor_rms=800, seed=3)) == 0
    assert heard(room, speech(10, rms=12000, floor_rms=800, seed=4)) > 0  # a voice over it


def test_is_voice_wants_a_share_of_loud_levels_that_are_not_steady() -> None:
    floor = -60.0
    assert not is_voice([-30.0] * 15, floor)  # loud but steady: a machine
    assert not is_voice([-60.0] * 13 + [-20.0, -60.0], floor)  # one beep
    assert is_voice([-60.0, -30.0, -40.0, -62.0, -25.0] * 3, floor)
    assert not is_voice([-55.0, -52.0, -58.0, -51.0, -60.0] * 3, floor)  # under floor + 10


def test_without_a_measurement_the_old_fixed_line_holds() -> None:
    room = RoomSound()
    assert room.floor is None
    assert not any(room.hears_voice(level) for level in [-50.0, -60.0, -48.0] * 10)
    assert any(room.hears_voice(level) for level in [-30.0, -70.0, -25.0] * 10)


# -- the kiosk -------------------------------------------------------------------------

def quick_settings(settings: Settings, idle_s: float) -> Settings:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "test.toml").write_text(QUESTIONS, encoding="utf-8")
    return dataclasses.replace(
        settings,
        recording=dataclasses.replace(settings.recording, **SMALL, camera="synthetic",
                                      microphone="synthetic", disk_reserve_mb=0,
                                      longest_interview_minutes=1, mb_per_minute=1),
        interview=dataclasses.replace(settings.interview, question_set="test.toml",
                                      thank_you_seconds=2, idle_seconds=idle_s),
    )


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = open_configured(quick_settings(settings, 90))
    yield database
    database.close()


@pytest.fixture
def kiosks() -> Iterator[list[CandidateKiosk]]:
    made: list[CandidateKiosk] = []
    yield made
    for kiosk in made:
        kiosk.shutdown()


def open_kiosk(qtbot: QtBot, settings: Settings, db: Database, kiosks: list[CandidateKiosk],
               idle_s: float) -> CandidateKiosk:
    quick = quick_settings(settings, idle_s)
    kiosk = make_kiosk(qtbot, quick, db, demo_opener(quick))  # with the demo tone
    kiosks.append(kiosk)
    return kiosk


def to_consent(qtbot: QtBot, kiosk: CandidateKiosk) -> None:
    qtbot.mouseClick(kiosk.welcome, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(kiosk.identify.name, "Ana Miller")
    click(qtbot, kiosk.identify.next)
    qtbot.waitUntil(on(kiosk, Screen.CONSENT))


def to_first_answer(qtbot: QtBot, kiosk: CandidateKiosk) -> None:
    to_consent(qtbot, kiosk)
    click(qtbot, kiosk.consent.accept)
    qtbot.waitUntil(lambda: kiosk.device_check.confirm.isEnabled(), timeout=15_000)
    qtbot.wait(1000)  # the room is heard while the candidate looks at themselves
    click(qtbot, kiosk.device_check.confirm)
    click(qtbot, kiosk.practice.start)
    click(qtbot, kiosk.question.start)
    qtbot.waitUntil(lambda: kiosk.flow.state.recording)


def answer_for(qtbot: QtBot, kiosk: CandidateKiosk, seconds: float) -> None:
    """Answer, touching the screen now and then (the demo tone is not a voice)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        qtbot.mouseClick(kiosk.question.question, Qt.MouseButton.LeftButton)
        qtbot.wait(500)
    click(qtbot, kiosk.question.done)
    qtbot.waitUntil(on(kiosk, Screen.RETAKE))


def countdown_of(kiosk: CandidateKiosk) -> int:
    return int(kiosk.idle_warning.countdown.text().split()[0])


def test_the_idle_warning_shows_counts_down_and_im_here_keeps_the_candidate_there(
        qtbot: QtBot, settings: Settings, db: Database, kiosks: list[CandidateKiosk]) -> None:
    kiosk = open_kiosk(qtbot, settings, db, kiosks, idle_s=8)  # the last 4 s warn
    warning = kiosk.idle_warning
    to_consent(qtbot, kiosk)
    assert not warning.isVisible()
    touched = time.monotonic()
    qtbot.waitUntil(warning.isVisible, timeout=8_000)
    assert time.monotonic() - touched >= 3.5  # not before the last seconds of the idle time
    assert kiosk.flow.state.screen is Screen.CONSENT  # over the screen, not instead of it
    assert kiosk.consent.isVisible()
    assert warning.headline.text() == "Are you still there?"
    assert warning.geometry() == kiosk.rect()  # the whole screen: no touch goes beneath
    assert QApplication.focusWidget() is warning.here  # nor a key
    kiosk.consent.decline.setFocus()  # as a screen the clock moved on to would
    assert QApplication.focusWidget() is warning.here
    first = countdown_of(kiosk)
    assert 2 <= first <= 4
    qtbot.waitUntil(lambda: countdown_of(kiosk) == first - 1, timeout=2_000)  # counting

    click(qtbot, warning.here)
    assert not warning.isVisible()
    assert kiosk.flow.state.idle_warning_until is None
    assert kiosk.flow.state.screen is Screen.CONSENT and kiosk.flow.state.candidate == "Ana Miller"
    assert QApplication.focusWidget() is kiosk.consent.decline  # given back
    qtbot.wait(3000)  # beyond the moment it would have gone back to Welcome
    assert kiosk.flow.state.screen is Screen.CONSENT

    # Left alone, the warning runs out into the reset, as before.
    qtbot.waitUntil(warning.isVisible, timeout=8_000)
    qtbot.waitUntil(on(kiosk, Screen.WELCOME), timeout=6_000)
    assert not warning.isVisible()


def test_mid_answer_a_key_on_the_warning_keeps_the_answer_recording(
        qtbot: QtBot, settings: Settings, db: Database, kiosks: list[CandidateKiosk]) -> None:
    kiosk = open_kiosk(qtbot, settings, db, kiosks, idle_s=8)
    to_first_answer(qtbot, kiosk)
    assert QApplication.focusWidget() is kiosk.question.done
    qtbot.waitUntil(kiosk.idle_warning.isVisible, timeout=8_000)
    assert "still being recorded" in kiosk.idle_warning.hint.text()
    key(qtbot, Qt.Key.Key_Return)  # on "I'm here", which has the focus: not on "Done"
    qtbot.waitUntil(lambda: not kiosk.idle_warning.isVisible())
    assert kiosk.flow.state.screen is Screen.ANSWER and kiosk.flow.state.recording
    qtbot.waitUntil(lambda: QApplication.focusWidget() is kiosk.question.done)


def test_a_walk_away_mid_answer_with_the_demo_tone_is_back_at_welcome_in_the_idle_time(
        qtbot: QtBot, settings: Settings, db: Database, kiosks: list[CandidateKiosk]) -> None:
    kiosk = open_kiosk(qtbot, settings, db, kiosks, idle_s=6)
    to_first_answer(qtbot, kiosk)  # the answer limit is 30 s; nobody speaks, the tone beeps
    started = time.monotonic()
    qtbot.waitUntil(kiosk.idle_warning.isVisible, timeout=10_000)
    qtbot.waitUntil(on(kiosk, Screen.WELCOME), timeout=10_000)
    assert time.monotonic() - started < 10
    qtbot.waitUntil(lambda: not kiosk.flow.state.saving, timeout=30_000)
    row = saved_session(db)
    assert row.status is SessionStatus.COMPLETED  # the answer was kept
    [(start, end, _title)] = chapters_of(quick_settings(settings, 6), row)
    assert end - start >= 4.0


def test_watch_it_plays_the_take_then_keep_goes_on(
        qtbot: QtBot, settings: Settings, db: Database, kiosks: list[CandidateKiosk]) -> None:
    kiosk = open_kiosk(qtbot, settings, db, kiosks, idle_s=90)
    review = kiosk.question.review
    to_first_answer(qtbot, kiosk)
    answer_for(qtbot, kiosk, 2.0)
    assert review.watch.isVisible() and review.watch.text() == "Watch it"
    assert not review.player.isVisible() and kiosk.question.preview.isVisible()
    frames = frames_of(qtbot, review.player)
    click(qtbot, review.watch)
    qtbot.waitUntil(lambda: len(frames) > 0, timeout=15_000)  # the take's first picture
    copy = Path(review.player.media.source().toLocalFile())
    assert copy.is_file() and not copy.is_relative_to(settings.data_dir)
    assert review.player.isVisible() and not kiosk.question.preview.isVisible()
    assert review.watch.text() == "Stop watching"
    assert review.player.frames_shown > 0
    assert kiosk.question.keep.isVisible() and kiosk.question.again.isVisible()

    click(qtbot, kiosk.question.keep)  # while it plays
    qtbot.waitUntil(lambda: kiosk.flow.state.screen is Screen.PREPARE
                    and kiosk.flow.state.question == 1)
    assert not review.player.isVisible() and kiosk.question.preview.isVisible()
    media = review.player.media
    assert media.playbackState() == QMediaPlayer.PlaybackState.StoppedState
    assert media.source().isEmpty() and not copy.exists()  # let go of, and removed
    assert not review.watch.isVisible()


def test_watch_it_to_the_end_then_try_again(
        qtbot: QtBot, settings: Settings, db: Database, kiosks: list[CandidateKiosk]) -> None:
    kiosk = open_kiosk(qtbot, settings, db, kiosks, idle_s=90)
    review = kiosk.question.review
    to_first_answer(qtbot, kiosk)
    answer_for(qtbot, kiosk, 1.5)
    frames = frames_of(qtbot, review.player)
    key(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)  # from "Keep"...
    key(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is review.watch  # ... by keyboard alone
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(frames) > 0, timeout=15_000)
    qtbot.waitUntil(lambda: review.watch.text() == "Watch it again", timeout=15_000)
    assert len(frames) > 10  # it played through, not just its first picture
    assert not review.player.isVisible() and kiosk.question.preview.isVisible()
    assert kiosk.flow.state.screen is Screen.RETAKE

    click(qtbot, kiosk.question.again)
    qtbot.waitUntil(lambda: kiosk.flow.state.screen is Screen.PREPARE)
    assert kiosk.flow.state.question == 0 and kiosk.flow.state.tries == 1
    click(qtbot, kiosk.question.start)
    qtbot.waitUntil(lambda: kiosk.flow.state.recording)


def test_watching_counts_as_activity_so_the_idle_time_does_not_cut_it_short(
        qtbot: QtBot, settings: Settings, db: Database, kiosks: list[CandidateKiosk]) -> None:
    kiosk = open_kiosk(qtbot, settings, db, kiosks, idle_s=4)  # shorter than the take
    review = kiosk.question.review
    warned_while_watching: list[bool] = []
    kiosk.flow.on_change(lambda state: warned_while_watching.append(
        review.watching and state.idle_warning_until is not None))
    to_first_answer(qtbot, kiosk)
    answer_for(qtbot, kiosk, 6.0)
    click(qtbot, review.watch)
    qtbot.waitUntil(review.player.isVisible, timeout=15_000)
    watched = time.monotonic()
    qtbot.waitUntil(lambda: review.watch.text() == "Watch it again", timeout=20_000)
    assert time.monotonic() - watched >= 5.0  # longer than the idle time ...
    assert kiosk.flow.state.screen is Screen.RETAKE  # ... and still there
    assert not any(warned_while_watching)
    # Afterwards the idle time runs again: warning, then Welcome.
    qtbot.waitUntil(kiosk.idle_warning.isVisible, timeout=6_000)
    qtbot.waitUntil(on(kiosk, Screen.WELCOME), timeout=6_000)


def test_the_take_player_plays_recorded_parts(qtbot: QtBot, tmp_path: Path) -> None:
    [part] = record_parts(tmp_path, [2.5])
    taken: Future[PartFiles | None] = Future()
    taken.set_result(part.files)
    screen = QWidget()
    preview = QWidget(screen)
    review = TakeReview(lambda: taken, instead_of=preview, parent=screen)
    layout = QVBoxLayout(screen)
    layout.addWidget(preview)
    layout.addWidget(review.player)
    qtbot.addWidget(screen)
    screen.show()
    frames = frames_of(qtbot, review.player)
    activity: list[object] = []
    review.intent.connect(activity.append)
    review.watch.click()
    qtbot.waitUntil(lambda: len(frames) > 0, timeout=15_000)
    qtbot.waitUntil(lambda: review.watch.text() == "Watch it again", timeout=15_000)
    assert len(frames) >= 30  # 2.5 s at 30 fps, give or take the ends
    assert activity  # the watching kept the candidate present
    assert review.player.media.source().isEmpty()
