"""The candidate's screens. Each shows the flow's state and emits the candidate's intents.

A screen never changes the flow itself: it emits `intent` with a flow event, and the kiosk
(kiosk.ui.candidate.kiosk) hands it to the flow. Every action is a KioskButton, so it can be
touched, tabbed to and pressed with Space or Enter.

Every word a candidate reads is a Qt translation (kiosk.ui.i18n): `self.tr` in the class that
shows it, so lupdate files it under that class's name; a sentence with a value in it is
translated whole, then filled in (`{name}`), and one with a number has its plural forms
(`%n`). A screen's fixed words are set by `retranslate`, which the kiosk calls on every screen
when the candidate's language changes; the rest follows the state on each `show_state`. The
flow's and the booth's sentences arrive in English (kiosk.words.Notice, Advice) and are
translated here, in the contexts "Notice" and "Advice".
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, QLocale, Qt, Signal
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

from kiosk.accommodations import Accommodations, Aid
from kiosk.capture.frames import VideoFrame
from kiosk.errors import InvalidInputError
from kiosk.interview import flow
from kiosk.interview.flow import Devices, FlowState, InterviewFlow, Screen
from kiosk.store.sessions import clean_candidate_name
from kiosk.ui.candidate.style import candidate_stylesheet
from kiosk.ui.candidate.take_review import NewestTake, TakeReview
from kiosk.ui.formatting import clock
from kiosk.ui.i18n import language_name, locale_of
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
    accommodations: Accommodations = Accommodations()  # noqa: RUF009 (frozen, shared)


def notice(message: str) -> str:
    """A sentence of the flow's or the booth's (kiosk.words.Notice), in the candidate's
    language; one that is not a Notice (a message from elsewhere) as it came."""
    return QCoreApplication.translate("Notice", message) if message else ""


def advice_sentence(advice: Advice) -> str:
    return QCoreApplication.translate("Advice", advice.sentence)


class CandidateScreen(QWidget):
    intent = Signal(object)

    def retranslate(self) -> None:
        """Set the screen's fixed words in the language now installed."""

    def set_look(self, *, larger_text: bool) -> None:
        """Make room for larger text where a screen shares its width (the stylesheet does
        the rest)."""

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


def text_direction(language: str) -> Qt.LayoutDirection:
    """How text in `language` runs: the question set's own text keeps its direction when
    the screens around it are in another language."""
    return locale_of(language).textDirection()


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


class AidButtons(QWidget):
    """"Larger text" and "High contrast": toggles whose state shows (filled, with a tick),
    for the candidate's own interview. They say what the flow says (FlowState.larger_text,
    .high_contrast), a recruiter's accommodation included."""

    intent = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(12)
        self.larger = self._toggle(Aid.LARGER_TEXT)
        self.contrast = self._toggle(Aid.HIGH_CONTRAST)
        row.addWidget(self.larger)
        row.addWidget(self.contrast)
        self.retranslate()

    def _toggle(self, aid: Aid) -> KioskButton:
        button = KioskButton("")
        button.setObjectName("aid")
        button.setCheckable(True)
        button.clicked.connect(lambda _checked=False: self.intent.emit(flow.ToggleAid(aid)))
        return button

    def retranslate(self) -> None:
        for button, text in ((self.larger, self.tr("Larger text")),
                             (self.contrast, self.tr("High contrast"))):
            button.setAccessibleName(text)
            # Not by colour alone: a tick says it is on.
            button.setText(f"✓ {text}" if button.isChecked() else text)

    def show_state(self, state: FlowState) -> None:
        self.larger.setChecked(state.larger_text)
        self.contrast.setChecked(state.high_contrast)
        self.retranslate()


