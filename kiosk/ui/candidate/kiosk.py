"""The candidate side of the booth: the flow, the booth that carries it out, and its screens.

The flow (kiosk.interview.flow) is only ever touched on the GUI thread: the screens' intents
reach it directly, the booth's reports (from its worker thread) through a queued signal, and
time through a 10 Hz timer that also moves countdowns and meters.

A new screen takes no touch or key for a moment (Settle): a tap or a key acts only on the
screen it was meant for. And the window's size is the window's: nothing a screen shows (a
long name) can make it ask for more.

Each candidate's screens are in their language and their look: when the flow's state names
another language (the candidate chose one, or Welcome went back to the booth's), the
candidate's translator is switched (kiosk.ui.i18n), the kiosk turns right-to-left for a
language written so, and every screen retranslates before the state is shown; larger text
and high contrast (the candidate's aids or a recruiter's accommodations) restyle the screens.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QInputEvent, QResizeEvent
from PySide6.QtWidgets import QApplication, QLayout, QStackedLayout, QWidget

from kiosk.capture.frames import VideoFrame
from kiosk.capture.live import SILENCE_DBFS
from kiosk.config import Settings
from kiosk.interview import flow
from kiosk.interview.booth import Booth, OpenSources
from kiosk.interview.flow import FlowState, InterviewFlow, Screen, Timing
from kiosk.interview.question_sets import QuestionSet, QuestionSets
from kiosk.storage.worker import UploadWorker
from kiosk.store.database import Database
from kiosk.store.sessions import accommodations_of, scheduled_today
from kiosk.transcripts.worker import TranscriptWorker
from kiosk.ui.candidate import screens
from kiosk.ui.candidate.idle_warning import IdleWarning
from kiosk.ui.candidate.read_aloud import QuestionReader
from kiosk.ui.candidate.style import candidate_stylesheet
from kiosk.ui.i18n import CandidateTranslation

TICK_MS = 100
ACTIVITY_EVENTS = (QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin)
# A screen takes no touch or key for this long after it appears: the second tap of a double
# tap, a key pressed twice, a finger already on its way when the screen changed by itself,
# then act on nothing instead of on whatever the new screen has in that place. Qt's default
# double-click interval: two presses closer than this are one gesture, not two decisions.
SETTLE_MS = 400
SETTLE_EVENTS = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
                 QEvent.Type.MouseButtonDblClick, QEvent.Type.KeyPress, QEvent.Type.KeyRelease)


class Settle:
    """Whether a touch or key is one the screen on show may take.

    A screen the candidate's own press brought is judged on the input's own clock, the time
    the touch screen or keyboard gave each event, from the press that brought it: a second
    tap 80 ms after the first is caught even if the booth was busy and both arrive at once.
    A screen that came by itself (a countdown ran out, a device failed) is judged by arrival:
    Space pressed for "Start answering now" as the countdown ends is not "Done".
    An event with no time of its own was made by software (a test driver, an accessibility
    tool), not by a hand: there is nothing to judge it by, and it is taken; having acted on
    the new screen, it has seen it, so the moment is over for what follows too.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._since_ms: int | None = None  # the press that brought the screen, its own time
        self._until_s = 0.0  # a screen that came by itself takes input from then, by `clock`
        self._newest_ms = 0  # the newest input the screens were given, on its own clock

    def restart(self, *, by_input: bool) -> None:
        """A new screen is on show; `by_input`: brought by the input just given."""
        if by_input:
            self._since_ms, self._until_s = self._newest_ms or None, 0.0
        else:
            self._since_ms, self._until_s = None, self._clock() + SETTLE_MS / 1000

    def takes(self, event: QInputEvent) -> bool:
        made = event.timestamp()
        if not made:
            self._until_s, self._newest_ms = 0.0, 0
            return True
        if self._since_ms is not None:
            # (Negative when a device's clock wrapped round: long after, then.)
            settled = not 0 <= made - self._since_ms < SETTLE_MS
        else:
            settled = self._clock() >= self._until_s
        if settled:
            self._newest_ms = made
        return settled


class _Reports(QObject):
    """Carries the booth's reports from its thread to the GUI thread."""

    arrived = Signal(object)


