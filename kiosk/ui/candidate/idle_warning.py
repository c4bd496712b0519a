""""Are you still there?": the idle warning, over whatever screen the candidate is on.

The flow decides when it shows (FlowState.idle_warning_until, the last seconds of the idle
time); this only shows it. It covers the whole kiosk, so the touch that answers it cannot
also press a button underneath ("Done" in the middle of an answer), and it takes the
keyboard focus for the same reason, giving it back when it goes. Any touch or key clears
it (the kiosk reports them as Activity); "I'm here" says so in words. It speaks the
candidate's language and wears their look (larger text, high contrast) like the screens.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.interview import flow
from kiosk.interview.flow import FlowState
from kiosk.ui.candidate.screens import label
from kiosk.ui.candidate.style import REFERENCE_HEIGHT, text_scale
from kiosk.ui.widgets.buttons import KioskButton

BACKDROP = QColor(23, 50, 77, 170)  # the screen beneath stays recognisable, but quiet
HIGH_CONTRAST_BACKDROP = QColor(0, 0, 0, 215)
REFRESH_MS = 100
CARD_WIDTH_SHARE = 0.56
# Sizes for a 1280x800 screen, scaled with the height like the candidate stylesheet.
COUNTDOWN_PX, BUTTON_PX, BUTTON_HEIGHT_PX, CARD_MARGIN_PX = 84, 30, 88, 40


class IdleWarning(QWidget):
    """Shown while `FlowState.idle_warning_until` is set; emits `intent` (StillHere)."""

    intent = Signal(object)

    def __init__(self, parent: QWidget, clock: Callable[[], float]) -> None:
        super().__init__(parent)
        self.setObjectName("idleWarning")
        self._clock = clock
        self._until: float | None = None
        self._return_focus: QWidget | None = None
        self._larger = self._contrast = False
        self._state: FlowState | None = None

        self.card = QFrame(objectName="card")
        self._card_layout = card = QVBoxLayout(self.card)
        card.setSpacing(16)
        self.headline = _label("", "headline")
        self.lead = _label("", "lead")
        self.countdown = _label("", "idleCountdown")
        self.countdown.setWordWrap(False)  # "12 seconds" on one line, always
        self.hint = _label("", "hint")
        self.here = KioskButton("", primary=True)
        self.here.setObjectName("idleHere")
        self.here.clicked.connect(lambda: self.intent.emit(flow.StillHere()))
        for widget in (self.headline, self.lead, self.countdown, self.hint):
            card.addWidget(widget)
        card.addSpacing(12)
        card.addWidget(self.here)
        # Stretches, not an alignment: an aligned card is given its width's height
        # for a single line of text, and a wrapped headline is cut off.
        across = QHBoxLayout()
        across.addStretch(1)
        across.addWidget(self.card)
        across.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(across)
        layout.addStretch(1)

        self._timer = QTimer(self, interval=REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        parent.installEventFilter(self)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._keep_focus)
        self._fit(parent)
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self.setAccessibleName(self.tr("Are you still there?"))
        self.headline.setText(self.tr("Are you still there?"))
        self.lead.setText(self.tr("This screen goes back to the start in"))
        self.here.setText(self.tr("I'm here"))
        if self._state is not None:
            self._show_hint(self._state)
        self.refresh()

    def set_look(self, *, larger_text: bool, high_contrast: bool) -> None:
        if (larger_text, high_contrast) != (self._larger, self._contrast):
            self._larger, self._contrast = larger_text, high_contrast
            parent = self.parentWidget()
            if parent is not None:
                self._fit(parent)
            self.update()

    @property
    def seconds_left(self) -> int | None:
        if self._until is None:
            return None
        return max(0, math.ceil(self._until - self._clock()))

    def show_state(self, state: FlowState) -> None:
        self._until = state.idle_warning_until
        self._state = state
        if self._until is None:
            self._dismiss()
            return
        self._show_hint(state)
        self.refresh()
        if not self.isVisible():
            self.raise_()
            self.show()
            self._timer.start()
            self._keep_focus(None, QApplication.focusWidget())
            self.here.setFocus(Qt.FocusReason.OtherFocusReason)  # also when none had it

    def _show_hint(self, state: FlowState) -> None:
        if state.recording:
            self.hint.setText(self.tr("Touch the screen or press any key to carry on. Your "
                                      "answer is still being recorded."))
        elif state.answered:
            self.hint.setText(self.tr("Touch the screen or press any key to carry on. Your "
                                      "answers so far are kept."))
        else:
            self.hint.setText(self.tr("Touch the screen or press any key to carry on."))

    def refresh(self) -> None:
        left = self.seconds_left
        if left is not None:
            self.countdown.setText(self.tr("%n seconds", None, left))

    def _keep_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        """While it shows, the focus stays on "I'm here", whatever beneath asks for it
        (a screen the clock moved on to, the window coming back from the staff side)."""
        parent = self.parentWidget()
        if (not self.isVisible() or new is None or new is self.here or parent is None
                or not parent.isAncestorOf(new) or self.isAncestorOf(new)):
            return
        self._return_focus = new
        self.here.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self._fit(watched)
        return False

    def mousePressEvent(self, event: QMouseEvent) -> None:
        event.accept()  # a touch beside the card is an answer too, not a press beneath

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), HIGH_CONTRAST_BACKDROP if self._contrast else BACKDROP)

    def _dismiss(self) -> None:
        if not self.isVisible():
            return
        self._timer.stop()
        self.hide()
        back, self._return_focus = self._return_focus, None
        if back is not None and back.isVisible() and back.isEnabled():
            back.setFocus(Qt.FocusReason.OtherFocusReason)

    def _fit(self, parent: QObject) -> None:
        assert isinstance(parent, QWidget)
        self.setGeometry(parent.rect())
        scale = max(0.8, parent.height() / REFERENCE_HEIGHT)
        text = text_scale(parent.height(), larger=self._larger)
        self.card.setFixedWidth(max(560, round(parent.width() * CARD_WIDTH_SHARE
                                               * (1.2 if self._larger else 1.0))))
        margin = round(CARD_MARGIN_PX * scale)
        self._card_layout.setContentsMargins(margin, margin, margin, margin)
        # The candidate's colours (kiosk.ui.candidate.style): red, blue and amber, or on
        # black, a light red, yellow and cyan.
        red, button, label, edge, focus, pressed = (
            ("#ff8a80", "#ffff00", "#000000", "#ffff00", "#00e5ff", "#c8c800") if self._contrast
            else ("#b3261e", "#1f5f8b", "#ffffff", "#1f5f8b", "#e0a100", "#174a6d"))
        self.setStyleSheet(
            f"QLabel#idleCountdown {{ font-size: {round(COUNTDOWN_PX * text)}px; "
            f"font-weight: 700; color: {red}; }}"
            f"QPushButton#idleHere {{ font-size: {round(BUTTON_PX * text)}px; "
            f"font-weight: 700; min-height: {round(BUTTON_HEIGHT_PX * text)}px; "
            f"padding: 0 {round(24 * scale)}px; "
            f"background: {button}; color: {label}; border: 2px solid {edge}; "
            f"border-radius: {round(14 * scale)}px; }}"
            f"QPushButton#idleHere:focus {{ border: {round((8 if self._contrast else 4) * scale)}px"
            f" solid {focus}; }}"
            f"QPushButton#idleHere:pressed {{ background: {pressed}; }}")


def _label(text: str, role: str) -> QLabel:
    return label(text, role, align=Qt.AlignmentFlag.AlignHCenter)
