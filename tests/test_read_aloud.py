"""Questions read aloud: a real speech-dispatcher (espeak-ng) speaking into a PulseAudio null
sink, Qt's speechd engine, the real flow.

What is heard is measured on the sink's monitor (tests/speech_dispatcher.MonitorLevel), and
what the engine says it does through QuestionReader's state and `speaking_changed`. The
booth without a voice (speech-dispatcher not running, an engine that does not exist) goes
on silently and its booth page says so.
"""

# ruff: noqa: F811
from __future__ import annotations

import dataclasses
import itertools
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtTextToSpeech import QTextToSpeech
from pytestqt.exceptions import TimeoutError
from pytestqt.qtbot import QtBot

from kiosk.accommodations import Accommodations
from kiosk.config import Settings
from kiosk.interview import flow
from kiosk.interview.flow import InterviewFlow, Screen, Timing
from kiosk.interview.question_sets import QuestionSets, load_question_set
from kiosk.store.database import Database
from kiosk.ui.candidate.kiosk import CandidateKiosk
from kiosk.ui.candidate.read_aloud import QuestionReader
from kiosk.ui.recruiter.booth_page import VoiceRow
from tests.pulse import null_sink_server
from tests.speech_dispatcher import (
    MonitorLevel,
    SpeechDaemon,
    available,
    no_speech_dispatcher,
    speech_dispatcher,
    use_speech_dispatcher,
)
from tests.test_candidate_kiosk import (
    QUESTIONS,
    booth_settings,  # noqa: F401 (a fixture)
    click,
    db,  # noqa: F401 (a fixture)
    make_kiosk,
    on,
    reach_the_device_check,
)

pytestmark = pytest.mark.skipif(not available(), reason="speech-dispatcher is not installed "
                                "(Debian: speech-dispatcher speech-dispatcher-espeak-ng)")

# Opening the speechd engine lists a few thousand voices: over a second here, more on a
# loaded machine.
OPEN_TIMEOUT_MS = 20_000
# espeak-ng's speech peaks well above this on the monitor (RMS over 10 ms, of full scale:
# about 0.1); the null sink is exactly 0 when nothing plays.
HEARD = 0.01
QUIET = 0.001
# From the stop to silence on the sink: the dispatcher's cancel, the engine's report and
# PulseAudio's buffer (20 ms asked for).
STOP_WITHIN_S = 0.5

ENGLISH = """\
title = "Read to you"
consent = "We record your answers."
read_aloud = true
prepare_seconds = 60
answer_seconds = 60

[[questions]]
text = "Tell us about a time you solved a problem at work."
retakes = 1
"""
SPANISH = """\
title = "Leída en voz alta"
language = "es"
consent = "Grabamos sus respuestas."
read_aloud = true
prepare_seconds = 60
answer_seconds = 60

[[questions]]
text = "Háblenos de una vez en que resolvió un problema en el trabajo."
retakes = 1
"""


@dataclasses.dataclass
class Voice:
    pulse: dict[str, str]
    daemon: SpeechDaemon
    monitor: MonitorLevel


@pytest.fixture
def voice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Voice]:
    """speech-dispatcher speaking into a null sink whose monitor is being recorded."""
    with null_sink_server() as pulse, speech_dispatcher(pulse) as daemon:
        use_speech_dispatcher(monkeypatch, daemon, tmp_path / "xdg")
        monitor = MonitorLevel(pulse)
        try:
            yield Voice(pulse, daemon, monitor)
        finally:
            monitor.close()


def question_sets(tmp_path: Path, english: str = ENGLISH, spanish: str | None = SPANISH
                  ) -> QuestionSets:
    (tmp_path / "sets").mkdir(exist_ok=True)
    sets = {}
    for code, text in (("en", english), ("es", spanish)):
        if text is not None:
            path = tmp_path / "sets" / f"read.{code}.toml"
            path.write_text(text, encoding="utf-8")
            sets[code] = load_question_set(path)
    return QuestionSets(sets, "en")


