"""The candidate side of the booth: the flow, the booth that carries it out, and its screens.

The flow (kiosk.interview.flow) is only ever touched on the GUI thread: the screens' intents
reach it directly, the booth's reports (from its worker thread) through a queued signal, and
time through a 10 Hz timer that also moves countdowns and meters.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QApplication, QStackedLayout, QWidget

from kiosk.capture.frames import VideoFrame
from kiosk.capture.live import SILENCE_DBFS
from kiosk.config import Settings
from kiosk.interview import flow
from kiosk.interview.booth import Booth, OpenSources
from kiosk.interview.flow import FlowState, InterviewFlow, Screen, Timing
from kiosk.interview.question_sets import QuestionSet
from kiosk.store.database import Database
from kiosk.store.sessions import scheduled_today
from kiosk.ui.candidate import screens
from kiosk.ui.candidate.style import candidate_stylesheet

TICK_MS = 100
# Speech well above a quiet room's hiss: while answering, the voice says the candidate is here.
VOICE_DBFS = -45.0
ACTIVITY_EVENTS = (QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin)


class _Reports(QObject):
    """Carries the booth's reports from its thread to the GUI thread."""

    arrived = Signal(object)


class CandidateKiosk(QWidget):
    def __init__(self, settings: Settings, db: Database, questions: QuestionSet,
                 open_sources: OpenSources, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.setObjectName("candidate")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self._db, self._clock, self._style_height = db, clock, 0
        self._shown_entered_at: float | None = None
        self.flow = InterviewFlow(
            questions, Timing(idle_s=settings.interview.idle_seconds,
                              thank_you_s=settings.interview.thank_you_seconds), clock)
        self._reports = _Reports(self)
        self._reports.arrived.connect(self.flow.handle, Qt.ConnectionType.QueuedConnection)
        self.booth = Booth(db, settings, open_sources, report=self._reports.arrived.emit)
        self.flow.on_effect(self.booth.carry_out)

        self.welcome = screens.WelcomeScreen()
        self.welcome.set_lead(len(questions.questions), practice=questions.practice is not None)
        self.identify = screens.IdentifyScreen(self._scheduled)
        self.consent = screens.ConsentScreen()
        self.device_check = screens.DeviceCheckScreen(self._latest_frame, self._level)
        self.practice = screens.PracticeScreen()
        self.question = screens.QuestionScreen(self._latest_frame, self._level)
        self.thank_you = screens.ThankYouScreen()
        self.unavailable = screens.UnavailableScreen()
        self._screens: dict[Screen, screens.CandidateScreen] = {
            Screen.WELCOME: self.welcome, Screen.IDENTIFY: self.identify,
            Screen.CONSENT: self.consent, Screen.DEVICE_CHECK: self.device_check,
            Screen.PRACTICE: self.practice, Screen.PREPARE: self.question,
            Screen.ANSWER: self.question, Screen.RETAKE: self.question,
            Screen.THANK_YOU: self.thank_you, Screen.UNAVAILABLE: self.unavailable,
        }
        self._stack = QStackedLayout(self)
        for screen in dict.fromkeys(self._screens.values()):
            self._stack.addWidget(screen)
            screen.intent.connect(self.flow.handle)
        self.flow.on_change(self._show)

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
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.booth.shutdown()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Any touch or key anywhere on the candidate's screens says they are still there.
        if event.type() in ACTIVITY_EVENTS and self.isVisible():
            self.flow.handle(flow.Activity())
        return False

    def resizeEvent(self, event: QResizeEvent) -> None:
        height = event.size().height()
        if abs(height - self._style_height) > 20:
            self._style_height = height
            self.setStyleSheet(candidate_stylesheet(height))
        super().resizeEvent(event)

    def _show(self, state: FlowState) -> None:
        screen = self._screens[state.screen]
        # Every screen (and each mode of the question screen) sets its own entry time.
        entered = state.entered_at != self._shown_entered_at
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
        if state.screen is Screen.ANSWER and state.recording and self._level() > VOICE_DBFS:
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
            return [screens.Scheduled(s.id, s.candidate_name, s.position)
                    for s in scheduled_today(db)]