class LanguageButtons(QWidget):
    """The booth's languages, each in its own words; the one on show is filled."""

    intent = Signal(object)

    def __init__(self, languages: Sequence[str]) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(12)
        self.buttons: dict[str, KioskButton] = {}
        for code in languages:
            button = KioskButton(language_name(code))
            button.setObjectName("language")
            button.setCheckable(True)
            button.clicked.connect(
                lambda _checked=False, c=code: self.intent.emit(flow.ChooseLanguage(c)))
            row.addWidget(button)
            self.buttons[code] = button
        self.setVisible(len(self.buttons) > 1)  # nothing to choose between

    def show_state(self, state: FlowState) -> None:
        for code, button in self.buttons.items():
            button.setChecked(code == state.language)


def countdown(seconds_left: float) -> str:
    # Rounded up: 0.2 s left still reads 0:01.
    return clock(int(max(0.0, seconds_left) + 0.999) * 1000)


class WelcomeScreen(CandidateScreen):
    def __init__(self, languages: Sequence[str] = ()) -> None:
        super().__init__()
        layout = page(self)
        centre = Qt.AlignmentFlag.AlignHCenter
        # Parented first, so it is first in the focus chain: a window that gives the focus
        # to its first control gives it Start.
        self.start = KioskButton("", primary=True, parent=self)
        self.start.clicked.connect(lambda: self.intent.emit(flow.Begin()))
        # Along the top, clear of the next screen's buttons: a press that lands late there
        # touches only the headline.
        self.languages = LanguageButtons(languages)
        self.languages.intent.connect(self.intent)
        self.aids = AidButtons()
        self.aids.intent.connect(self.intent)
        top = QHBoxLayout()
        top.addWidget(self.languages)
        top.addStretch(1)
        top.addWidget(self.aids)
        layout.addLayout(top)
        self.date = label("", "hint", align=centre)
        self.headline = label("", "headline", align=centre)
        self.lead = label("", "lead", align=centre)
        self.hint = label("", "hint", align=centre)
        self._questions, self._practice = 0, False
        layout.addStretch(2)
        layout.addWidget(self.date)
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
        self.retranslate()

    def retranslate(self) -> None:
        self.headline.setText(self.tr("Welcome"))
        self.start.setText(self.tr("Start"))
        self.hint.setText(self.tr("Touch anywhere or press any key to start."))
        self.set_lead(self._questions, practice=self._practice)

    def set_lead(self, questions: int, *, practice: bool) -> None:
        self._questions, self._practice = questions, practice
        if practice:
            text = self.tr("This booth records a short video interview: %n questions, one at "
                           "a time. You can see yourself, and practise first.", None, questions)
        else:
            text = self.tr("This booth records a short video interview: %n questions, one at "
                           "a time. You can see yourself.", None, questions)
        self.lead.setText(text)

    def show_state(self, state: FlowState, interview: InterviewFlow, entered: bool) -> None:
        questions = interview.questions
        self.set_lead(len(questions.questions), practice=questions.practice is not None)
        self.languages.show_state(state)
        self.aids.show_state(state)
        # Today, as the candidate's language writes a date.
        self.date.setText(locale_of(state.language).toString(QDate.currentDate(),
                                                             QLocale.FormatType.LongFormat))

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
        self.headline = label("", "headline")
        layout.addWidget(self.headline)
        columns = QHBoxLayout()
        columns.setSpacing(48)
        layout.addLayout(columns, 1)

        typed = QVBoxLayout()
        typed.setSpacing(16)
        self.lead = label("", "lead")
        typed.addWidget(self.lead)
        self.name = TextField()
        self.name.setMaxLength(200)
        self.name.submitted.connect(self._submit)
        self.name.textEdited.connect(lambda _text: self._hide_problem())
        self.name.textChanged.connect(self._follow_case)
        self.name.cursorPositionChanged.connect(self._follow_case)
        # Continue beside the name, not in the corner where the consent's "I agree" comes:
        # a second tap, or Enter, that lands late then touches nothing.
        self.next = KioskButton("", primary=True)
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
        self.picks_title = label("", "lead")
        self.picks.addWidget(self.picks_title)
        self.pick_buttons: list[KioskButton] = []
        self.picks.addStretch(1)
        self.picks_column = QWidget()
        self.picks_column.setLayout(self.picks)
        columns.addWidget(self.picks_column, 3)  # room for a name and a position

        self.back = KioskButton("")
        self.back.clicked.connect(lambda: self.intent.emit(flow.Back()))
        layout.addLayout(button_row(self.back, align="left"))
        self._problem_empty: bool | None = None  # the name problem shown: empty, or other
        self.retranslate()

    def retranslate(self) -> None:
        self.headline.setText(self.tr("What is your name?"))
        self.lead.setText(self.tr("Type your name as you gave it to us."))
        self.name.setPlaceholderText(self.tr("Your name"))
        self.name.setAccessibleName(self.tr("Your name"))
        self.next.setText(self.tr("Continue"))
        self.picks_title.setText(self.tr("Or find your name:"))
        self.back.setText(self.tr("Back"))
        self.keyboard.retranslate()
        for button in self.pick_buttons:
            button.setAccessibleName(self.tr("I am {name}").format(
                name=button.property("candidate")))
        if self._problem_empty is not None:
            self._show_problem(self._problem_empty)

    def show_state(self, state: FlowState, interview: InterviewFlow, entered: bool) -> None:
        if not entered:
            return
        if not state.candidate:
            self.name.clear()
        self.problem.hide()
        self._problem_empty = None
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
            button.wraps = False  # a list of names: one line each, the rest elided
            button.setProperty("candidate", entry.candidate)
            button.setAccessibleName(self.tr("I am {name}").format(name=entry.candidate))
            button.clicked.connect(lambda _=False, e=entry: self.intent.emit(
                flow.Identified(e.candidate, e.session_id, e.accommodations)))
            self.picks.insertWidget(1 + n, button)
            self.pick_buttons.append(button)
        self.picks_column.setVisible(bool(found))

    def first_focus(self) -> QWidget:
        return self.name

    def _hide_problem(self) -> None:
        self.problem.hide()
        self._problem_empty = None

    def _type(self, text: str) -> None:
        self.name.insert(text)  # in the case the keyboard showed (see _follow_case)
        self._hide_problem()

    def _follow_case(self) -> None:
        # Touch typing gives capitals at the start of each part of a name.
        before = self.name.text()[:self.name.cursorPosition()]
        self.keyboard.set_capitals(not before or before[-1] in " -")

    def _submit(self) -> None:
        try:
            name = clean_candidate_name(self.name.text())
        except InvalidInputError:
            # The store's reasons are English, for staff: the candidate reads their own words.
            self._show_problem(not self.name.text().strip())
            self.name.setFocus()
            return
        self.intent.emit(flow.Identified(name))

    def _show_problem(self, empty: bool) -> None:
        self._problem_empty = empty
        self.problem.setText(self.tr("Please enter a name.") if empty else self.tr(
            "Please check your name: one line, with letters and no special characters."))
        self.problem.show()