def interview(sets: QuestionSets) -> InterviewFlow:
    return InterviewFlow(sets, Timing(idle_s=300, thank_you_s=10), time.monotonic)


def follow(reader: QuestionReader, walk: InterviewFlow) -> None:
    """As the kiosk wires it (kiosk.ui.candidate.kiosk)."""
    walk.on_change(lambda state: reader.show_state(state, walk))


def to_the_question(walk: InterviewFlow, *, language: str = "en",
                    accommodations: Accommodations | None = None) -> None:
    """From Welcome or Identify to the first question's prepare screen, as the screens and
    the booth would."""
    if language != walk.state.language:
        walk.handle(flow.ChooseLanguage(language))
    if walk.state.screen is Screen.WELCOME:
        walk.handle(flow.Begin())
    walk.handle(flow.Identified("Ada Lovelace", accommodations=accommodations or
                                Accommodations()))
    walk.handle(flow.AcceptConsent())
    walk.handle(flow.DevicesReady())
    walk.handle(flow.DevicesConfirmed())
    assert walk.state.screen is Screen.PREPARE, walk.state


def wait_open(qtbot: QtBot, reader: QuestionReader) -> None:
    qtbot.waitUntil(lambda: reader.status is not None, timeout=OPEN_TIMEOUT_MS)


def wait_spoken(qtbot: QtBot, reader: QuestionReader, spoken: list[bool],
                expected: list[bool], timeout_ms: int = 10_000) -> None:
    try:
        qtbot.waitUntil(lambda: spoken == expected, timeout=timeout_ms)
    except TimeoutError:
        raise AssertionError(f"speaking went {spoken}, not {expected} (the engine is "
                             f"{reader.state}; {reader.voice_description()})") from None


def wait_heard(qtbot: QtBot, voice: Voice, since: float, what: str) -> None:
    try:
        qtbot.waitUntil(lambda: voice.monitor.loudest(since) > HEARD, timeout=10_000)
    except AssertionError:
        raise AssertionError(f"{what} was not heard on the null sink (loudest "
                             f"{voice.monitor.loudest(since):.4f}); speech-dispatcher's "
                             f"log:\n{voice.daemon.log()}") from None


def assert_silent(qtbot: QtBot, voice: Voice, since: float, seconds: float) -> None:
    """Nothing on the sink from `since` for `seconds` (waits for that much to be recorded)."""
    qtbot.waitUntil(lambda: voice.monitor.heard_until() >= since + seconds, timeout=10_000)
    loudest = voice.monitor.loudest(since, since + seconds)
    assert loudest < QUIET, f"heard {loudest:.4f} on the sink while it should be silent"


def test_a_spanish_question_is_heard_in_spanish_and_stops_the_moment_the_answer_begins(
        qtbot: QtBot, voice: Voice, tmp_path: Path) -> None:
    walk = interview(question_sets(tmp_path))
    reader = QuestionReader()
    spoken: list[bool] = []
    reader.speaking_changed.connect(spoken.append)
    follow(reader, walk)
    try:
        walk.handle(flow.ChooseLanguage("es"))
        walk.handle(flow.Begin())
        # The flow knows from here that the questions will be read: the engine opens now,
        # off the GUI thread, and is ready by the question.
        wait_open(qtbot, reader)
        assert reader.available, reader.voice_description()
        spanish = reader.status.voice_for("es") if reader.status else None
        assert spanish is not None and spanish.voice == "Spanish (Spain)", reader.status
        assert reader.status is not None and reader.status.engine == "speechd"

        asked = time.monotonic()
        to_the_question(walk, language="es")
        qtbot.waitUntil(lambda: reader.state is QTextToSpeech.State.Speaking, timeout=10_000)
        assert spoken == [True]
        assert reader.last_text.startswith("Háblenos")
        wait_heard(qtbot, voice, asked, "the Spanish question")

        qtbot.wait(300)  # well into the sentence (it takes about 4 s)
        assert reader.speaking
        walk.handle(flow.StartAnswering())
        began = time.monotonic()
        assert walk.state.screen is Screen.ANSWER and walk.state.recording
        qtbot.waitUntil(lambda: reader.state is QTextToSpeech.State.Ready,
                        timeout=round(STOP_WITHIN_S * 1000))
        assert spoken == [True, False]
        assert_silent(qtbot, voice, began + STOP_WITHIN_S, 1.5)

        # "Read again" while the answer is recorded: nothing.
        before = reader.utterances
        reader.read_again()
        assert reader.utterances == before
        assert_silent(qtbot, voice, time.monotonic(), 1.0)
        assert reader.state is QTextToSpeech.State.Ready and spoken == [True, False]
    finally:
        reader.stop()


