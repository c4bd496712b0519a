"""Questions read aloud: Qt's text-to-speech reads each question as it appears.

`QuestionReader` follows the flow (`show_state` on every change). When a question's prepare
screen is entered and the question set or the candidate's accommodations ask for it
(`InterviewFlow.read_aloud`), it reads the question, in the language the question is written
in, with a voice of that language. "Read again" reads it once more on the prepare and retake
screens. It is silent while an answer is recorded: a new screen stops any reading at once,
and nothing starts while `state.recording` is true.

The engine is Qt's (`QtTextToSpeech`): on Linux the `speechd` plug-in, which talks to
speech-dispatcher (Debian: `speech-dispatcher` and `speech-dispatcher-espeak-ng`, with
`libspeechd2`; libspeechd starts the daemon itself on first use), on Windows the system's
voices. Qt's `mock` engine, which the wheel carries for Qt's own tests, speaks nothing and is
never chosen unless asked for by name.

Opening the speechd engine takes over a second (it lists every voice of every language
espeak-ng has, a few thousand, over the daemon's socket), and a daemon that hangs would hang
it, so the engine lives on a thread of its own and the GUI thread only sends it requests.
A thread alone is not enough: PySide keeps Python's lock through every call into Qt, so the
opening is queued to that thread's event loop, where Qt runs it without the lock.
It is opened once, the first time a candidate needs it (as soon as the flow says the
questions will be read, so it is ready by the first question), and reused.

A booth without a voice goes on silently: no engine, an engine in its error state, one with
no voices, or no voice in the question's language (then the question is not read at all:
Spanish read with an English voice helps no one). The log says why, once, and
`QuestionReader.status` says it for the booth page (which opens a reader of its own).
"""

from __future__ import annotations

import atexit
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    Q_ARG,
    QCoreApplication,
    QLocale,
    QMetaObject,
    QObject,
    Qt,
    QThread,
    Signal,
    Slot,
)
from PySide6.QtTextToSpeech import QTextToSpeech, QVoice

from kiosk.interview.flow import FlowState, InterviewFlow, Screen

log = logging.getLogger(__name__)

MOCK_ENGINE = "mock"  # Qt's test engine: silent, so never a booth's voice by default
# Qt's own order (its plug-ins' priorities), where more than one is there.
PREFERRED_ENGINES = ("speechd", "winrt", "sapi", "darwin", "macos", "android", "flite")
# Qt's name for "no engine yet": a QTextToSpeech made with it opens nothing.
NO_ENGINE_YET = "none"
# Screens with the question on show and no answer being given: where "Read again" reads.
READING_SCREENS = frozenset({Screen.PREPARE, Screen.RETAKE})
# How long shutdown waits for the speech thread (an engine stuck opening keeps it busy).
STOP_WAIT_MS = 3000
# espeak-ng's names for territories that Qt names otherwise ("United States").
ESPEAK_TERRITORIES = {QLocale.Country.UnitedStates: "America",
                      QLocale.Country.UnitedKingdom: "Great Britain"}
SPEECHD_HINT = ("Is speech-dispatcher installed (Debian: speech-dispatcher, "
                "speech-dispatcher-espeak-ng)?")


@dataclass(frozen=True)
class LanguageVoice:
    """The voice that reads one language: empty `locale` and `voice` when there is none."""

    language: str  # as the settings and question sets name it: "en", "es", "pt-BR"
    locale: str = ""  # the engine's locale used for it, "es_ES"
    voice: str = ""  # the voice's name, "Spanish (Spain)"

    @property
    def name(self) -> str:
        """The language in English, for the staff: "Spanish"."""
        known = QLocale(self.language).language()
        if known in (QLocale.Language.C, QLocale.Language.AnyLanguage):
            return self.language  # a code Qt does not know: as the settings say it
        return QLocale.languageToString(known)

    def described(self) -> str:
        if not self.voice:
            return f"{self.name}: no voice"
        return f"{self.name}: {self.voice} ({self.locale})"