class ConsentScreen(CandidateScreen):
    def __init__(self) -> None:
        super().__init__()
        layout = page(self)
        # With the name in it: two lines at most, however long the name.
        self.headline = label("", "headline", max_lines=2)
        layout.addWidget(self.headline)
        # No questions in the candidate's language: they are told before they agree.
        self.language_note = label("", "advice")
        self.language_note.hide()
        layout.addWidget(self.language_note)
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
        self.question = label("", "lead")
        layout.addWidget(self.question)
        self.decline = KioskButton("")
        self.decline.clicked.connect(lambda: self.intent.emit(flow.DeclineConsent()))
        self.accept = KioskButton("", primary=True)
        self.accept.clicked.connect(lambda: self.intent.emit(flow.AcceptConsent()))
        layout.addLayout(button_row(self.decline, self.accept))
        self.retranslate()

    def retranslate(self) -> None:
        self.question.setText(self.tr("Do you agree to be recorded?"))
        self.decline.setText(self.tr("No, I do not agree"))
        self.accept.setText(self.tr("I agree"))

    def show_state(self, state: FlowState, interview: InterviewFlow, entered: bool) -> None:
        self.headline.setText(self.tr("Before we start, {name}").format(name=state.candidate)
                              if state.candidate else self.tr("Before we start"))
        questions = interview.questions
        self.text.setLayoutDirection(text_direction(questions.language))
        self.text.setText(questions.consent)
        shown_in = not interview.in_language(state)
        if shown_in:
            self.language_note.setText(self.tr(
                "The questions are not written in your language yet: this text and the "
                "questions are in {language}.").format(language=language_name(
                    questions.language)))
        self.language_note.setVisible(shown_in)

    def first_focus(self) -> QWidget:
        return self.accept