def test_read_again_reads_the_question_once_more(qtbot: QtBot, voice: Voice,
                                                 tmp_path: Path) -> None:
    short = ENGLISH.replace("Tell us about a time you solved a problem at work.",
                            "Why this job?")
    walk = interview(question_sets(tmp_path, english=short, spanish=None))
    reader = QuestionReader()
    spoken: list[bool] = []
    reader.speaking_changed.connect(spoken.append)
    follow(reader, walk)
    try:
        to_the_question(walk)
        wait_spoken(qtbot, reader, spoken, [True, False], OPEN_TIMEOUT_MS)
        ended = time.monotonic()
        assert_silent(qtbot, voice, ended + STOP_WITHIN_S, 0.5)  # read once, then quiet

        again = time.monotonic()
        reader.read_again()
        qtbot.waitUntil(lambda: spoken == [True, False, True], timeout=10_000)
        wait_heard(qtbot, voice, again, "the question read again")
        assert reader.last_text == "Why this job?" and reader.utterances == 2
        qtbot.waitUntil(lambda: spoken == [True, False, True, False], timeout=10_000)
    finally:
        reader.stop()


def test_the_candidates_read_aloud_accommodation_asks_for_it_when_the_set_does_not(
        qtbot: QtBot, voice: Voice, tmp_path: Path) -> None:
    plain = ENGLISH.replace("read_aloud = true\n", "")
    reader = QuestionReader()
    spoken: list[bool] = []
    reader.speaking_changed.connect(spoken.append)
    try:
        # Without the accommodation: the set does not ask, nothing is opened or said.
        walk = interview(question_sets(tmp_path, english=plain, spanish=None))
        follow(reader, walk)
        asked = time.monotonic()
        to_the_question(walk)
        assert_silent(qtbot, voice, asked, 1.5)
        assert reader.status is None and reader.utterances == 0 and spoken == []

        # The next candidate, scheduled with questions read aloud, at the next booth start.
        walk = interview(question_sets(tmp_path, english=plain, spanish=None))
        follow(reader, walk)
        asked = time.monotonic()
        to_the_question(walk, accommodations=Accommodations(read_aloud=True))
        assert walk.read_aloud(walk.state)
        qtbot.waitUntil(lambda: spoken[:1] == [True], timeout=OPEN_TIMEOUT_MS)
        wait_heard(qtbot, voice, asked, "the question, read for the accommodation")
    finally:
        reader.stop()


