"""The candidate's screens. Each shows the flow's state and emits the candidate's intents.

A screen never changes the flow itself: it emits `intent` with a flow event, and the kiosk
(kiosk.ui.candidate.kiosk) hands it to the flow. Every action is a KioskButton, so it can be
touched, tabbed to and pressed with Space or Enter.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.capture.frames import VideoFrame
from kiosk.errors import InvalidInputError
from kiosk.interview import flow
from kiosk.interview.flow import Devices, FlowState, InterviewFlow, Screen
from kiosk.store.sessions import clean_candidate_name
from kiosk.ui.candidate.style import candidate_stylesheet
from kiosk.ui.candidate.take_review import NewestTake, TakeReview
from kiosk.ui.formatting import clock
from kiosk.ui.widgets.buttons import KioskButton
from kiosk.ui.widgets.keyboard import OnScreenKeyboard
from kiosk.ui.widgets.level_meter import LevelMeter
from kiosk.ui.widgets.preview import CameraPreview
from kiosk.ui.widgets.text import TextField, TextLabel
from kiosk.words import Advice

MAX_SCHEDULED_SHOWN = 6
# "Press any key" on Welcome: any but moving the focus, or a modifier on its own (the staff
# chord, Ctrl+Alt+Shift+S, begins with those).
NOT_A_START = (Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Shift, Qt.Key.Key_Control,
               Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr)


@dataclass(frozen=True)
class Scheduled:
    session_id: str
    candidate: str
    position: str | None


class CandidateScreen(QWidget):
    intent = Signal(object)

    def show_state(self, state: FlowState, interview: InterviewFlow, entered: bool) -> None:
        """Show `state`; called whenever it changes, `entered` when its screen just began."""

    def refresh(self, now: float) -> None:
        """Called ten times a second while on screen: countdowns and meters."""

    def first_focus(self) -> QWidget | None:
        return None


def label(text: str, role: str, *, wrap: bool = True, max_lines: int = 0,
          align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> QLabel:
    """Text on a candidate screen: it wraps (inside a word too long for a line) to the width
    it is given and never widens the window; `max_lines` (for a name) ends it with "…"."""
    widget = TextLabel(text, max_lines=max_lines)
    widget.setObjectName(role)
    widget.setWordWrap(wrap)
    widget.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    widget.setTextFormat(Qt.TextFormat.PlainText)  # names and questions are shown as typed
    return widget


def restyle(widget: QWidget, role: str) -> None:
    """Give `widget` another stylesheet role; Qt applies it only once re-polished."""
    widget.setObjectName(role)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def page(screen: QWidget) -> QVBoxLayout:
    layout = QVBoxLayout(screen)
    layout.setContentsMargins(72, 48, 72, 48)
    layout.setSpacing(24)
    return layout


def button_row(*buttons: QWidget, align: str = "right") -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(24)
    if align in ("right", "centre"):
        row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    if align in ("left", "centre"):
        row.addStretch(1)
    return row


def countdown(seconds_left: float) -> str:
    # Rounded up: 0.2 s left still reads 0:01.
    return clock(int(max(0.0, seconds_left) + 0.999) * 1000)


class WelcomeScreen(CandidateScreen):
    def __init__(self) -> None:
        super().__init__()
        layout = page(self)
        centre = Qt.AlignmentFlag.AlignHCenter
        self.headline = label("Welcome", "headline", align=centre)
        self.lead = label("This booth records a short video interview. It takes about "
                          "15 minutes, and you can practise first.", "lead", align=centre)
        self.start = KioskButton("Start", primary=True)
        self.start.clicked.connect(lambda: self.intent.emit(flow.Begin()))
        self.hint = label("Touch anywhere or press any key to start.", "hint", align=centre)
        layout.addStretch(2)
        layout.addWidget(self.headline)
        # Short lines read more easily than one across a wide screen. Stretches, not an
        # alignment: an aligned word-wrapped label shrinks to a sliver and clips its text.
        narrower = QHBoxLayout()
        narrower.addStretch(1)
        narrower.addWidget(self.lead, 5)
        narrower.addStretch(1)
        layout.addLayout(narrower)
        layout.addSpacing(24)
        layout.addLayout(button_row(self.start, align="centre"))
        layout.addWidget(self.hint)
        layout.addStretch(3)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._pressed = False

    def set_lead(self, questions: int, *, practice: bool) -> None:
        self.lead.setText(f"This booth records a short video interview: {questions} "
                          f"question{'s' if questions != 1 else ''}, one at a time. You can "
                          f"see yourself{', and practise first' if practice else ''}.")

    def first_focus(self) -> QWidget:
        return self.start

    # Like a button, the start happens when the touch or the key is let go, and only for a
    # press that began here: not for the end of one that began on the screen before.
    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._pressed = True

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pressed:
            self._pressed = False
            self.intent.emit(flow.Begin())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in NOT_A_START:
            super().keyPressEvent(event)
        elif not event.isAutoRepeat():
            self._pressed = True

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() in NOT_A_START or event.isAutoRepeat():
            super().keyReleaseEvent(event)
        elif self._pressed:
            self._pressed = False
            self.intent.emit(flow.Begin())

    def hideEvent(self, event: QHideEvent) -> None:
        self._pressed = False
        super().hideEvent(event)


class IdentifyScreen(CandidateScreen):
    def __init__(self, scheduled: Callable[[], list[Scheduled]]) -> None:
        super().__init__()
        self._scheduled = scheduled
        layout = page(self)
        layout.addWidget(label("What is your name?", "headline"))
        columns = QHBoxLayout()
        columns.setSpacing(48)
        layout.addLayout(columns, 1)

        typed = QVBoxLayout()
        typed.setSpacing(16)
        typed.addWidget(label("Type your name as you gave it to us.", "lead"))
        self.name = TextField()
        self.name.setPlaceholderText("Your name")
        self.name.setMaxLength(200)
        self.name.setAccessibleName("Your name")
        self.name.submitted.connect(self._submit)
        self.name.textEdited.connect(lambda _text: self.problem.hide())
        self.name.textChanged.connect(self._follow_case)
        self.name.cursorPositionChanged.connect(self._follow_case)
        # Continue beside the name, not in the corner where the consent's "I agree" comes:
        # a second tap, or Enter, that lands late then touches nothing.
        self.next = KioskButton("Continue", primary=True)
        self.next.clicked.connect(self._submit)
        field = QHBoxLayout()
        field.setSpacing(16)
        field.addWidget(self.name, 1)
        field.addWidget(self.next)
        typed.addLayout(field)
        self.problem = label("", "problem")
        self.problem.hide()
        typed.addWidget(self.problem)
        self.keyboard = OnScreenKeyboard()
        self.keyboard.typed.connect(self._type)
        self.keyboard.backspace.connect(self.name.backspace)
        typed.addWidget(self.keyboard)
        typed.addStretch(1)
        columns.addLayout(typed, 4)

        self.picks = QVBoxLayout()
        self.picks.setSpacing(12)
        self.picks_title = label("Or find your name:", "lead")
        self.picks.addWidget(self.picks_title)
        self.pick_buttons: list[KioskButton] = []
        self.picks.addStretch(1)
        self.picks_column = QWidget()
        self.picks_column.setLayout(self.picks)
        columns.addWidget(self.picks_column, 3)  # room for a name and a position

        self.back = KioskButton("Back")
        self.back.clicked.connect(lambda: self.intent.emit(flow.Back()))
        layout.addLayout(button_row(self.back, align="left"))

    def show_state(self, state: FlowState, interview: InterviewFlow, entered: bool) -> None:
        if not entered:
            return
        if not state.candidate:
            self.name.clear()
        self.problem.hide()
        for button in self.pick_buttons:
            self.picks.removeWidget(button)
            button.hide()  # at once: it is deleted only once the event loop runs again
            button.deleteLater()
        self.pick_buttons = []
        found = self._scheduled()[:MAX_SCHEDULED_SHOWN]
        for n, entry in enumerate(found):
            text = entry.candidate + (f"  ·  {entry.position}" if entry.position else "")
            button = KioskButton(text)
            button.setObjectName("scheduled")
            button.setAccessibleName(f"I am {entry.candidate}")
            button.clicked.connect(lambda _=False, e=entry: self.intent.emit(
                flow.Identified(e.candidate, e.session_id)))
            self.picks.insertWidget(1 + n, button)
            self.pick_buttons.append(button)
        self.picks_column.setVisible(bool(found))

    def first_focus(self) -> QWidget:
        return self.name

    def _type(self, text: str) -> None:
        self.name.insert(text)  # in the case the keyboard showed (see _follow_case)
        self.problem.hide()

    def _follow_case(self) -> None:
        # Touch typing gives capitals at the start of each part of a name.
        before = self.name.text()[:self.name.cursorPosition()]
        self.keyboard.set_capitals(not before or before[-1] in " -")

    def _submit(self) -> None:
        try:
            name = clean_candidate_name(self.name.text())
        except InvalidInputError as exc:
            self.problem.setText(str(exc))
            self.problem.show()
            self.name.setFocus()
            return
        self.intent.emit(flow.Identified(name))


class ConsentScreen(CandidateScreen):
    def __init__(self) -> None:
        super().__init__()
        layout = page(self)
        # With the name in it: two lines at most, however long the name.
        self.headline = label("Before we start", "headline", max_lines=2)
        layout.addWidget(self.headline)
        self.text = label("", "consent")
        self.text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.text.setContentsMargins(28, 24, 28, 24)
        scroll = QScrollArea(objectName="card")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.text)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # it wraps
        layout.addWidget(scroll, 1)
        layout.addWidget(label("Do you agree to be recorded?", "lead"))
        self.decline = KioskButton("No, I do not agree")
        self.decline.clicked.connect(lambda: self.intent.emit(flow.DeclineConsent()))
        self.accept = KioskButton("I agree", primary=True)
        self.accept.clicked.connect(lambda: self.intent.emit(flow.AcceptConsent()))
        layout.addLayout(button_row(self.decline, self.accept))

    def show_state(self, state: FlowState, interview: InterviewFlow, entered: bool) -> None:
        self.headline.setText(f"Before we start, {state.candidate}" if state.candidate
                              else "Before we start")
        self.text.setText(interview.questions.consent)

    def first_focus(self) -> QWidget:
        return self.accept


CHECK_HEADLINE = "Can you see and hear yourself?"
CHECK_LEAD = ("Sit so that your face is in the middle of the picture. "
              "Then say a few words: the bar moves when we hear you.")
CHECK_GOOD = "You look and sound good."
ADVICE_EVERY_S = 0.5  # the measure changes slowly; text that flickers is not read


class AdviceSource(typing.Protocol):
    def __call__(self) -> Sequence[Advice] | None:
        """What the device check advises now; None while it has not judged yet (or is off)."""
        ...


class DeviceCheckScreen(CandidateScreen):
    def __init__(self, latest: Callable[[], VideoFrame | None],
                 level: Callable[[], float], advice: AdviceSource) -> None:
        super().__init__()
        self._level = level
        self._advice = advice
        self._advice_due = 0.0
        self._devices: Devices | None = None
        layout = page(self)
        self.headline = label(CHECK_HEADLINE, "headline")
        layout.addWidget(self.headline)
        body = QHBoxLayout()
        body.setSpacing(48)
        self.preview = CameraPreview(latest)
        body.addWidget(self.preview, 3)
        side = QVBoxLayout()
        side.setSpacing(20)
        self.lead = label(CHECK_LEAD, "lead")
        side.addWidget(self.lead)
        side.addSpacing(12)
        side.addWidget(label("Microphone", "hint"))
        self.meter = LevelMeter()
        side.addWidget(self.meter)
        # Beside the picture and the meter it speaks of, not in the corner where the
        # consent's "I agree" was; above what comes and goes below it, so it never moves
        # (Retry's place, once the devices work, is empty).
        self.confirm = KioskButton("I can see and hear myself", primary=True)
        self.confirm.clicked.connect(lambda: self.intent.emit(flow.DevicesConfirmed()))
        side.addSpacing(4)
        side.addWidget(self.confirm, 0, Qt.AlignmentFlag.AlignLeft)
        self.status = label("Starting the camera and the microphone…", "hint")
        side.addWidget(self.status)
        self.problem = label("", "problem")
        self.problem.hide()
        side.addWidget(self.problem)
        # Below the button, so that advice coming and going never moves it.
        self.advice = label("", "advice")
        self.advice.hide()
        side.addWidget(self.advice)
        self.retry = KioskButton("Retry")
        self.retry.clicked.connect(lambda: self.intent.emit(flow.Retry()))
        self.retry.hide()
        side.addWidget(self.retry, 0, Qt.AlignmentFlag.AlignLeft)
        side.addStretch(1)
        body.addLayout(side, 2)
        layout.addLayout(body, 1)
        # Before the interview, a way out (a camera that does not work) that need not wait
        # for the idle time: it leaves as that would (kiosk.interview.flow, Back).
        self.back = KioskButton("Back")
        self.back.clicked.connect(lambda: self.intent.emit(flow.Back()))
        layout.addLayout(button_row(self.back, align="left"))

    def show_state(self, state: FlowState, interview: InterviewFlow, entered: bool) -> None:
        missing = state.devices is Devices.MISSING
        # Only before the interview: a device lost mid-answer brings this screen up by
        # surprise, and "Done" is where "Back" would be.
        self.back.setVisible(state.resume is None)
        if state.resume is None:
            self.headline.setText(CHECK_HEADLINE)
            self.lead.setText(CHECK_LEAD)
        else:  # a device was lost mid-interview
            self.headline.setText("Check the camera and microphone")
            where = ("the practice question" if state.resume is Screen.PRACTICE else
                     f"question {state.question + 1} of {interview.question_count}")
            self.lead.setText(f"Nothing you have answered is lost. Once it works again, "
                              f"you go back to {where}.")
        self.problem.setText(state.message)
        self.problem.setVisible(missing)
        self.retry.setVisible(missing)
        self.status.setVisible(state.devices is Devices.OPENING)
        self.confirm.setEnabled(state.devices is Devices.READY)
        if state.devices is not Devices.READY:
            self.advice.hide()
        if state.devices is not self._devices:
            self._devices = state.devices
            if state.devices is Devices.OPENING:
                self.preview.clear()
            elif missing:
                self.retry.setFocus()
            elif state.devices is Devices.READY:
                self.confirm.setFocus()

    def refresh(self, now: float) -> None:
        self.meter.set_level(self._level())
        if now >= self._advice_due and self.confirm.isEnabled():
            self._advice_due = now + ADVICE_EVERY_S
            self.show_advice(self._advice())

    def show_advice(self, advice: Sequence[Advice] | None) -> None:
        """The device check's advice in large type; nothing until it has judged."""
        if advice is None:
            self.advice.hide()
            return
        role = "advice" if advice else "advice_ok"
        if self.advice.objectName() != role:
            restyle(self.advice, role)
        self.advice.setText("\n".join(a.sentence for a in advice) if advice else CHECK_GOOD)
        self.advice.show()

    def first_focus(self) -> QWidget:
        return self.confirm if self.confirm.isEnabled() else self.retry