CHECK_HEADLINE = QT_TRANSLATE_NOOP("DeviceCheckScreen", "Can you see and hear yourself?")
CHECK_LEAD = QT_TRANSLATE_NOOP("DeviceCheckScreen",
                               "Sit so that your face is in the middle of the picture. "
                               "Then say a few words: the bar moves when we hear you.")
CHECK_GOOD = QT_TRANSLATE_NOOP("DeviceCheckScreen", "You look and sound good.")
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
        self._resume: tuple[Screen | None, int, int] = (None, 0, 0)
        layout = page(self)
        self.headline = label("", "headline")
        top = QHBoxLayout()
        top.setSpacing(24)
        top.addWidget(self.headline, 1)
        layout.addLayout(top)
        self._body = body = QHBoxLayout()
        body.setSpacing(48)
        # The picture, and under it the microphone's meter: the side column keeps its height
        # for the words (a translation, the advice).
        seen = QVBoxLayout()
        seen.setSpacing(12)
        self.preview = CameraPreview(latest)
        seen.addWidget(self.preview)
        self.meter_label = label("", "hint")
        seen.addWidget(self.meter_label)
        self.meter = LevelMeter()
        seen.addWidget(self.meter)
        seen.addStretch(1)
        body.addLayout(seen, 9)
        side = QVBoxLayout()
        side.setSpacing(14)
        self.lead = label("", "lead")
        side.addWidget(self.lead)
        # Beside the picture and the meter it speaks of, not in the corner where the
        # consent's "I agree" was; above what comes and goes below it, so it never moves
        # (Retry's place, once the devices work, is empty).
        self.confirm = KioskButton("", primary=True)
        self.confirm.clicked.connect(lambda: self.intent.emit(flow.DevicesConfirmed()))
        side.addWidget(self.confirm, 0, Qt.AlignmentFlag.AlignLeft)
        self.status = label("", "hint")
        side.addWidget(self.status)
        self.problem = label("", "problem")
        self.problem.hide()
        side.addWidget(self.problem)
        # Below the button, so that advice coming and going never moves it.
        self.advice = label("", "advice")
        self.advice.hide()
        side.addWidget(self.advice)
        self.retry = KioskButton("")
        self.retry.clicked.connect(lambda: self.intent.emit(flow.Retry()))
        self.retry.hide()
        side.addWidget(self.retry, 0, Qt.AlignmentFlag.AlignLeft)
        side.addStretch(1)
        # More than half the width: the advice, and a translation 40% longer than the
        # English, need it.
        body.addLayout(side, 11)
        layout.addLayout(body, 1)
        # Before the interview, a way out (a camera that does not work) that need not wait
        # for the idle time: it leaves as that would (kiosk.interview.flow, Back).
        self.back = KioskButton("")
        self.back.clicked.connect(lambda: self.intent.emit(flow.Back()))
        layout.addLayout(button_row(self.back, align="left"))
        # Beside the headline, clear of the consent's buttons before and the practice's
        # after; made last, so that Tab reaches the check's own buttons first.
        self.aids = AidButtons()
        self.aids.intent.connect(self.intent)
        top.addWidget(self.aids, 0, Qt.AlignmentFlag.AlignTop)
        self._shown_advice: Sequence[Advice] | None = None
        self.retranslate()

    def retranslate(self) -> None:
        self.meter_label.setText(self.tr("Microphone"))
        self.confirm.setText(self.tr("I can see and hear myself"))
        self.status.setText(self.tr("Starting the camera and the microphone…"))
        self.retry.setText(self.tr("Retry"))
        self.back.setText(self.tr("Back"))
        self._show_where()
        if self.advice.isVisible():
            self.show_advice(self._shown_advice)

    def _show_where(self) -> None:
        resume, question, count = self._resume
        if resume is None:
            self.headline.setText(QCoreApplication.translate("DeviceCheckScreen",
                                                             CHECK_HEADLINE))
            self.lead.setText(QCoreApplication.translate("DeviceCheckScreen", CHECK_LEAD))
            return
        # A device was lost mid-interview.
        self.headline.setText(self.tr("Check the camera and microphone"))
        if resume is Screen.PRACTICE:
            self.lead.setText(self.tr("Nothing you have answered is lost. Once it works "
                                      "again, you go back to the practice question."))
        else:
            self.lead.setText(self.tr("Nothing you have answered is lost. Once it works "
                                      "again, you go back to question {number} of {count}.")
                              .format(number=question + 1, count=count))

    def show_state(self, state: FlowState, interview: InterviewFlow, entered: bool) -> None:
        missing = state.devices is Devices.MISSING
        # Only before the interview: a device lost mid-answer brings this screen up by
        # surprise, and "Done" is where "Back" would be.
        self.back.setVisible(state.resume is None)
        self._resume = (state.resume, state.question, interview.question_count)
        self._show_where()
        self.aids.show_state(state)
        self.problem.setText(notice(state.message))
        self.problem.setVisible(missing)
        self.retry.setVisible(missing)
        # Nothing to confirm while a device is missing: its room goes to what to do instead.
        self.confirm.setVisible(not missing)
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
        self._shown_advice = advice
        role = "advice" if advice else "advice_ok"
        if self.advice.objectName() != role:
            restyle(self.advice, role)
        self.advice.setText("\n".join(advice_sentence(a) for a in advice) if advice else
                            QCoreApplication.translate("DeviceCheckScreen", CHECK_GOOD))
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
        self.start = KioskButton("", primary=True)
        self.start.clicked.connect(lambda: self.intent.emit(flow.SkipPractice()))
        layout.addStretch(2)
        # In the corner, clear of the device check's button before and of "Start answering
        # now" after.
        layout.addLayout(button_row(self.practice, self.start))
        self.retranslate()

    def retranslate(self) -> None:
        self.start.setText(self.tr("Start the interview"))

    def show_state(self, state: FlowState, interview: InterviewFlow, entered: bool) -> None:
        count = len(interview.questions.questions)
        if state.practice_done:
            self.headline.setText(self.tr("That was the practice"))
            self.lead.setText(self.tr("Nothing of it was recorded. The interview has %n "
                                      "questions. Each answer is recorded once you start it.",
                                      None, count))
            self.practice.setText(self.tr("Practise again"))
        else:
            self.headline.setText(self.tr("Ready for your interview?"))
            self.lead.setText(self.tr("The interview has %n questions. For each one you first "
                                      "get time to think, then the recording starts. You can "
                                      "try a practice question first: it is not recorded.",
                                      None, count))
            self.practice.setText(self.tr("Try a practice question"))

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
        self._body = body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
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
        self.meter_label = label("", "hint")
        side.addWidget(self.meter_label)
        self.meter = LevelMeter()
        side.addWidget(self.meter)
        # While preparing: how long the answer may be, and how many tries are left.
        self.allowance = label("", "lead")
        side.addWidget(self.allowance)
        self.hint = label("", "hint")
        side.addWidget(self.hint)
        # Here, not in the corner: Done, where a second tap would land, is elsewhere.
        self.start = KioskButton("", primary=True)
        self.start.clicked.connect(lambda: self.intent.emit(flow.StartAnswering()))
        # The question read aloud once more (kiosk.ui.candidate.read_aloud); never while
        # answering. Beside Start, so that on the retake choice it takes Start's place.
        self.read_again = KioskButton("")
        self.read_again.hide()
        actions = QHBoxLayout()
        actions.setSpacing(16)
        actions.addWidget(self.start)
        actions.addWidget(self.read_again)
        actions.addStretch(1)
        side.addSpacing(8)
        side.addLayout(actions)
        side.addStretch(1)
        body.addLayout(side, 2)
        self.preview = CameraPreview(latest)
        body.addWidget(self.preview, 3)
        # "Watch it" on the retake choice: the take plays in the preview's place.
        self.review = TakeReview(newest_take, instead_of=self.preview, parent=self)
        self.review.intent.connect(self.intent)
        body.addWidget(self.review.player, 3)

        self.done = KioskButton("", primary=True)
        self.done.clicked.connect(lambda: self.intent.emit(flow.Done()))
        self.again = KioskButton("")
        self.again.clicked.connect(lambda: self.intent.emit(flow.TryAgain()))
        self.keep = KioskButton("", primary=True)
        self.keep.clicked.connect(lambda: self.intent.emit(flow.Keep()))
        # Done on the left: the retake choice's buttons, which follow it, are on the right.
        row = button_row(self.review.watch, self.again, self.keep)
        row.insertWidget(0, self.done)
        layout.addLayout(row)
        self.retranslate()

    def set_look(self, *, larger_text: bool) -> None:
        # Larger words need a wider column beside the picture.
        for index, (normal, larger) in enumerate(((2, 1), (3, 1), (3, 1))):
            self._body.setStretch(index, larger if larger_text else normal)

    def retranslate(self) -> None:
        self.meter_label.setText(self.tr("Microphone"))
        self.start.setText(self.tr("Start answering now"))
        self.read_again.setText(self.tr("Read again"))
        self.done.setText(self.tr("Done"))
        self.keep.setText(self.tr("Keep this answer"))
        self.again.setText(self.tr("Try again"))
        self.review.retranslate()

    def show_state(self, state: FlowState, interview: InterviewFlow, entered: bool) -> None:
        self._state = state
        question = interview.current_question_of(state)
        mode = state.screen
        if state.practice:
            self.progress.setText(self.tr("Practice question: not recorded"))
        else:
            self.progress.setText(self.tr("Question {number} of {count}").format(
                number=state.question + 1, count=interview.question_count))
        self.question.setLayoutDirection(text_direction(interview.questions.language))
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
        self.read_again.setVisible((preparing or deciding) and interview.read_aloud(state))
        recording = answering and state.recording
        restyle(self.bar, "recording-bar" if recording else "")
        restyle(self.status, "recording" if recording else "countdown")
        if preparing:
            allowed = self.tr("You will have {time} to answer").format(
                time=clock(question.answer_seconds * 1000))
            if not state.practice:
                left = question.tries - state.tries
                allowed += " · " + self.tr("%n tries left", None, left)
            self.allowance.setText(allowed)
            # The practice is never recorded: nothing on its screen speaks of recording.
            self.hint.setText(self.tr("Take a moment to think. Your practice answer starts by "
                                      "itself when the time is up.") if state.practice else
                              self.tr("Take a moment to think. The recording starts by itself "
                                      "when the time is up."))
        elif answering:
            self.hint.setText(self.tr("Look at the camera and speak clearly. Press Done when "
                                      "you have finished."))
        else:
            left = question.tries - state.tries
            self.status.setText(self.tr("Happy with your answer?"))
            self.hint.setText(self.tr("You can try again %n more times. A new answer replaces "
                                      "this one.", None, left))
            self.again.setText(self.tr("Try again (%n left)", None, left))
        self.review.show_state(state)

    def refresh(self, now: float) -> None:
        state = self._state
        if state is None or state.deadline is None:
            return
        total = max(0.001, state.deadline - state.entered_at)
        left = max(0.0, state.deadline - now)
        self.bar.setValue(round(1000 * left / total))
        if state.screen is flow.Screen.PREPARE:
            self.status.setText((self.tr("Your practice answer starts in {time}")
                                 if state.practice else self.tr("Recording starts in {time}"))
                                .format(time=countdown(left)))
        elif state.screen is flow.Screen.ANSWER:
            self.meter.set_level(self._level())
            self.status.setText((self.tr("● Recording  ·  {time} left") if state.recording
                                 else self.tr("Practice  ·  {time} left"))
                                .format(time=countdown(left)))

    def first_focus(self) -> QWidget:
        return {flow.Screen.PREPARE: self.start, flow.Screen.ANSWER: self.done}.get(
            self._state.screen if self._state else flow.Screen.PREPARE, self.keep)