@dataclass(frozen=True)
class VoiceStatus:
    """What the booth can read aloud. `reason` is empty when the engine speaks."""

    engine: str  # Qt's name for it ("speechd", "sapi"); "" when there is none
    reason: str = ""  # a sentence or two for the staff
    voices: tuple[LanguageVoice, ...] = ()

    @property
    def available(self) -> bool:
        return not self.reason

    def voice_for(self, language: str) -> LanguageVoice | None:
        return next((v for v in self.voices if v.language == language), None)

    @property
    def missing(self) -> tuple[LanguageVoice, ...]:
        return tuple(v for v in self.voices if not v.voice)

    def described(self) -> str:
        if not self.available:
            return f"No voice: questions are not read aloud. {self.reason}"
        voices = "; ".join(v.described() for v in self.voices)
        return f"{self.engine}: {voices}" if voices else self.engine


def shipped_languages() -> tuple[str, ...]:
    """The candidate languages the kiosk ships (kiosk.ui.i18n), English if it cannot say."""
    try:
        from kiosk.ui.i18n import LANGUAGES
    except ImportError:  # the translations module is not in this checkout yet
        return ("en",)
    return tuple(LANGUAGES)


def _engine_name(engine: str | None) -> tuple[str, str]:
    """The engine to open, or "" and why there is none."""
    known = QTextToSpeech.availableEngines()
    if engine is not None:
        if engine in known:
            return engine, ""
        return "", (f"There is no text-to-speech engine {engine!r} "
                    f"(Qt has: {', '.join(known) or 'none'}).")
    real = [name for name in known if name != MOCK_ENGINE]
    if not real:
        return "", "This Qt has no text-to-speech engine."
    return min(real, key=lambda name: (name not in PREFERRED_ENGINES,
                                       PREFERRED_ENGINES.index(name)
                                       if name in PREFERRED_ENGINES else 0, name)), ""


def _status_of(tts: QTextToSpeech, name: str, languages: Sequence[str]) -> VoiceStatus:
    reason = _engine_problem(tts, name)
    if reason:
        return VoiceStatus(name, reason)
    return VoiceStatus(name, "", tuple(_voice_for(tts, language) for language in languages))


def _engine_problem(tts: QTextToSpeech, name: str) -> str:
    if tts.state() is QTextToSpeech.State.Error:
        said = tts.errorString() or "no reason given"
        if name == "speechd":
            if tts.errorReason() is QTextToSpeech.ErrorReason.Initialization and \
                    "speech-dispatcher" not in said:
                # The plug-in itself did not load: libspeechd is missing.
                return f"The speechd plug-in did not load ({said}). {SPEECHD_HINT}"
            return f"The speech daemon did not answer ({said}). {SPEECHD_HINT}"
        return f"The {name} engine did not start ({said})."
    if not tts.availableLocales():
        return f"The {name} engine has no voices."
    return ""


def _locale_for(tts: QTextToSpeech, language: str) -> QLocale | None:
    """The engine's locale for `language`: the same one ("pt-BR": pt_BR), else the
    language's usual one ("es": es_ES), else any of that language; None when it has none."""
    wanted = QLocale(language)
    if wanted.language() in (QLocale.Language.C, QLocale.Language.AnyLanguage):
        return None
    same = sorted((loc for loc in tts.availableLocales()
                   if loc.language() == wanted.language()), key=QLocale.name)
    if not same:
        return None
    return next((loc for loc in same if loc.name() == wanted.name()), same[0])


