"""The interview flow as a state machine: every transition, timeout and retake rule, no window."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.interview import flow
from kiosk.interview.flow import Devices, Screen
from kiosk.interview.question_sets import Question, QuestionSet
from kiosk.words import StopReason

IDLE_S, THANKS_S = 60.0, 8.0


def question_set(*questions: Question, practice: Question | None = None) -> QuestionSet:
    return QuestionSet(name="t", title="Test", consent="We record you.",
                       questions=questions, practice=practice, source=Path("t.toml"))


Q1 = Question("First?", prepare_seconds=10, answer_seconds=30, retakes=1)
Q2 = Question("Second?", prepare_seconds=5, answer_seconds=20, retakes=0)
PRACTICE = Question("Practice?", prepare_seconds=3, answer_seconds=10, retakes=0)


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make(clock: Clock, *questions: Question, practice: Question | None = None
         ) -> flow.InterviewFlow:
    return flow.InterviewFlow(question_set(*(questions or (Q1, Q2)), practice=practice),
                              flow.Timing(idle_s=IDLE_S, thank_you_s=THANKS_S), clock)


def early(machine: flow.InterviewFlow) -> flow.FinishSession:
    """An interview that ended before its last question: the recruiter is told so."""
    return flow.FinishSession(ended_early=True, questions=machine.question_count)


def advance(machine: flow.InterviewFlow, clock: Clock, seconds: float) -> list[flow.Effect]:
    clock.t += seconds
    return machine.handle(flow.Tick())


def to_device_check(machine: flow.InterviewFlow, scheduled_id: str | None = None) -> None:
    machine.handle(flow.Begin())
    machine.handle(flow.Identified("Ana Müller", scheduled_id))
    machine.handle(flow.AcceptConsent())
    machine.handle(flow.DevicesReady())


def to_first_question(machine: flow.InterviewFlow) -> None:
    to_device_check(machine)
    machine.handle(flow.DevicesConfirmed())
    if machine.state.screen is Screen.PRACTICE:
        machine.handle(flow.SkipPractice())


def test_the_whole_interview_in_order(clock: Clock) -> None:
    machine = make(clock)
    changes: list[Screen] = []
    machine.on_change(lambda state: changes.append(state.screen))
    sunk: list[flow.Effect] = []
    machine.on_effect(sunk.append)

    assert machine.handle(flow.Begin()) == []
    assert machine.state.screen is Screen.IDENTIFY
    machine.handle(flow.Identified("Ana Müller"))
    assert machine.state.screen is Screen.CONSENT
    assert machine.handle(flow.AcceptConsent()) == [
        flow.GiveConsent("Ana Müller", None), flow.OpenDevices()]
    assert (machine.state.screen, machine.state.devices) == (Screen.DEVICE_CHECK,
                                                             Devices.OPENING)
    assert machine.handle(flow.DevicesConfirmed()) == []  # not before the devices are live
    assert machine.state.screen is Screen.DEVICE_CHECK
    machine.handle(flow.DevicesReady())
    machine.handle(flow.DevicesConfirmed())
    assert machine.state.screen is Screen.PREPARE  # no practice question in this set
    assert machine.current_question == Q1

    assert advance(machine, clock, 9.9) == []
    assert advance(machine, clock, 0.1) == [flow.StartAnswer(0, "First?")]
    assert machine.state.screen is Screen.ANSWER and machine.state.recording
    assert machine.handle(flow.Done()) == [flow.EndAnswer()]
    assert machine.state.screen is Screen.RETAKE and machine.state.tries == 1
    assert machine.handle(flow.Keep()) == []
    assert (machine.state.screen, machine.state.question) == (Screen.PREPARE, 1)

    assert machine.handle(flow.StartAnswering()) == [flow.StartAnswer(1, "Second?")]
    # The answer limit ends it; Q2 allows no retake, and it is the last question.
    assert advance(machine, clock, 20) == [flow.EndAnswer(), flow.CloseDevices(),
                                           flow.FinishSession()]
    assert machine.state.screen is Screen.THANK_YOU and machine.state.saving
    assert machine.state.candidate == "Ana Müller"
    machine.handle(flow.Saved(ok=True))
    assert not machine.state.saving
    advance(machine, clock, THANKS_S)
    assert machine.state == flow.FlowState(entered_at=clock.t)  # nothing of Ana is left
    assert sunk == [flow.GiveConsent("Ana Müller", None), flow.OpenDevices(),
                    flow.StartAnswer(0, "First?"), flow.EndAnswer(), flow.StartAnswer(1, "Second?"),
                    flow.EndAnswer(), flow.CloseDevices(), flow.FinishSession()]
    assert changes[0] is Screen.IDENTIFY and changes[-1] is Screen.WELCOME


def test_declining_records_nothing_and_marks_only_a_scheduled_session(clock: Clock) -> None:
    machine = make(clock)
    machine.handle(flow.Begin())
    machine.handle(flow.Identified("Walk-in"))
    assert machine.handle(flow.DeclineConsent()) == []
    assert machine.state.screen is Screen.WELCOME and machine.state.candidate == ""

    machine.handle(flow.Begin())
    machine.handle(flow.Identified("Booked", "session-1"))
    assert machine.handle(flow.DeclineConsent()) == [flow.MarkDeclined("session-1")]
    assert machine.state.screen is Screen.WELCOME


def test_back_from_identify_and_consent(clock: Clock) -> None:
    machine = make(clock)
    machine.handle(flow.Begin())
    machine.handle(flow.Identified("Ana"))
    machine.handle(flow.Back())
    assert machine.state.screen is Screen.IDENTIFY
    assert machine.handle(flow.Back()) == []
    assert machine.state.screen is Screen.WELCOME


def test_retakes_are_limited_and_counted(clock: Clock) -> None:
    twice = Question("Q?", prepare_seconds=5, answer_seconds=10, retakes=2)
    machine = make(clock, twice, Q2)
    to_first_question(machine)
    for attempt in (1, 2):
        machine.handle(flow.StartAnswering())
        machine.handle(flow.Done())
        assert machine.state.screen is Screen.RETAKE
        assert machine.state.tries == attempt
        assert machine.handle(flow.TryAgain()) == []  # the earlier take stays until replaced
        assert (machine.state.screen, machine.state.question) == (Screen.PREPARE, 0)
    assert machine.handle(flow.StartAnswering()) == [flow.StartAnswer(0, "Q?")]
    # Third try of three: no retake offered, straight on to the next question.
    machine.handle(flow.Done())
    assert (machine.state.screen, machine.state.question) == (Screen.PREPARE, 1)
    assert machine.state.answered == 3


def test_a_question_without_retakes_goes_straight_on(clock: Clock) -> None:
    machine = make(clock, Q2, Q1)
    to_first_question(machine)
    machine.handle(flow.StartAnswering())
    machine.handle(flow.Done())
    assert (machine.state.screen, machine.state.question, machine.state.tries) == (
        Screen.PREPARE, 1, 0)


def test_timers_are_cancelled_when_their_screen_is_left(clock: Clock) -> None:
    machine = make(clock)
    to_first_question(machine)
    clock.t += 9
    machine.handle(flow.StartAnswering())  # one second before the preparation would end
    assert advance(machine, clock, 1.5) == []  # the preparation timer did not fire again
    assert machine.state.screen is Screen.ANSWER
    assert advance(machine, clock, 28.5) == [flow.EndAnswer()]  # the answer's own 30 s
    # A "Done" that arrives after the time ran out is ignored, not applied twice.
    assert machine.handle(flow.Done()) == []
    assert machine.state.screen is Screen.RETAKE


def test_a_late_device_report_after_leaving_is_ignored(clock: Clock) -> None:
    machine = make(clock)
    machine.handle(flow.Begin())
    machine.handle(flow.Identified("Ana"))
    machine.handle(flow.AcceptConsent())
    advance(machine, clock, IDLE_S)
    assert machine.state.screen is Screen.WELCOME
    assert machine.handle(flow.DevicesReady()) == []
    assert machine.state == flow.FlowState(entered_at=clock.t)


def test_idle_before_consent_returns_to_welcome_with_no_effects(clock: Clock) -> None:
    machine = make(clock)
    machine.handle(flow.Begin())
    assert advance(machine, clock, IDLE_S - 1) == []
    machine.handle(flow.Activity())  # a touch keeps the candidate's screen
    assert advance(machine, clock, IDLE_S - 1) == []
    assert machine.state.screen is Screen.IDENTIFY
    assert advance(machine, clock, 1) == []
    assert machine.state.screen is Screen.WELCOME


def test_idle_after_consent_releases_the_session_and_the_devices(clock: Clock) -> None:
    machine = make(clock)
    to_device_check(machine)
    assert advance(machine, clock, IDLE_S) == [flow.CloseDevices(), flow.ReleaseSession()]
    assert machine.state.screen is Screen.WELCOME


def test_idle_mid_answer_ends_the_answer_and_keeps_it(clock: Clock) -> None:
    long_answer = Question("Long?", prepare_seconds=5, answer_seconds=600, retakes=1)
    machine = make(clock, long_answer, Q2)
    to_first_question(machine)
    machine.handle(flow.StartAnswering())
    clock.t += IDLE_S - 10
    machine.handle(flow.Activity())  # the candidate's voice
    assert advance(machine, clock, IDLE_S - 1) == []
    assert advance(machine, clock, 1) == [flow.EndAnswer(), flow.CloseDevices(),
                                          early(machine)]
    assert machine.state.screen is Screen.WELCOME and machine.state.saving
    assert machine.state.candidate == ""
    machine.handle(flow.Saved(ok=True))
    assert not machine.state.saving


def test_idle_on_the_retake_screen_keeps_the_take(clock: Clock) -> None:
    machine = make(clock)
    to_first_question(machine)
    machine.handle(flow.StartAnswering())
    machine.handle(flow.Done())
    assert machine.state.screen is Screen.RETAKE
    assert advance(machine, clock, IDLE_S) == [flow.CloseDevices(), early(machine)]
    assert machine.state.screen is Screen.WELCOME


def test_a_walked_away_candidate_is_not_recorded_question_after_question(clock: Clock) -> None:
    machine = make(clock, *[Question(f"Q{n}?", 10, 30, 0) for n in range(5)])
    to_first_question(machine)
    effects: list[flow.Effect] = []
    for _ in range(200):
        effects += advance(machine, clock, 1)
    starts = [e for e in effects if isinstance(e, flow.StartAnswer)]
    assert len(starts) == 2  # Q1 and Q2 start on their own; the silence ends Q2 and the session
    assert machine.state.screen is Screen.WELCOME
    assert early(machine) in effects


def test_prepare_time_zero_starts_the_answer_at_once(clock: Clock) -> None:
    machine = make(clock, Question("Now?", prepare_seconds=0, answer_seconds=10, retakes=0))
    to_first_question(machine)
    assert advance(machine, clock, 0) == [flow.StartAnswer(0, "Now?")]


def test_practice_is_never_recorded(clock: Clock) -> None:
    machine = make(clock, practice=PRACTICE)
    to_device_check(machine)
    machine.handle(flow.DevicesConfirmed())
    assert machine.state.screen is Screen.PRACTICE and not machine.state.practice_done
    machine.handle(flow.ChoosePractice())
    assert machine.current_question == PRACTICE
    assert advance(machine, clock, 3) == []  # the practice answer starts, unrecorded
    assert machine.state.screen is Screen.ANSWER and not machine.state.recording
    assert advance(machine, clock, 10) == []
    assert machine.state.screen is Screen.PRACTICE and machine.state.practice_done
    assert machine.state.answered == 0
    machine.handle(flow.SkipPractice())
    assert (machine.state.screen, machine.current_question) == (Screen.PREPARE, Q1)
    assert machine.handle(flow.StartAnswering()) == [flow.StartAnswer(0, "First?")]


def test_a_missing_device_can_be_retried(clock: Clock) -> None:
    machine = make(clock)
    machine.handle(flow.Begin())
    machine.handle(flow.Identified("Ana"))
    machine.handle(flow.AcceptConsent())
    assert machine.handle(flow.Retry()) == []  # still opening: nothing to retry yet
    machine.handle(flow.DevicesMissing("We cannot see a camera."))
    assert (machine.state.devices, machine.state.message) == (Devices.MISSING,
                                                              "We cannot see a camera.")
    assert machine.handle(flow.DevicesConfirmed()) == []
    assert machine.handle(flow.Retry()) == [flow.CloseDevices(), flow.OpenDevices()]
    assert machine.state.devices is Devices.OPENING and machine.state.message == ""
    machine.handle(flow.DevicesReady())
    machine.handle(flow.DevicesConfirmed())
    assert machine.state.screen is Screen.PREPARE


def test_a_full_disk_stopping_an_answer_saves_and_says_why(clock: Clock) -> None:
    machine = make(clock)
    to_first_question(machine)
    machine.handle(flow.StartAnswering())
    assert machine.handle(flow.AnswerStopped(StopReason.DISK_LOW)) == [
        flow.EndAnswer(), flow.CloseDevices(), early(machine)]
    # Out of order: the next candidate could not record either (issue: a full disk).
    assert machine.state.screen is Screen.UNAVAILABLE
    assert "ran out of storage" in machine.state.message
    assert "saved" in machine.state.message


def test_a_camera_lost_while_preparing_offers_retry_then_prepares_again(clock: Clock) -> None:
    machine = make(clock)
    to_first_question(machine)
    machine.handle(flow.StartAnswering())
    machine.handle(flow.Done())
    machine.handle(flow.Keep())
    assert (machine.state.screen, machine.state.question) == (Screen.PREPARE, 1)
    clock.t += 3
    assert machine.handle(flow.DevicesMissing("We cannot see a camera.")) == []
    state = machine.state
    assert (state.screen, state.devices, state.message) == (
        Screen.DEVICE_CHECK, Devices.MISSING, "We cannot see a camera.")
    assert advance(machine, clock, Q2.prepare_seconds + 1) == []  # the prepare timer is gone
    assert machine.handle(flow.DevicesConfirmed()) == []  # not while the camera is missing
    assert machine.handle(flow.Retry()) == [flow.CloseDevices(), flow.OpenDevices()]
    machine.handle(flow.DevicesReady())
    assert machine.handle(flow.DevicesConfirmed()) == []
    state = machine.state
    assert (state.screen, state.question, state.tries, state.resume, state.message) == (
        Screen.PREPARE, 1, 0, None, "")
    assert state.deadline == clock.t + Q2.prepare_seconds  # a fresh countdown
    assert machine.handle(flow.StartAnswering()) == [flow.StartAnswer(1, "Second?")]


def test_a_camera_lost_mid_answer_keeps_it_and_gives_the_try_back(clock: Clock) -> None:
    machine = make(clock, Question("Only?", prepare_seconds=10, answer_seconds=30, retakes=0))
    to_first_question(machine)
    machine.handle(flow.StartAnswering())
    clock.t += 12
    assert machine.handle(flow.AnswerStopped(StopReason.CAMERA_LOST)) == [flow.EndAnswer()]
    state = machine.state
    assert (state.screen, state.devices, state.answered) == (
        Screen.DEVICE_CHECK, Devices.MISSING, 1)
    assert "camera stopped while you were answering" in state.message
    # The device watch then reports the loss in general terms: the first word stays.
    machine.handle(flow.DevicesMissing("We cannot see a camera."))
    assert "while you were answering" in machine.state.message
    machine.handle(flow.Retry())
    machine.handle(flow.DevicesReady())
    machine.handle(flow.DevicesConfirmed())
    assert (machine.state.screen, machine.state.question, machine.state.tries) == (
        Screen.PREPARE, 0, 0)
    assert machine.handle(flow.StartAnswering()) == [flow.StartAnswer(0, "Only?")]
    assert machine.handle(flow.Done()) == [flow.EndAnswer(), flow.CloseDevices(),
                                           flow.FinishSession()]
    assert machine.state.screen is Screen.THANK_YOU and machine.state.message == ""


def test_a_microphone_lost_on_the_retake_choice_comes_back_to_it(clock: Clock) -> None:
    machine = make(clock)
    to_first_question(machine)
    machine.handle(flow.StartAnswering())
    machine.handle(flow.Done())
    assert machine.state.screen is Screen.RETAKE
    machine.handle(flow.DevicesMissing("We cannot hear a microphone."))
    assert machine.state.screen is Screen.DEVICE_CHECK
    machine.handle(flow.Retry())
    machine.handle(flow.DevicesReady())
    machine.handle(flow.DevicesConfirmed())
    assert (machine.state.screen, machine.state.tries) == (Screen.RETAKE, 1)
    machine.handle(flow.TryAgain())
    assert machine.handle(flow.StartAnswering()) == [flow.StartAnswer(0, "First?")]


def test_a_camera_lost_during_practice_comes_back_to_the_practice_choice(
        clock: Clock) -> None:
    machine = make(clock, practice=PRACTICE)
    to_device_check(machine)
    machine.handle(flow.DevicesConfirmed())
    machine.handle(flow.ChoosePractice())
    assert machine.handle(flow.StartAnswering()) == []  # practice is never recorded
    machine.handle(flow.DevicesMissing("We cannot see a camera."))
    assert (machine.state.screen, machine.state.practice) == (Screen.DEVICE_CHECK, False)
    machine.handle(flow.Retry())
    machine.handle(flow.DevicesReady())
    machine.handle(flow.DevicesConfirmed())
    assert machine.state.screen is Screen.PRACTICE
    machine.handle(flow.SkipPractice())
    assert machine.handle(flow.StartAnswering()) == [flow.StartAnswer(0, "First?")]


def test_walking_away_from_a_lost_camera_saves_the_answers_so_far(clock: Clock) -> None:
    machine = make(clock)
    to_first_question(machine)
    machine.handle(flow.StartAnswering())
    machine.handle(flow.AnswerStopped(StopReason.MICROPHONE_LOST))
    assert machine.state.screen is Screen.DEVICE_CHECK
    assert advance(machine, clock, IDLE_S + 1) == [flow.CloseDevices(), early(machine)]
    assert machine.state.screen is Screen.WELCOME and machine.state.resume is None


def test_a_failure_shows_a_message_and_keeps_what_was_recorded(clock: Clock) -> None:
    machine = make(clock)
    to_first_question(machine)
    machine.handle(flow.StartAnswering())
    effects = machine.handle(flow.Failed("The disk is full."))
    assert effects == [flow.EndAnswer(), flow.CloseDevices(), early(machine)]
    assert (machine.state.screen, machine.state.message) == (Screen.UNAVAILABLE,
                                                             "The disk is full.")
    machine.handle(flow.Begin())
    assert machine.state.screen is Screen.WELCOME


def test_a_failure_before_any_answer_releases_the_session(clock: Clock) -> None:
    machine = make(clock)
    machine.handle(flow.Begin())
    machine.handle(flow.Identified("Ana"))
    machine.handle(flow.AcceptConsent())
    assert machine.handle(flow.Failed("Not enough free disk.")) == [
        flow.CloseDevices(), flow.ReleaseSession()]
    assert machine.state.screen is Screen.UNAVAILABLE
    advance(machine, clock, IDLE_S)
    assert machine.state.screen is Screen.WELCOME


@pytest.mark.parametrize("event", [flow.Done(), flow.Keep(), flow.TryAgain(),
                                   flow.StartAnswering(), flow.AcceptConsent(),
                                   flow.AnswerStopped(StopReason.DISK_LOW),
                                   flow.DevicesConfirmed()])
def test_unexpected_events_on_welcome_are_ignored(clock: Clock, event: flow.Event) -> None:
    machine = make(clock)
    assert machine.handle(event) == []
    assert machine.state == flow.FlowState(entered_at=clock.t)


# -- the idle warning, and a walk-away mid-answer -------------------------------------------

WARN_S = flow.IDLE_WARNING_S  # 15 s of the 60 s idle time


def kinds(effects: list[flow.Effect]) -> list[type]:
    return [type(effect) for effect in effects]


def test_the_idle_warning_comes_first_and_a_touch_or_im_here_clears_it(clock: Clock) -> None:
    machine = make(clock)
    machine.handle(flow.Begin())
    assert machine.state.idle_warning_until is None
    assert advance(machine, clock, IDLE_S - WARN_S - 0.1) == []
    assert machine.state.idle_warning_until is None
    assert advance(machine, clock, 0.1) == []
    # The warning ends when the idle time does: the candidate is still on their screen.
    assert machine.state.idle_warning_until == clock.t + WARN_S
    assert machine.state.screen is Screen.IDENTIFY
    assert machine.handle(flow.StillHere()) == []
    assert machine.state.idle_warning_until is None
    assert machine.state.idle_deadline == clock.t + IDLE_S  # a whole idle time again
    assert machine.state.screen is Screen.IDENTIFY

    advance(machine, clock, IDLE_S - WARN_S)
    assert machine.state.idle_warning_until is not None
    machine.handle(flow.Activity())  # any touch or key does the same
    assert machine.state.idle_warning_until is None
    advance(machine, clock, IDLE_S - WARN_S - 1)
    assert machine.state.idle_warning_until is None


def test_the_warning_runs_out_into_the_reset_as_before(clock: Clock) -> None:
    machine = make(clock)
    to_device_check(machine)
    advance(machine, clock, IDLE_S - WARN_S)
    warned_until = machine.state.idle_warning_until
    assert warned_until is not None and machine.state.screen is Screen.DEVICE_CHECK
    assert advance(machine, clock, WARN_S - 0.1) == []
    assert machine.state.idle_warning_until == warned_until  # counting down, not restarted
    assert kinds(advance(machine, clock, 0.1)) == [flow.CloseDevices, flow.ReleaseSession]
    assert machine.state.screen is Screen.WELCOME
    assert machine.state.idle_warning_until is None


@pytest.mark.parametrize("screen", [Screen.IDENTIFY, Screen.CONSENT, Screen.DEVICE_CHECK,
                                    Screen.PRACTICE, Screen.PREPARE, Screen.ANSWER,
                                    Screen.RETAKE, Screen.UNAVAILABLE])
def test_every_screen_with_an_idle_reset_warns_first(clock: Clock, screen: Screen) -> None:
    slow = Question("Slow?", prepare_seconds=600, answer_seconds=600, retakes=1)
    machine = make(clock, slow, practice=PRACTICE)
    steps: list[flow.Event] = [flow.Begin(), flow.Identified("Ana"), flow.AcceptConsent(),
                               flow.DevicesReady(), flow.DevicesConfirmed(),
                               flow.SkipPractice(), flow.StartAnswering(), flow.Done()]
    for step in steps:
        if machine.state.screen is screen:
            break
        machine.handle(step)
    if screen is Screen.UNAVAILABLE:
        machine.handle(flow.Failed("Broken."))
    assert machine.state.screen is screen
    advance(machine, clock, IDLE_S - WARN_S)
    assert machine.state.screen is screen and machine.state.idle_warning_until is not None
    machine.handle(flow.StillHere())
    assert machine.state.screen is screen and machine.state.idle_warning_until is None


def test_welcome_and_thank_you_never_warn(clock: Clock) -> None:
    machine = make(clock, Q2)
    advance(machine, clock, 10 * IDLE_S)
    assert machine.state.idle_warning_until is None
    assert machine.handle(flow.StillHere()) == []
    assert machine.state == flow.FlowState(entered_at=1000.0)
    to_first_question(machine)
    machine.handle(flow.StartAnswering())
    machine.handle(flow.Done())
    assert machine.state.screen is Screen.THANK_YOU
    advance(machine, clock, THANKS_S - 0.1)
    assert machine.state.idle_warning_until is None


def test_a_short_idle_time_is_not_all_warning(clock: Clock) -> None:
    machine = flow.InterviewFlow(question_set(Q1), flow.Timing(idle_s=10, thank_you_s=5),
                                 clock)
    machine.handle(flow.Begin())
    advance(machine, clock, 4.9)
    assert machine.state.idle_warning_until is None
    advance(machine, clock, 0.1)
    assert machine.state.idle_warning_until == clock.t + 5


def test_im_here_mid_answer_keeps_recording(clock: Clock) -> None:
    long_answer = Question("Long?", prepare_seconds=5, answer_seconds=600, retakes=1)
    machine = make(clock, long_answer, Q2)
    to_first_question(machine)
    machine.handle(flow.StartAnswering())
    assert advance(machine, clock, IDLE_S - WARN_S) == []
    assert machine.state.idle_warning_until is not None and machine.state.recording
    assert machine.handle(flow.StillHere()) == []  # no EndAnswer: the answer goes on
    assert machine.state.screen is Screen.ANSWER and machine.state.recording
    assert advance(machine, clock, IDLE_S - 1) == []
    assert machine.state.screen is Screen.ANSWER


def test_an_answer_whose_time_runs_out_during_the_warning_goes_to_welcome(
        clock: Clock) -> None:
    # The tester's walk-away: the room's sound no longer holds the idle time off, so the
    # warning starts mid-answer; the answer's own limit then ends it. The retake choice
    # would only wait out the rest of the idle time for nobody.
    answer_s = IDLE_S - WARN_S / 2
    walked = Question("Walked?", prepare_seconds=5, answer_seconds=answer_s, retakes=2)
    machine = make(clock, walked, Q2)
    to_first_question(machine)
    machine.handle(flow.StartAnswering())
    effects: list[flow.Effect] = []
    for _ in range(int(answer_s * 10) - 1):
        effects += advance(machine, clock, 0.1)
    assert effects == [] and machine.state.idle_warning_until is not None
    effects = advance(machine, clock, 0.2)  # the answer's limit
    assert kinds(effects) == [flow.EndAnswer, flow.CloseDevices, flow.FinishSession]
    assert machine.state.screen is Screen.WELCOME and machine.state.saving  # the take is kept
    assert machine.state.candidate == ""


def test_an_answer_that_runs_out_before_the_warning_still_offers_the_retake(
        clock: Clock) -> None:
    machine = make(clock)  # Q1: 30 s to answer, one retake
    to_first_question(machine)
    machine.handle(flow.StartAnswering())
    started = clock.t
    assert advance(machine, clock, 30) == [flow.EndAnswer()]
    assert machine.state.screen is Screen.RETAKE
    # Not a second idle period: the retake choice goes on counting from the last sign.
    assert machine.state.idle_deadline == started + IDLE_S
    advance(machine, clock, IDLE_S - 30 - WARN_S)
    assert machine.state.idle_warning_until is not None
    assert kinds(advance(machine, clock, WARN_S)) == [flow.CloseDevices, flow.FinishSession]
    assert machine.state.screen is Screen.WELCOME


def test_done_during_the_warning_is_the_candidate_being_there(clock: Clock) -> None:
    machine = make(clock, Question("Q?", prepare_seconds=5, answer_seconds=50, retakes=1))
    to_first_question(machine)
    machine.handle(flow.StartAnswering())
    advance(machine, clock, IDLE_S - WARN_S)
    assert machine.state.idle_warning_until is not None
    assert machine.handle(flow.Done()) == [flow.EndAnswer()]
    assert machine.state.screen is Screen.RETAKE and machine.state.idle_warning_until is None


def test_back_from_the_device_check_leaves_as_the_idle_time_would(clock: Clock) -> None:
    machine = make(clock)
    to_device_check(machine, "scheduled-1")
    machine.handle(flow.DevicesMissing("We cannot switch on the camera."))
    # Nothing recorded yet: the devices let go and the session released, not kept waiting.
    assert machine.handle(flow.Back()) == [flow.CloseDevices(), flow.ReleaseSession()]
    assert machine.state == flow.FlowState(entered_at=clock.t)
    machine.handle(flow.DevicesReady())  # a late report from the devices changes nothing
    assert machine.state.screen is Screen.WELCOME


def test_back_while_the_devices_open_lets_them_go(clock: Clock) -> None:
    machine = make(clock)
    machine.handle(flow.Begin())
    machine.handle(flow.Identified("Ana"))
    machine.handle(flow.AcceptConsent())
    assert machine.state.devices is Devices.OPENING
    assert machine.handle(flow.Back()) == [flow.CloseDevices(), flow.ReleaseSession()]
    assert machine.state.screen is Screen.WELCOME


def test_back_from_a_lost_camera_mid_interview_saves_the_answers_so_far(clock: Clock) -> None:
    machine = make(clock)
    to_first_question(machine)
    machine.handle(flow.StartAnswering())
    machine.handle(flow.AnswerStopped(StopReason.CAMERA_LOST))
    assert machine.state.screen is Screen.DEVICE_CHECK
    assert machine.handle(flow.Back()) == [flow.CloseDevices(), early(machine)]
    assert machine.state.screen is Screen.WELCOME and machine.state.saving