class PracticeScreen(CandidateScreen):
    def __init__(self) -> None:
        super().__init__()
        layout = page(self)
        layout.addStretch(1)
        self.headline = label("", "headline")
        layout.addWidget(self.headline)
        self.lead = label("", "lead")
        layout.addWidget(self.lead)
        layout.addSpacing(24)
        self.practice = KioskButton("")
        self.practice.clicked.connect(lambda: self.intent.emit(flow.ChoosePractice()))
        self.start = KioskButton("Start the interview", primary=True)
        self.start.clicked.connect(lambda: self.intent.emit(flow.SkipPractice()))
        layout.addStretch(2)
        # In the corner, clear of the device check's button before and of "Start answering
        # now" after.
        layout.addLayout(button_row(self.practice, self.start))

    def show_state(self, state: FlowState, interview: InterviewFlow, entered: bool) -> None:
        questions = interview.questions.questions
        count = f"{len(questions)} question{'s' if len(questions) != 1 else ''}"
        if state.practice_done:
            self.headline.setText("That was the practice")
            self.lead.setText(f"Nothing of it was recorded. The interview has {count}. "
                              f"Each answer is recorded once you start it.")
            self.practice.setText("Practise again")
        else:
            self.headline.setText("Ready for your interview?")
            self.lead.setText(f"The interview has {count}. For each one you first get time "
                              f"to think, then the recording starts. You can try a practice "
                              f"question first: it is not recorded.")
            self.practice.setText("Try a practice question")

    def first_focus(self) -> QWidget:
        return self.start


