"""The candidate's interview as a state machine: events in, a new state and effects out.

`InterviewFlow` alone changes the state. Screens send it the candidate's intents (Begin,
Done, Keep, ...), the booth (kiosk.interview.booth) sends it what the devices and the engine
did, and a clock sends Tick. It answers with Effects for the booth to carry out, so it can be
tested without a window, a device or a clock.

Rules worth knowing:
- Every state sets its own deadlines on entry, so leaving a state cancels its timers: a
  button and a timer can never both fire the same transition.
- An event a state does not expect (a late "Done" after the time ran out) is logged and
  ignored, never raised: the booth must not freeze.
- An idle candidate goes back to Welcome. An answer being recorded is ended and kept, and the
  answers given so far are saved; a session with no answer yet is released untouched.
  While answering, the candidate's voice counts as activity (the booth reports it).
- The last `Timing.warning_s` of the idle time are a warning ("Are you still there?"):
  `FlowState.idle_warning_until` is set, and any intent (a touch, a key, the voice,
  StillHere) clears it. An answer whose time runs out during the warning is the walk-away
  it warned of: it is kept and the candidate goes to Welcome, with no retake choice to wait
  out.
- A camera or microphone lost in the middle of the interview (photobooth's error state that
  remembers where to retry) sends the candidate to the device check with Retry; once the
  devices work again they go back to where they were. An answer it cut short is kept, and
  that question may be answered again without losing a try.
- The candidate's language, the aids they chose (larger text, high contrast) and a scheduled
  candidate's accommodations last for that candidate only: every Welcome starts afresh in
  the booth's language. Extra time multiplies each question's prepare and answer times, and
  extra retakes add to its tries (`current_question_of`).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, assert_never

from kiosk.accommodations import NONE, Accommodations, Aid
from kiosk.interview.question_sets import Question, QuestionSet, QuestionSets
from kiosk.words import Notice, StopReason

log = logging.getLogger(__name__)

# Long enough to read the warning, get back to the screen and touch it.
IDLE_WARNING_S = 15.0


class Screen(enum.StrEnum):
    WELCOME = "welcome"
    IDENTIFY = "identify"
    CONSENT = "consent"
    DEVICE_CHECK = "device-check"
    PRACTICE = "practice"
    PREPARE = "question-prepare"
    ANSWER = "question-answer"
    RETAKE = "retake"
    THANK_YOU = "thank-you"
    UNAVAILABLE = "unavailable"


class Devices(enum.StrEnum):
    CLOSED = "closed"
    OPENING = "opening"
    READY = "ready"
    MISSING = "missing"


# -- events: the candidate's intents ------------------------------------------------------

@dataclass(frozen=True)
class Begin:
    """Welcome was touched, or a key pressed."""


@dataclass(frozen=True)
class Identified:
    candidate: str  # already checked by kiosk.store.sessions.clean_candidate_name
    scheduled_id: str | None = None  # a session a recruiter scheduled, if picked from the list
    accommodations: Accommodations = NONE  # that session's


@dataclass(frozen=True)
class ChooseLanguage:
    """A language button on Welcome or Identify: the screens change at once."""

    language: str


@dataclass(frozen=True)
class ToggleAid:
    """"Larger text" or "High contrast", pressed by the candidate."""

    aid: Aid


@dataclass(frozen=True)
class Back:
    pass


@dataclass(frozen=True)
class AcceptConsent:
    pass


@dataclass(frozen=True)
class DeclineConsent:
    pass


@dataclass(frozen=True)
class Retry:
    pass


@dataclass(frozen=True)
class DevicesConfirmed:
    """"I can see and hear myself"."""


@dataclass(frozen=True)
class ChoosePractice:
    pass


@dataclass(frozen=True)
class SkipPractice:
    pass


@dataclass(frozen=True)
class StartAnswering:
    pass


@dataclass(frozen=True)
class Done:
    pass


@dataclass(frozen=True)
class Keep:
    pass


@dataclass(frozen=True)
class TryAgain:
    pass


@dataclass(frozen=True)
class Activity:
    """Any touch, key or (while answering) voice: the candidate is still there."""


@dataclass(frozen=True)
class StillHere:
    """"I'm here", pressed on the idle warning."""


# -- events: time, devices and the engine --------------------------------------------------

@dataclass(frozen=True)
class Tick:
    pass


@dataclass(frozen=True)
class DevicesReady:
    pass


@dataclass(frozen=True)
class DevicesMissing:
    message: str


@dataclass(frozen=True)
class AnswerStopped:
    """The engine ended the answer itself (a device vanished, the disk filled up)."""

    reason: StopReason


@dataclass(frozen=True)
class Saved:
    """The interview is merged and committed (or left safely for recovery, with a message)."""

    ok: bool
    message: str = ""


@dataclass(frozen=True)
class Failed:
    """The booth could not carry out an effect; `message` is for the candidate."""

    message: str


Intent = (Begin | Identified | Back | AcceptConsent | DeclineConsent | Retry | DevicesConfirmed
          | ChoosePractice | SkipPractice | StartAnswering | Done | Keep | TryAgain | Activity
          | StillHere | ChooseLanguage | ToggleAid)
Report = Tick | DevicesReady | DevicesMissing | AnswerStopped | Saved | Failed
Event = Intent | Report
# What a screen's handler is given: everything but the clock, activity and the reports that
# any screen takes the same way.
ScreenEvent = (Begin | Identified | Back | AcceptConsent | DeclineConsent | Retry
               | DevicesConfirmed | ChoosePractice | SkipPractice | StartAnswering | Done | Keep
               | TryAgain | DevicesReady | DevicesMissing | AnswerStopped)


# -- effects: what the booth is asked to do -------------------------------------------------

@dataclass(frozen=True)
class OpenDevices:
    pass


@dataclass(frozen=True)
class CloseDevices:
    pass


@dataclass(frozen=True)
class GiveConsent:
    """Create the session (or take the scheduled one) and store the time of consent."""

    candidate: str
    scheduled_id: str | None
    language: str = "en"  # the one the candidate took the interview in


@dataclass(frozen=True)
class MarkDeclined:
    scheduled_id: str


@dataclass(frozen=True)
class StartAnswer:
    index: int
    question: str


@dataclass(frozen=True)
class EndAnswer:
    pass


@dataclass(frozen=True)
class FinishSession:
    """Merge and commit what was recorded.

    `ended_early`: the interview stopped before its last question (the candidate walked
    away, the booth failed or stopped the answer); the recruiter is told, with how many of
    the set's `questions` there were.
    """

    ended_early: bool = False
    questions: int = 0


@dataclass(frozen=True)
class ReleaseSession:
    """The candidate left before any answer: nothing was recorded; free the session again."""


Effect = (OpenDevices | CloseDevices | GiveConsent | MarkDeclined | StartAnswer | EndAnswer
          | FinishSession | ReleaseSession)


@dataclass(frozen=True)
class Timing:
    idle_s: float
    thank_you_s: float
    idle_warning_s: float = IDLE_WARNING_S

    @property
    def warning_s(self) -> float:
        """How long the idle warning shows: never more than half the idle time, so that a
        short idle time is not all warning."""
        return min(self.idle_warning_s, self.idle_s / 2)


@dataclass(frozen=True)
class FlowState:
    screen: Screen = Screen.WELCOME
    candidate: str = ""
    scheduled_id: str | None = None
    consented: bool = False
    devices: Devices = Devices.CLOSED
    message: str = ""  # a device problem, a failure, or how the interview ended
    practice: bool = False  # the question on screen is the practice question
    practice_done: bool = False
    question: int = 0
    tries: int = 0  # takes of the current question recorded so far
    answered: int = 0  # takes recorded in this session: >0 means there is something to save
    recording: bool = False  # the booth is recording an answer now
    saving: bool = False
    entered_at: float = 0.0  # when this screen began (countdowns show the time since)
    deadline: float | None = None  # this screen's own timer
    idle_deadline: float | None = None
    # "Are you still there?": set for the last seconds before idle_deadline, to that time.
    idle_warning_until: float | None = None
    resume: Screen | None = None  # a device was lost mid-interview: where to go back to
    language: str = "en"  # the candidate's; the booth's own at every Welcome
    aids: frozenset[Aid] = frozenset()  # chosen by the candidate
    accommodations: Accommodations = NONE  # a scheduled candidate's

    @property
    def larger_text(self) -> bool:
        return Aid.LARGER_TEXT in self.aids or self.accommodations.larger_text

    @property
    def high_contrast(self) -> bool:
        return Aid.HIGH_CONTRAST in self.aids or self.accommodations.high_contrast


LANGUAGE_SCREENS = frozenset({Screen.WELCOME, Screen.IDENTIFY})
AID_SCREENS = frozenset({Screen.WELCOME, Screen.IDENTIFY, Screen.CONSENT, Screen.DEVICE_CHECK,
                         Screen.PRACTICE})


class InterviewFlow:
    """Owns the FlowState; `handle` turns one event into the next state and effects."""

    def __init__(self, questions: QuestionSets | QuestionSet, timing: Timing,
                 now: Callable[[], float]) -> None:
        if isinstance(questions, QuestionSet):
            questions = QuestionSets({questions.language: questions}, questions.language)
        self.question_sets, self.timing, self._now = questions, timing, now
        self.default_language = questions.default_language
        self.state = FlowState(entered_at=now(), language=self.default_language)
        self._listeners: list[Callable[[FlowState], None]] = []
        self._effect_sinks: list[Callable[[Effect], None]] = []
        self._effects: list[Effect] = []  # collected while one event is handled

    # napari-style: plain callbacks, told only when something really changed
    def on_change(self, listener: Callable[[FlowState], None]) -> None:
        self._listeners.append(listener)

    def on_effect(self, sink: Callable[[Effect], None]) -> None:
        self._effect_sinks.append(sink)

    @property
    def questions(self) -> QuestionSet:
        """The set in the current candidate's language, or the default set."""
        return self.question_sets.for_language(self.state.language)[0]

    def in_language(self, state: FlowState) -> bool:
        """False: no set is written in the candidate's language, and the default is shown."""
        return self.question_sets.for_language(state.language)[1]

    def read_aloud(self, state: FlowState) -> bool:
        """Whether the questions are read aloud: the set or the accommodations ask it."""
        return (self.question_sets.for_language(state.language)[0].read_aloud
                or state.accommodations.read_aloud)

    @property
    def current_question(self) -> Question:
        return self.current_question_of(self.state)

    @property
    def question_count(self) -> int:
        return len(self.questions.questions)

    def handle(self, event: Event) -> list[Effect]:
        now = self._now()
        before = self.state
        effects: list[Effect] = []
        self._effects = effects
        state = before
        if isinstance(event, Intent) and state.screen is not Screen.WELCOME:
            state = replace(state, idle_deadline=now + self._idle_s(state),
                            idle_warning_until=None)
        match event:
            case Tick():
                state = self._tick(state, now)
            case Activity() | StillHere():
                pass
            case ChooseLanguage() | ToggleAid():
                chosen = self._choose(state, event)
                if chosen is None:
                    log.info("ignored %s on the %s screen", type(event).__name__, state.screen)
                else:
                    state = chosen
            case Saved():
                state = replace(state, saving=False)
            case Failed():
                state = self._failed(state, event.message)
            case (Begin() | Identified() | Back() | AcceptConsent() | DeclineConsent() | Retry()
                  | DevicesConfirmed() | ChoosePractice() | SkipPractice() | StartAnswering()
                  | Done() | Keep() | TryAgain() | DevicesReady() | DevicesMissing()
                  | AnswerStopped()):
                next_state = self._on_screen(state, event, now)
                if next_state is None:
                    log.info("ignored %s on the %s screen", type(event).__name__, state.screen)
                else:
                    state = next_state
            case _:
                assert_never(event)
        self.state = state
        for effect in effects:
            for sink in self._effect_sinks:
                sink(effect)
        if state != before:
            for listener in self._listeners:
                listener(state)
        return effects

    # -- moving between screens -------------------------------------------------------

    def _enter(self, state: FlowState, screen: Screen, now: float, *,
               deadline_s: float | None = None, **changes: Any) -> FlowState:
        idle = None if screen in (Screen.WELCOME, Screen.THANK_YOU) else (
            state.idle_deadline or now + self._idle_s(state))
        idle = changes.pop("idle_deadline", idle)
        # A warning runs on across a screen the clock moved to, and ends with its deadline.
        warning = state.idle_warning_until if idle == state.idle_deadline else None
        return replace(state, screen=screen, entered_at=now, idle_deadline=idle,
                       idle_warning_until=warning,
                       deadline=None if deadline_s is None else now + deadline_s, **changes)

    def _idle_s(self, state: FlowState) -> float:
        # A candidate given extra time may also be slower to touch the screen.
        return self.timing.idle_s * state.accommodations.extra_time

    def _welcome(self, state: FlowState, now: float, *, message: str = "") -> FlowState:
        # Nothing of this candidate stays (their language and aids neither): a fresh state,
        # with only the save still running.
        return replace(FlowState(entered_at=now, language=self.default_language),
                       saving=state.saving, message=message)

    def _choose(self, state: FlowState, event: ChooseLanguage | ToggleAid) -> FlowState | None:
        if isinstance(event, ChooseLanguage):
            if state.screen not in LANGUAGE_SCREENS:
                return None
            return replace(state, language=event.language)
        if state.screen not in AID_SCREENS:
            return None
        return replace(state, aids=state.aids ^ {event.aid})

    def _prepare(self, state: FlowState, now: float, *, question: int, practice: bool,
                 tries: int) -> FlowState:
        state = replace(state, question=question, practice=practice, tries=tries)
        prepare_s = self.current_question_of(state).prepare_seconds
        return self._enter(state, Screen.PREPARE, now, deadline_s=prepare_s)

    def current_question_of(self, state: FlowState) -> Question:
        """The question on screen, with the candidate's accommodations applied."""
        questions = self.question_sets.for_language(state.language)[0]
        if state.practice:
            assert questions.practice is not None
            question = questions.practice
        else:
            question = questions.questions[state.question]
        given = state.accommodations
        if not given.any:
            return question
        return replace(question, prepare_seconds=given.seconds(question.prepare_seconds),
                       answer_seconds=given.seconds(question.answer_seconds),
                       retakes=question.retakes + (0 if state.practice else given.extra_retakes))

    def _start_answer(self, state: FlowState, now: float) -> FlowState:
        question = self.current_question_of(state)
        recording = not state.practice
        if recording:
            self._effects.append(StartAnswer(state.question, question.text))
        return self._enter(state, Screen.ANSWER, now, deadline_s=question.answer_seconds,
                           tries=state.tries + 1, answered=state.answered + recording,
                           recording=recording)

    def _after_answer(self, state: FlowState, now: float, *,
                      stopped: StopReason | None) -> FlowState:
        if state.recording:
            self._effects.append(EndAnswer())
        state = replace(state, recording=False)
        if state.practice:
            return self._enter(state, Screen.PRACTICE, now, practice=False, practice_done=True)
        if stopped is not None and stopped.device_lost:
            return self._devices_lost(state, now, _interrupted_message(stopped),
                                      resume=Screen.PREPARE, tries=state.tries - 1)
        if stopped is StopReason.DISK_LOW:
            # Nobody can record here until staff free space: the booth is out of order.
            finished = self._finish(state, now, ended_early=True)
            return self._enter(finished, Screen.UNAVAILABLE, now,
                               message=_stopped_message(stopped),
                               idle_deadline=now + self.timing.idle_s)
        if stopped is not None:
            return self._finish(state, now, message=_stopped_message(stopped), ended_early=True)
        if state.idle_warning_until is not None:
            # Its time ran out while the screen asked whether anyone is there (a "Done"
            # clears that): a retake choice would only wait for nobody.
            log.info("the answer ran out during the idle warning: back to Welcome")
            return self._leave(state, now)
        if state.tries < self.current_question_of(state).tries:
            return self._enter(state, Screen.RETAKE, now)
        return self._next_question(state, now)

    def _next_question(self, state: FlowState, now: float) -> FlowState:
        if state.question + 1 < self.question_count:
            return self._prepare(state, now, question=state.question + 1, practice=False,
                                 tries=0)
        return self._finish(state, now)

    def _finish(self, state: FlowState, now: float, *, message: str = "",
                ended_early: bool = False) -> FlowState:
        # Devices first: the camera light goes off while the interview is being saved.
        self._effects.extend([CloseDevices(), self._finish_session(ended_early)])
        # The candidate reads their thanks in their own language, with their aids.
        kept = replace(FlowState(), candidate=state.candidate, language=state.language,
                       aids=state.aids, accommodations=state.accommodations)
        return self._enter(kept, Screen.THANK_YOU, now, deadline_s=self.timing.thank_you_s,
                           saving=True, message=message)

    def _finish_session(self, ended_early: bool) -> FinishSession:
        if not ended_early:
            return FinishSession()
        return FinishSession(ended_early=True, questions=self.question_count)

    def _devices_lost(self, state: FlowState, now: float, message: str, *, resume: Screen,
                      **changes: Any) -> FlowState:
        return self._enter(state, Screen.DEVICE_CHECK, now, devices=Devices.MISSING,
                           message=message, resume=resume, **changes)

    def _resume(self, state: FlowState, now: float) -> FlowState:
        screen, state = state.resume, replace(state, resume=None, message="")
        if screen is Screen.PREPARE:
            return self._prepare(state, now, question=state.question, practice=state.practice,
                                 tries=state.tries)
        assert screen is not None
        return self._enter(state, screen, now)

    def _leave(self, state: FlowState, now: float) -> FlowState:
        """The candidate walked away: keep what was recorded, free the booth, say nothing."""
        if state.recording:
            self._effects.append(EndAnswer())
        if state.devices is not Devices.CLOSED:
            self._effects.append(CloseDevices())
        if state.answered:
            self._effects.append(self._finish_session(ended_early=True))
            state = replace(state, saving=True)
        elif state.consented:
            self._effects.append(ReleaseSession())
        return self._welcome(state, now)

    def _tick(self, state: FlowState, now: float) -> FlowState:
        if state.deadline is not None and now >= state.deadline:
            return self._deadline(state, now)
        idle = state.idle_deadline
        if idle is not None and now >= idle:
            log.info("idle on the %s screen: back to Welcome", state.screen)
            return self._leave(state, now)
        if (idle is not None and state.idle_warning_until is None
                and now >= idle - self.timing.warning_s):
            return replace(state, idle_warning_until=idle)
        return state

    def _deadline(self, state: FlowState, now: float) -> FlowState:
        if state.screen is Screen.PREPARE:
            return self._start_answer(state, now)
        if state.screen is Screen.ANSWER:
            return self._after_answer(state, now, stopped=None)
        if state.screen is Screen.THANK_YOU:
            return self._welcome(state, now)
        return replace(state, deadline=None)

    # -- one handler per screen: None for an event the screen does not expect -----------

    def _on_screen(self, state: FlowState, event: ScreenEvent, now: float) -> FlowState | None:
        match state.screen:
            case Screen.WELCOME:
                return self._on_welcome(state, event, now)
            case Screen.IDENTIFY:
                return self._on_identify(state, event, now)
            case Screen.CONSENT:
                return self._on_consent(state, event, now)
            case Screen.DEVICE_CHECK:
                return self._on_device_check(state, event, now)
            case Screen.PRACTICE:
                return self._on_practice(state, event, now)
            case Screen.PREPARE:
                return self._on_prepare(state, event, now)
            case Screen.ANSWER:
                return self._on_answer(state, event, now)
            case Screen.RETAKE:
                return self._on_retake(state, event, now)
            case Screen.THANK_YOU:
                return None
            case Screen.UNAVAILABLE:
                return self._on_unavailable(state, event, now)
            case _:
                assert_never(state.screen)

    def _on_welcome(self, state: FlowState, event: ScreenEvent, now: float) -> FlowState | None:
        match event:
            case Begin():
                return self._enter(replace(state, message=""), Screen.IDENTIFY, now)
        return None

    def _on_identify(self, state: FlowState, event: ScreenEvent, now: float) -> FlowState | None:
        match event:
            case Identified():
                return self._enter(state, Screen.CONSENT, now, candidate=event.candidate,
                                   scheduled_id=event.scheduled_id,
                                   accommodations=event.accommodations)
            case Back():
                return self._welcome(state, now)
        return None

    def _on_consent(self, state: FlowState, event: ScreenEvent, now: float) -> FlowState | None:
        match event:
            case AcceptConsent():
                self._effects.extend([GiveConsent(state.candidate, state.scheduled_id,
                                                  state.language), OpenDevices()])
                return self._enter(state, Screen.DEVICE_CHECK, now, consented=True,
                                   devices=Devices.OPENING)
            case DeclineConsent():
                if state.scheduled_id is not None:
                    self._effects.append(MarkDeclined(state.scheduled_id))
                return self._welcome(state, now)
            case Back():
                # A scheduled candidate's accommodations were theirs: not the next name's.
                return self._enter(state, Screen.IDENTIFY, now, scheduled_id=None,
                                   accommodations=NONE)
        return None

    def _on_device_check(self, state: FlowState, event: ScreenEvent,
                         now: float) -> FlowState | None:
        match event:
            case DevicesReady():
                return replace(state, devices=Devices.READY, message="")
            case DevicesMissing():
                # The first word on a loss stays: a later report says it in general terms.
                keep = state.devices is Devices.MISSING and state.message
                return replace(state, devices=Devices.MISSING,
                               message=state.message if keep else event.message)
            case Retry() if state.devices is not Devices.OPENING:
                self._effects.extend([CloseDevices(), OpenDevices()])
                return replace(state, devices=Devices.OPENING, message="")
            case DevicesConfirmed() if state.devices is Devices.READY:
                if state.resume is not None:
                    return self._resume(state, now)
                if self.questions.practice is not None:
                    return self._enter(state, Screen.PRACTICE, now)
                return self._prepare(state, now, question=0, practice=False, tries=0)
            case Back():
                # A candidate with no camera need not wait out the idle time: leaving is the
                # walk-away, whose rules hold (answers kept, a session without any released).
                return self._leave(state, now)
        return None

    def _on_practice(self, state: FlowState, event: ScreenEvent, now: float) -> FlowState | None:
        match event:
            case ChoosePractice():
                return self._prepare(state, now, question=0, practice=True, tries=0)
            case SkipPractice():
                return self._prepare(state, now, question=0, practice=False, tries=0)
            case DevicesMissing():
                return self._devices_lost(state, now, event.message, resume=Screen.PRACTICE)
        return None

    def _on_prepare(self, state: FlowState, event: ScreenEvent, now: float) -> FlowState | None:
        match event:
            case StartAnswering():
                return self._start_answer(state, now)
            case DevicesMissing():
                return self._devices_lost(state, now, event.message, resume=Screen.PREPARE)
        return None

    def _on_answer(self, state: FlowState, event: ScreenEvent, now: float) -> FlowState | None:
        match event:
            case Done():
                return self._after_answer(state, now, stopped=None)
            case AnswerStopped() if state.recording:
                return self._after_answer(state, now, stopped=event.reason)
            case DevicesMissing() if not state.recording:
                # The practice answer (never recorded): back to the choice once they work.
                return self._devices_lost(state, now, event.message, resume=Screen.PRACTICE,
                                          practice=False)
        return None

    def _on_retake(self, state: FlowState, event: ScreenEvent, now: float) -> FlowState | None:
        match event:
            case Keep():
                return self._next_question(state, now)
            case TryAgain():
                # The earlier take stays until the new one is recorded: the newest take wins.
                return self._prepare(state, now, question=state.question, practice=False,
                                     tries=state.tries)
            case DevicesMissing():
                return self._devices_lost(state, now, event.message, resume=Screen.RETAKE)
        return None

    def _on_unavailable(self, state: FlowState, event: ScreenEvent,
                        now: float) -> FlowState | None:
        match event:
            case Begin() | Back():
                return self._welcome(state, now)
        return None

    def _failed(self, state: FlowState, message: str) -> FlowState:
        now = self._now()
        left = self._leave(state, now)  # keeps whatever was recorded
        # The candidate still at the booth reads why in their language, with their aids.
        left = replace(left, language=state.language, aids=state.aids,
                       accommodations=state.accommodations)
        return self._enter(left, Screen.UNAVAILABLE, now, message=message,
                           idle_deadline=now + self.timing.idle_s)


def _interrupted_message(reason: StopReason) -> Notice:
    if reason is StopReason.CAMERA_LOST:
        return Notice.CAMERA_STOPPED
    return Notice.MICROPHONE_STOPPED


def _stopped_message(reason: StopReason) -> Notice:
    """A stop that no Retry mends (a lost device gets `_interrupted_message` instead)."""
    if reason is StopReason.DISK_LOW:
        return Notice.OUT_OF_SPACE_STOPPED
    if reason is StopReason.ENCODER_STALLED:
        return Notice.TOO_SLOW_STOPPED
    return Notice.RECORDING_STOPPED