def _best_voice(tts: QTextToSpeech, language: str) -> tuple[QLocale, QVoice] | None:
    """The voice that reads `language` most plainly, with the locale it belongs to.

    Qt files several of espeak-ng's voices under one locale (en_US holds "English
    (Caribbean)", "English (America)" and each with some 70 "+variant" timbres), and the
    engine's own pick for a locale is whichever it listed last. So: a voice named for the
    language, no "+variant", one that names the territory asked for ("pt-PT": Portugal),
    then the shortest name.
    """
    locale = _locale_for(tts, language)
    if locale is None:
        return None
    wanted = QLocale(language)
    name = QLocale.languageToString(locale.language())
    places = {QLocale.territoryToString(wanted.territory()),
              ESPEAK_TERRITORIES.get(wanted.territory(), "")} - {""}
    voices = list(tts.allVoices(locale))
    voices = [v for v in voices if name in v.name()] or voices
    if not voices:
        return None

    def plainness(voice: QVoice) -> tuple[bool, bool, int, str]:
        said = voice.name()
        return ("+" in said, not any(place in said for place in places), len(said), said)

    return locale, min(voices, key=plainness)


def _voice_for(tts: QTextToSpeech, language: str) -> LanguageVoice:
    found = _best_voice(tts, language)
    if found is None:
        return LanguageVoice(language)
    locale, voice = found
    return LanguageVoice(language, locale.name(), voice.name())


class _Cancelled:
    """How many times the reader has said stop: a reading asked for before the latest stop
    is dropped on the speech thread, even if the request was already on its way."""

    def __init__(self) -> None:
        self.count = 0


class _Speaker(QObject):
    """Lives on the speech thread and owns the engine; takes requests as queued calls."""

    opened = Signal(object)  # VoiceStatus
    state_changed = Signal(object)  # QTextToSpeech.State

    def __init__(self, engine: str | None, languages: tuple[str, ...],
                 cancelled: _Cancelled, *, only_look: bool = False) -> None:
        super().__init__()
        self._engine, self._languages, self._cancelled = engine, languages, cancelled
        self._only_look = only_look  # report what the engine has, then close it
        self._tts: QTextToSpeech | None = None
        self._name = ""
        self._status: VoiceStatus | None = None
        self._waiting: tuple[str, str, int] | None = None  # asked for while opening
        self._voices: dict[str, tuple[QLocale, QVoice] | None] = {}

    @Slot()
    def open(self) -> None:
        self._name, reason = _engine_name(self._engine)
        if not self._name:
            self._report(VoiceStatus(self._engine or "", reason))
            return
        self._tts = QTextToSpeech(NO_ENGINE_YET)
        # The slow part (and the one a daemon that never answers would hang), queued: this
        # thread's event loop runs it in C++ with Python's lock free, so the GUI thread goes
        # on meanwhile. Called from here it would hold the lock, and the GUI, throughout.
        QMetaObject.invokeMethod(self._tts, "setEngine", Qt.ConnectionType.QueuedConnection,
                                 Q_ARG(str, self._name))
        QMetaObject.invokeMethod(self, "engine_set", Qt.ConnectionType.QueuedConnection)

    @Slot()
    def engine_set(self) -> None:
        assert self._tts is not None
        try:
            status = _status_of(self._tts, self._name, self._languages)
        except Exception as exc:  # a broken plug-in must not take the booth down
            log.exception("the text-to-speech engine could not be opened")
            status = VoiceStatus(self._name, f"Opening it failed: {exc}")
        if status.available:
            self._tts.stateChanged.connect(self._state)
        else:
            self._tts = None
        self._report(status)
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self.say(*waiting)

    def _report(self, status: VoiceStatus) -> None:
        self._status = status
        self.opened.emit(status)
        if self._only_look:
            self.close()

    @Slot(str, str, int)
    def say(self, text: str, language: str, ticket: int) -> None:
        if ticket < self._cancelled.count:
            return
        if self._status is None:  # still opening: read once it is open, unless stopped
            self._waiting = (text, language, ticket)
            return
        if self._tts is None:
            return
        if language not in self._voices:
            self._voices[language] = _best_voice(self._tts, language)
        found = self._voices[language]
        if found is None:
            log.warning("no %s voice: the question is not read aloud",
                        LanguageVoice(language).name)
            return
        locale, voice = found
        if self._tts.voice().name() != voice.name():
            # Only a locale and a voice the engine listed: a refused one puts the engine in
            # its error state.
            if self._tts.locale() != locale:
                self._tts.setLocale(locale)
            self._tts.setVoice(voice)
        self._tts.say(text)

    @Slot(QTextToSpeech.State)
    def _state(self, state: QTextToSpeech.State) -> None:
        self.state_changed.emit(state)

    @Slot()
    def halt(self) -> None:
        self._waiting = None
        # Whatever the state says: a reading just asked for may not have reported its start
        # yet, and stopping an engine that is not speaking costs nothing.
        if self._tts is not None and self._status is not None:
            self._tts.stop(QTextToSpeech.BoundaryHint.Immediate)

    @Slot()
    def close(self) -> None:
        if self._tts is not None:
            if self._status is not None:  # open, and so connected
                self._tts.stop(QTextToSpeech.BoundaryHint.Immediate)
                self._tts.stateChanged.disconnect(self._state)
            self._tts = None  # destroyed here, on the thread it belongs to
        # Ended from inside: a quit() from the GUI thread could end the loop before this ran.
        thread = QThread.currentThread()
        if thread is not None:
            thread.quit()