class ThankYouScreen(CandidateScreen):
    def __init__(self) -> None:
        super().__init__()
        layout = page(self)
        centre = Qt.AlignmentFlag.AlignHCenter
        layout.addStretch(2)
        self.headline = label("", "headline", align=centre, max_lines=2)
        layout.addWidget(self.headline)
        self.lead = label("", "lead", align=centre)
        layout.addWidget(self.lead)
        self.problem = label("", "problem", align=centre)
        layout.addWidget(self.problem)
        self.hint = label("", "hint", align=centre)
        layout.addWidget(self.hint)
        layout.addStretch(3)
        self.retranslate()

    def retranslate(self) -> None:
        self.hint.setText(self.tr("You can leave the booth now. This screen goes back to the "
                                  "start by itself."))

    def show_state(self, state: FlowState, interview: InterviewFlow, entered: bool) -> None:
        self.headline.setText(self.tr("Thank you, {name}").format(name=state.candidate)
                              if state.candidate else self.tr("Thank you"))
        self.lead.setText(self.tr("Saving your interview…") if state.saving
                          else self.tr("Your interview is saved. The recruiters will be in "
                                       "touch."))
        self.problem.setText(notice(state.message))
        self.problem.setVisible(bool(state.message))


class UnavailableScreen(CandidateScreen):
    def __init__(self) -> None:
        super().__init__()
        layout = page(self)
        layout.addStretch(2)
        self.headline = label("", "headline")
        layout.addWidget(self.headline)
        self.lead = label("", "lead")
        layout.addWidget(self.lead)
        self.problem = label("", "problem")
        layout.addWidget(self.problem)
        self.back = KioskButton("", primary=True)
        self.back.clicked.connect(lambda: self.intent.emit(flow.Back()))
        layout.addLayout(button_row(self.back, align="left"))
        layout.addStretch(3)
        self.retranslate()

    def retranslate(self) -> None:
        self.headline.setText(self.tr("Sorry, this booth cannot go on"))
        self.lead.setText(self.tr("Please tell a member of staff. Anything you already "
                                  "answered is kept."))
        self.back.setText(self.tr("Back to the start"))

    def show_state(self, state: FlowState, interview: InterviewFlow, entered: bool) -> None:
        self.problem.setText(notice(state.message))

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
        layout.addWidget(label(self.tr("This booth is not ready yet"), "headline"))
        layout.addWidget(label(self.tr("Please tell a member of staff."), "lead"))
        # Wrapped inside a long path too; not selectable (a kiosk opens no Copy menu): the
        # same words are on stderr, in the log, for IT.
        self.problem = label(problem, "problem")
        layout.addWidget(self.problem)
        layout.addStretch(3)