class QuestionScreen(CandidateScreen):
    """One question: preparing, answering (recording), then keep or try again."""

    def __init__(self, latest: Callable[[], VideoFrame | None],
                 level: Callable[[], float], newest_take: NewestTake | None = None) -> None:
        super().__init__()
        self._level = level
        self._state: FlowState | None = None
        layout = page(self)
        self.progress = label("", "progress")
        layout.addWidget(self.progress)
        self.question = label("", "question")
        layout.addWidget(self.question)
        body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        body.setSpacing(48)
        layout.addLayout(body, 1)

        side = QVBoxLayout()
        side.setSpacing(16)
        self.status = label("", "countdown")
        side.addWidget(self.status)
        self.bar = QProgressBar(textVisible=False)
        self.bar.setRange(0, 1000)
        side.addWidget(self.bar)
        side.addSpacing(8)
        # Named, so it is not taken for a second countdown bar.
        self.meter_label = label("Microphone", "hint")
        side.addWidget(self.meter_label)
        self.meter = LevelMeter()
        side.addWidget(self.meter)
        # While preparing: how long the answer may be, and how many tries are left.
        self.allowance = label("", "lead")
        side.addWidget(self.allowance)
        self.hint = label("", "hint")
        side.addWidget(self.hint)
        # Here, not in the corner: Done, where a second tap would land, is elsewhere.
        self.start = KioskButton("Start answering now", primary=True)
        self.start.clicked.connect(lambda: self.intent.emit(flow.StartAnswering()))
        side.addSpacing(8)
        side.addWidget(self.start, 0, Qt.AlignmentFlag.AlignLeft)
        side.addStretch(1)
        body.addLayout(side, 2)
        self.preview = CameraPreview(latest)
        body.addWidget(self.preview, 3)
        # "Watch it" on the retake choice: the take plays in the preview's place.
        self.review = TakeReview(newest_take, instead_of=self.preview, parent=self)
        self.review.intent.connect(self.intent)
        body.addWidget(self.review.player, 3)

        self.done = KioskButton("Done", primary=True)
        self.done.clicked.connect(lambda: self.intent.emit(flow.Done()))
        self.again = KioskButton("Try again")
        self.again.clicked.connect(lambda: self.intent.emit(flow.TryAgain()))
        self.keep = KioskButton("Keep this answer", primary=True)
        self.keep.clicked.connect(lambda: self.intent.emit(flow.Keep()))
        # Done on the left: the retake choice's buttons, which follow it, are on the right.
        row = button_row(self.review.watch, self.again, self.keep)
        row.insertWidget(0, self.done)
        layout.addLayout(row)

    def show_state(self, state: FlowState, interview: InterviewFlow, entered: bool) -> None:
        self._state = state
        question = interview.current_question_of(state)
        mode = state.screen
        if state.practice:
            self.progress.setText("Practice question: not recorded")
        else:
            self.progress.setText(f"Question {state.question + 1} of "
                                  f"{interview.question_count}")
        self.question.setText(question.text)
        preparing = mode is flow.Screen.PREPARE
        answering = mode is flow.Screen.ANSWER
        deciding = mode is flow.Screen.RETAKE
        self.start.setVisible(preparing)
        self.done.setVisible(answering)
        self.keep.setVisible(deciding)
        self.again.setVisible(deciding)
        self.bar.setVisible(not deciding)
        self.meter.setVisible(answering)
        self.meter_label.setVisible(answering)
        self.allowance.setVisible(preparing)
        recording = answering and state.recording
        restyle(self.bar, "recording-bar" if recording else "")
        restyle(self.status, "recording" if recording else "countdown")
        if preparing:
            allowed = f"You will have {clock(question.answer_seconds * 1000)} to answer"
            if not state.practice:
                left = question.tries - state.tries
                allowed += f" · {left} {'try' if left == 1 else 'tries'} left"
            self.allowance.setText(allowed)
            # The practice is never recorded: nothing on its screen speaks of recording.
            starts = "Your practice answer" if state.practice else "The recording"
            self.hint.setText(f"Take a moment to think. {starts} starts by itself when "
                              f"the time is up.")
        elif answering:
            self.hint.setText("Look at the camera and speak clearly. Press Done when you "
                              "have finished.")
        else:
            left = question.tries - state.tries
            self.status.setText("Happy with your answer?")
            self.hint.setText(f"You can try again {left} more time{'s' if left != 1 else ''}. "
                              f"A new answer replaces this one.")
            self.again.setText(f"Try again ({left} left)")
        self.review.show_state(state)

    def refresh(self, now: float) -> None:
        state = self._state
        if state is None or state.deadline is None:
            return
        total = max(0.001, state.deadline - state.entered_at)
        left = max(0.0, state.deadline - now)
        self.bar.setValue(round(1000 * left / total))
        if state.screen is flow.Screen.PREPARE:
            starts = "Your practice answer starts" if state.practice else "Recording starts"
            self.status.setText(f"{starts} in {countdown(left)}")
        elif state.screen is flow.Screen.ANSWER:
            self.meter.set_level(self._level())
            prefix = "● Recording" if state.recording else "Practice"
            self.status.setText(f"{prefix}  ·  {countdown(left)} left")

    def first_focus(self) -> QWidget:
        return {flow.Screen.PREPARE: self.start, flow.Screen.ANSWER: self.done}.get(
            self._state.screen if self._state else flow.Screen.PREPARE, self.keep)