class _Requests(QObject):
    """The GUI thread's side: its signals reach the speaker on the speech thread, queued."""

    open = Signal()
    say = Signal(str, str, int)
    halt = Signal()
    close = Signal()


class _SpeechThread:
    """A speech thread with its speaker, kept in `_running` until it has ended.

    Not a QObject, and not owned by the reader: a reader destroyed with its widget (a page
    closed mid-check) must not destroy a running QThread, which aborts the process. Ended
    ones are let go here, on the GUI thread, when the next one starts (never from the
    thread's own `finished`, which it says while still running); what still runs when
    Python exits is ended first (`_end_all`).
    """

    def __init__(self, speaker: _Speaker) -> None:
        self.thread = QThread()
        self.thread.setObjectName("question reader")
        self.speaker = speaker
        self.requests = _Requests()
        speaker.moveToThread(self.thread)
        self.requests.open.connect(speaker.open)
        self.requests.say.connect(speaker.say)
        self.requests.halt.connect(speaker.halt)
        self.requests.close.connect(speaker.close)
        _running[:] = [speech for speech in _running if not speech.thread.isFinished()]
        _running.append(self)
        self.thread.start()
        self.requests.open.emit()

    def end(self) -> None:
        """Close the engine and end the thread; a thread stuck opening it is ended where it
        waits (libspeechd waits for ever on a daemon that takes the connection and never
        answers), since only shutdown comes here."""
        if not self.thread.isFinished():
            self.requests.close.emit()
            if not self.thread.wait(STOP_WAIT_MS):
                log.warning("the speech engine did not answer; ending its thread")
                self.thread.terminate()
                self.thread.wait(STOP_WAIT_MS)


_running: list[_SpeechThread] = []


@atexit.register
def _end_all() -> None:
    for speech in _running:
        speech.end()