class CandidateKiosk(QWidget):
    def __init__(self, settings: Settings, db: Database, questions: QuestionSets | QuestionSet,
                 open_sources: OpenSources, *,
                 clock: Callable[[], float] = time.monotonic,
                 transcripts: TranscriptWorker | None = None,
                 uploads: UploadWorker | None = None) -> None:
        super().__init__()
        self.setObjectName("candidate")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self._db, self._clock, self._style_height = db, clock, 0
        self.translation = CandidateTranslation()
        self._look: tuple[bool, bool] = (False, False)  # larger text, high contrast
        self._shown_entered_at: float | None = None
        self.flow = InterviewFlow(
            questions, Timing(idle_s=settings.interview.idle_seconds,
                              thank_you_s=settings.interview.thank_you_seconds), clock)
        self._reports = _Reports(self)
        self._reports.arrived.connect(self.flow.handle, Qt.ConnectionType.QueuedConnection)
        self.booth = Booth(db, settings, open_sources, report=self._reports.arrived.emit,
                           transcripts=transcripts, uploads=uploads)
        self.flow.on_effect(self.booth.carry_out)

        self.welcome = screens.WelcomeScreen(settings.interview.languages)
        self.identify = screens.IdentifyScreen(self._scheduled)
        self.consent = screens.ConsentScreen()
        self.device_check = screens.DeviceCheckScreen(self._latest_frame, self._level,
                                                      self.booth.advice)
        self.practice = screens.PracticeScreen()
        self.question = screens.QuestionScreen(self._latest_frame, self._level,
                                               self.booth.newest_take)
        self.thank_you = screens.ThankYouScreen()
        self.unavailable = screens.UnavailableScreen()
        self._screens: dict[Screen, screens.CandidateScreen] = {
            Screen.WELCOME: self.welcome, Screen.IDENTIFY: self.identify,
            Screen.CONSENT: self.consent, Screen.DEVICE_CHECK: self.device_check,
            Screen.PRACTICE: self.practice, Screen.PREPARE: self.question,
            Screen.ANSWER: self.question, Screen.RETAKE: self.question,
            Screen.THANK_YOU: self.thank_you, Screen.UNAVAILABLE: self.unavailable,
        }
        self._settle = Settle(clock)
        self._by_input = False
        self._stack = QStackedLayout(self)
        # The window sets the screens' size, never a screen the window's (see minimumSizeHint).
        self._stack.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        for screen in dict.fromkeys(self._screens.values()):
            self._stack.addWidget(screen)
            screen.intent.connect(self._intent)
        self.flow.on_change(self._show)
        # After _show: over the screen it has just shown, and with the focus it gave.
        self.idle_warning = IdleWarning(self, clock)
        self.idle_warning.intent.connect(self.flow.handle)
        self.flow.on_change(self.idle_warning.show_state)
        self.reader = QuestionReader(self)
        self.flow.on_change(lambda s: self.reader.show_state(s, self.flow))
        self.question.read_again.clicked.connect(self.reader.read_again)

        self._ticker = QTimer(self, interval=TICK_MS)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        self._show(self.flow.state)

    @property
    def current_screen(self) -> screens.CandidateScreen:
        return self._screens[self.flow.state.screen]

    def shutdown(self) -> None:
        """Stop the flow's timers and keep whatever is being recorded (see Booth.shutdown)."""
        self._ticker.stop()
        self.reader.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.booth.shutdown()
        self.translation.close()

    def minimumSizeHint(self) -> QSize:
        # Without a window manager nothing would shrink a window back: a screen whose text
        # asked for more than the screen (a long name) would widen it for every candidate
        # after. Texts wrap or elide instead; this makes sure of it.
        return QSize(0, 0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Any touch or key anywhere on the candidate's screens says they are still there.
        if event.type() in ACTIVITY_EVENTS and self.isVisible():
            self.flow.handle(flow.Activity())
        if (event.type() in SETTLE_EVENTS and isinstance(event, QInputEvent)
                and isinstance(watched, QWidget)
                and (watched is self or self.isAncestorOf(watched))):
            return not self._settle.takes(event)  # True: dropped, meant for the screen before
        return False

    def _intent(self, event: flow.Event) -> None:
        """A screen's intent: the touch or key being handled brought it."""
        self._by_input = True
        try:
            self.flow.handle(event)
        finally:
            self._by_input = False

    def resizeEvent(self, event: QResizeEvent) -> None:
        height = event.size().height()
        if abs(height - self._style_height) > 20:
            self._style_height = height
            self._restyle()
        super().resizeEvent(event)

    def _restyle(self) -> None:
        larger, contrast = self._look
        self.setStyleSheet(candidate_stylesheet(self._style_height or self.height(),
                                                larger_text=larger, high_contrast=contrast))
        self.idle_warning.set_look(larger_text=larger, high_contrast=contrast)
        for screen in dict.fromkeys(self._screens.values()):
            screen.set_look(larger_text=larger)

    def _switch_language(self, code: str) -> None:
        language = self.translation.switch(code)
        self.setLocale(language.locale)
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft if language.right_to_left
                                else Qt.LayoutDirection.LeftToRight)
        for screen in dict.fromkeys(self._screens.values()):
            screen.retranslate()
        self.idle_warning.retranslate()

    def _show(self, state: FlowState) -> None:
        if state.language != self.translation.code:
            self._switch_language(state.language)
        look = (state.larger_text, state.high_contrast)
        if look != self._look:
            self._look = look
            self._restyle()
        screen = self._screens[state.screen]
        # Every screen (and each mode of the question screen) sets its own entry time.
        entered = state.entered_at != self._shown_entered_at
        if entered and self._shown_entered_at is not None:  # not the first, at start-up
            self._settle.restart(by_input=self._by_input)
        self._shown_entered_at = state.entered_at
        screen.show_state(state, self.flow, entered)
        self._stack.setCurrentWidget(screen)
        if entered:
            focus = screen.first_focus()
            if focus is not None:
                focus.setFocus(Qt.FocusReason.OtherFocusReason)
        screen.refresh(self._clock())

    def _tick(self) -> None:
        state = self.flow.state
        # The room's own sound is heard at the device check; while answering, only a voice
        # above it says the candidate is here (kiosk.interview.booth.is_voice).
        room, level = self.booth.room, self._level()
        if state.screen is Screen.DEVICE_CHECK and state.devices is flow.Devices.READY:
            room.measure(level)
        elif state.screen is Screen.ANSWER and state.recording and room.hears_voice(level):
            self.flow.handle(flow.Activity())
        self.flow.handle(flow.Tick())
        self.current_screen.refresh(self._clock())

    def _latest_frame(self) -> VideoFrame | None:
        sources = self.booth.sources
        return sources.latest_frame if sources is not None else None

    def _level(self) -> float:
        sources = self.booth.sources
        return sources.level_dbfs if sources is not None else SILENCE_DBFS

    def _scheduled(self) -> list[screens.Scheduled]:
        with self._db.session() as db:
            return [screens.Scheduled(s.id, s.candidate_name, s.position, accommodations_of(s))
                    for s in scheduled_today(db)]