def test_a_question_in_a_language_without_a_voice_is_not_read_in_another_voice(
        qtbot: QtBot, voice: Voice, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    somali = SPANISH.replace('language = "es"', 'language = "so"')  # espeak-ng has no Somali
    (tmp_path / "sets").mkdir()
    sets = {}
    for code, text in (("en", ENGLISH), ("so", somali)):
        path = tmp_path / "sets" / f"read.{code}.toml"
        path.write_text(text, encoding="utf-8")
        sets[code] = load_question_set(path)
    walk = interview(QuestionSets(sets, "en"))
    reader = QuestionReader()
    spoken: list[bool] = []
    reader.speaking_changed.connect(spoken.append)
    follow(reader, walk)
    try:
        with caplog.at_level(logging.WARNING, logger="kiosk.ui.candidate.read_aloud"):
            asked = time.monotonic()
            to_the_question(walk, language="so")
            wait_open(qtbot, reader)
            assert reader.available  # the engine speaks, only not Somali
            qtbot.waitUntil(lambda: "no Somali voice" in caplog.text, timeout=10_000)
        assert_silent(qtbot, voice, asked, 1.5)
        assert spoken == []
    finally:
        reader.stop()


def test_no_speech_dispatcher_the_candidate_goes_on_in_silence_and_the_page_says_so(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    no_speech_dispatcher(monkeypatch, tmp_path / "xdg")
    walk = interview(question_sets(tmp_path))
    reader = QuestionReader()
    follow(reader, walk)
    try:
        with caplog.at_level(logging.WARNING, logger="kiosk.ui.candidate.read_aloud"):
            started = time.monotonic()
            to_the_question(walk)
            assert time.monotonic() - started < 0.5  # the GUI thread never waits for it
            wait_open(qtbot, reader)
            qtbot.wait(100)
        assert not reader.available
        assert reader.status is not None
        assert "The speech daemon did not answer" in reader.status.reason
        assert "not read aloud" in caplog.text
        assert reader.state is QTextToSpeech.State.Ready and not reader.speaking
        reader.read_again()  # nothing to read with: nothing happens, nothing raises
        walk.handle(flow.StartAnswering())
        assert walk.state.screen is Screen.ANSWER
    finally:
        reader.stop()

    row = VoiceRow(["en", "es"])
    qtbot.addWidget(row)
    row.check_again()
    qtbot.waitUntil(lambda: not row.checking, timeout=OPEN_TIMEOUT_MS)
    assert row.headline.text() == "No voice: questions are not read aloud"
    assert "The speech daemon did not answer" in row.detail.text()
    assert row.state.property("verdict") == "Problem"


def test_an_engine_that_does_not_exist_is_no_voice_and_no_hang(qtbot: QtBot, voice: Voice,
                                                                tmp_path: Path) -> None:
    walk = interview(question_sets(tmp_path))
    reader = QuestionReader(engine="no-such-engine")
    follow(reader, walk)
    try:
        asked = time.monotonic()
        to_the_question(walk)
        wait_open(qtbot, reader)
        assert not reader.available
        assert "There is no text-to-speech engine 'no-such-engine'" in reader.voice_description()
        assert_silent(qtbot, voice, asked, 1.0)
    finally:
        reader.stop()
    row = VoiceRow(["en"], engine="no-such-engine")
    qtbot.addWidget(row)
    row.check_again()
    qtbot.waitUntil(lambda: not row.checking, timeout=OPEN_TIMEOUT_MS)
    assert row.headline.text() == "No voice: questions are not read aloud"
    assert "There is no text-to-speech engine 'no-such-engine'" in row.detail.text()


def test_a_speech_daemon_that_never_answers_never_holds_the_candidate_up(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """It takes the connection and says nothing: libspeechd waits for ever, on the speech
    thread, with Python's lock free, so the GUI thread goes on."""
    (tmp_path / "xdg").mkdir()
    no_speech_dispatcher(monkeypatch, tmp_path / "xdg")
    mute = socket.socket(socket.AF_UNIX)
    mute.bind(str(tmp_path / "mute.sock"))
    mute.listen(5)
    monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{tmp_path / 'mute.sock'}")
    walk = interview(question_sets(tmp_path))
    reader = QuestionReader()
    follow(reader, walk)
    ticks: list[float] = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    try:
        to_the_question(walk)
        qtbot.wait(2500)  # speechd opens in about 1.3 s here: long past it
        gaps = [later - earlier for earlier, later in itertools.pairwise(ticks)]
        assert max(gaps) < 0.25, f"the GUI thread stood still for {max(gaps):.2f} s"
        assert reader.status is None and reader.voice_description() == "starting"
        walk.handle(flow.StartAnswering())  # the interview goes on
        assert walk.state.screen is Screen.ANSWER
    finally:
        timer.stop()
        started = time.monotonic()
        reader.stop()  # shutdown ends the stuck thread rather than hang
        assert time.monotonic() - started < 10
        mute.close()


def test_the_booth_page_names_the_engine_and_each_languages_voice(
        qtbot: QtBot, voice: Voice) -> None:
    row = VoiceRow(["en", "es", "so"])  # espeak-ng has no Somali
    qtbot.addWidget(row)
    row.check_again()
    qtbot.waitUntil(lambda: not row.checking, timeout=OPEN_TIMEOUT_MS)
    assert row.headline.text() == "speechd engine"
    detail = row.detail.text()
    assert "English: English (America) (en_US)" in detail, detail
    assert "Spanish: Spanish (Spain) (es_ES)" in detail, detail
    # A language with no voice is a problem the page names: its questions are not read.
    assert row.state.property("verdict") == "Problem"
    assert "Somali: no voice" in detail, detail
    assert "Questions in Somali are not read aloud (no voice)." in detail, detail

    row = VoiceRow(["en", "es"])
    qtbot.addWidget(row)
    row.check_again()
    qtbot.waitUntil(lambda: not row.checking, timeout=OPEN_TIMEOUT_MS)
    assert row.state.property("verdict") == "OK", row.detail.text()


FIRST = "Tell us about a time you had to learn something new quickly, and how you did it."
READ_ALOUD_QUESTIONS = QUESTIONS.replace(
    'consent = "We record your answers."\n',
    'consent = "We record your answers."\nread_aloud = true\n').replace("First question?", FIRST)


def test_the_kiosk_reads_the_question_and_is_silent_while_the_answer_is_recorded(
        qtbot: QtBot, voice: Voice, booth_settings: Settings, db: Database) -> None:
    (booth_settings.data_dir / "test.toml").write_text(READ_ALOUD_QUESTIONS, encoding="utf-8")
    kiosk: CandidateKiosk = make_kiosk(qtbot, booth_settings, db)
    reader = getattr(kiosk, "reader", None)
    wired = isinstance(reader, QuestionReader)
    if not wired:  # the kiosk does not make its own reader yet: wire one as it will
        reader = QuestionReader(kiosk)
        kiosk.flow.on_change(lambda state: reader.show_state(state, kiosk.flow))
        kiosk.question.read_again.clicked.connect(reader.read_again)
    assert isinstance(reader, QuestionReader)
    spoken: list[bool] = []
    reader.speaking_changed.connect(spoken.append)
    try:
        reach_the_device_check(qtbot, kiosk, "Ada Lovelace")
        click(qtbot, kiosk.device_check.confirm)
        asked = time.monotonic()
        click(qtbot, kiosk.practice.start)  # "Start the interview": the first question
        assert kiosk.flow.state.screen is Screen.PREPARE
        qtbot.waitUntil(lambda: spoken[:1] == [True], timeout=OPEN_TIMEOUT_MS)
        assert reader.last_text == FIRST
        wait_heard(qtbot, voice, asked, "the first question")
        qtbot.waitUntil(lambda: spoken == [True, False], timeout=10_000)

        # "Read again", touched: heard again.
        assert kiosk.question.read_again.isVisible()
        again = time.monotonic()
        click(qtbot, kiosk.question.read_again)
        qtbot.waitUntil(lambda: spoken[2:3] == [True], timeout=10_000)
        wait_heard(qtbot, voice, again, "the question read again")

        click(qtbot, kiosk.question.start)  # answering now, while it is still being read
        began = time.monotonic()
        qtbot.waitUntil(on(kiosk, Screen.ANSWER))
        assert kiosk.flow.state.recording
        qtbot.waitUntil(lambda: reader.state is QTextToSpeech.State.Ready,
                        timeout=round(STOP_WITHIN_S * 1000))
        assert_silent(qtbot, voice, began + STOP_WITHIN_S, 2.0)
        assert not kiosk.question.read_again.isVisible()
        assert spoken == [True, False, True, False]
    finally:
        if not wired:
            reader.stop()
        kiosk.shutdown()