class QuestionReader(QObject):
    """Reads the questions aloud for the candidate kiosk (see the module's docstring).

    `speaking_changed(bool)` when the engine starts or ends speaking; `status_changed` once
    the engine is open (or known not to be).
    """

    speaking_changed = Signal(bool)
    status_changed = Signal(object)  # VoiceStatus

    def __init__(self, parent: QObject | None = None, engine: str | None = None, *,
                 languages: Sequence[str] | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._languages = tuple(languages) if languages else shipped_languages()
        self._cancelled = _Cancelled()
        self._speech: _SpeechThread | None = None
        self._status: VoiceStatus | None = None
        self._state = QTextToSpeech.State.Ready
        self._said_unavailable = False
        self._entered_at: float | None = None
        self._interview: InterviewFlow | None = None
        self._stopped = False
        self.utterances = 0  # readings asked of the engine: the log's and the tests' count
        self.last_text = ""

    # -- what the kiosk calls ------------------------------------------------------------

    def show_state(self, state: FlowState, interview: InterviewFlow) -> None:
        """Follow the flow: read a question as its prepare screen appears; stop on any
        other screen and whenever an answer is being recorded."""
        self._interview = interview
        entered = state.entered_at != self._entered_at
        self._entered_at = state.entered_at
        if state.recording or (entered and state.screen is not Screen.PREPARE):
            self._halt()
        if state.recording:
            return
        wanted = interview.read_aloud(state)
        if wanted:
            self._open()  # from the first screen that knows, so the voice is ready in time
        if entered and state.screen is Screen.PREPARE and wanted:
            self._read(state, interview)

    def read_again(self) -> None:
        """The "Read again" button: the question on show once more (not while recording)."""
        interview = self._interview
        if interview is None:
            return
        state = interview.state
        if state.recording or state.screen not in READING_SCREENS:
            log.info("Read again ignored on the %s screen", state.screen)
            return
        self._open()
        self._read(state, interview)

    def stop(self) -> None:
        """Shut down: stop speaking, close the engine, end the speech thread."""
        self._stopped = True
        self._halt()
        speech, self._speech = self._speech, None
        if speech is None:
            return
        speech.end()
        self._state_changed(QTextToSpeech.State.Ready)  # the engine is gone: nothing speaks

    # -- what the booth page and tests look at ---------------------------------------------

    @property
    def available(self) -> bool:
        """True once the engine is open and can speak (False before it is opened)."""
        return self._status is not None and self._status.available

    @property
    def status(self) -> VoiceStatus | None:
        """None until the engine has been opened."""
        return self._status

    def voice_description(self) -> str:
        if self._status is None:
            return "not started" if self._speech is None else "starting"
        return self._status.described()

    @property
    def state(self) -> QTextToSpeech.State:
        """The engine's state as it last reported it (Ready before it is opened)."""
        return self._state

    @property
    def speaking(self) -> bool:
        return self._state is QTextToSpeech.State.Speaking

    def open(self) -> None:
        """Open the engine now (it is otherwise opened when first needed)."""
        self._open()

    def look(self) -> None:
        """Open the engine only to see what it has (`status_changed`), then close it: for
        the booth page. The thread ends by itself, whatever becomes of this reader."""
        self._open(only_look=True)

    # -- inside ----------------------------------------------------------------------------

    def _open(self, *, only_look: bool = False) -> None:
        if self._speech is not None or self._stopped:
            return
        speaker = _Speaker(self._engine, self._languages, self._cancelled,
                           only_look=only_look)
        speaker.opened.connect(self._opened)
        speaker.state_changed.connect(self._state_changed)
        self._speech = _SpeechThread(speaker)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    def _read(self, state: FlowState, interview: InterviewFlow) -> None:
        if self._status is not None and not self._status.available:
            self._say_unavailable()
            return
        question = interview.current_question_of(state)
        # The language the text is written in: the candidate's, or the default set's when
        # no set is written in theirs (an English question read in English).
        language = interview.question_sets.for_language(state.language)[0].language
        self.utterances += 1
        self.last_text = question.text
        if self._speech is not None:
            self._speech.requests.say.emit(question.text, language, self._cancelled.count)

    def _halt(self) -> None:
        self._cancelled.count += 1
        if self._speech is not None:
            self._speech.requests.halt.emit()

    def _opened(self, status: VoiceStatus) -> None:
        self._status = status
        if status.available:
            log.info("questions are read aloud by %s", status.described())
            for voice in status.missing:
                log.warning("no %s voice: %s questions are not read aloud", voice.name,
                            voice.name)
        else:
            self._say_unavailable()
        self.status_changed.emit(status)

    def _say_unavailable(self) -> None:
        if not self._said_unavailable and self._status is not None:
            self._said_unavailable = True
            log.warning("questions are not read aloud: %s", self._status.reason)

    def _state_changed(self, state: QTextToSpeech.State) -> None:
        was = self.speaking
        self._state = state
        if self.speaking != was:
            self.speaking_changed.emit(self.speaking)