class ThankYouScreen(CandidateScreen):
    def __init__(self) -> None:
        super().__init__()
        layout = page(self)
        centre = Qt.AlignmentFlag.AlignHCenter
        layout.addStretch(2)
        self.headline = label("Thank you", "headline", align=centre, max_lines=2)
        layout.addWidget(self.headline)
        self.lead = label("", "lead", align=centre)
        layout.addWidget(self.lead)
        self.problem = label("", "problem", align=centre)
        layout.addWidget(self.problem)
        self.hint = label("You can leave the booth now. This screen goes back to the start "
                          "by itself.", "hint", align=centre)
        layout.addWidget(self.hint)
        layout.addStretch(3)

    def show_state(self, state: FlowState, interview: InterviewFlow, entered: bool) -> None:
        self.headline.setText(f"Thank you, {state.candidate}" if state.candidate else "Thank you")
        self.lead.setText("Saving your interview…" if state.saving
                          else "Your interview is saved. The recruiters will be in touch.")
        self.problem.setText(state.message)
        self.problem.setVisible(bool(state.message))


class UnavailableScreen(CandidateScreen):
    def __init__(self) -> None:
        super().__init__()
        layout = page(self)
        layout.addStretch(2)
        layout.addWidget(label("Sorry, this booth cannot go on", "headline"))
        layout.addWidget(label("Please tell a member of staff. Anything you already answered "
                               "is kept.", "lead"))
        self.problem = label("", "problem")
        layout.addWidget(self.problem)
        self.back = KioskButton("Back to the start", primary=True)
        self.back.clicked.connect(lambda: self.intent.emit(flow.Back()))
        layout.addLayout(button_row(self.back, align="left"))
        layout.addStretch(3)

    def show_state(self, state: FlowState, interview: InterviewFlow, entered: bool) -> None:
        self.problem.setText(state.message)

    def first_focus(self) -> QWidget:
        return self.back

class OutOfServiceScreen(QWidget):
    """In place of the interview when the booth cannot run one (a broken question set)."""

    def __init__(self, problem: str) -> None:
        super().__init__()
        self.setObjectName("candidate")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(candidate_stylesheet(800))
        layout = page(self)
        layout.addStretch(2)
        layout.addWidget(label("This booth is not ready yet", "headline"))
        layout.addWidget(label("Please tell a member of staff.", "lead"))
        # Wrapped inside a long path too; not selectable (a kiosk opens no Copy menu): the
        # same words are on stderr, in the log, for IT.
        self.problem = label(problem, "problem")
        layout.addWidget(self.problem)
        layout.addStretch(3)
