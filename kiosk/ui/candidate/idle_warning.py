""""Are you still there?": the idle warning, over whatever screen the candidate is on.

The flow decides when it shows (FlowState.idle_warning_until, the last seconds of the idle
time); this only shows it. It covers the whole kiosk, so the touch that answers it cannot
also press a button underneath ("Done" in the middle of an answer), and it takes the
keyboard focus for the same reason, giving it back when it goes. Any touch or key clears
it (the kiosk reports them as Activity); "I'm here" says so in words.
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
from kiosk.ui.candidate.style import REFERENCE_HEIGHT
from kiosk.ui.widgets.buttons import KioskButton

BACKDROP = QColor(23, 50, 77, 170)  # the screen beneath stays recognisable, but quiet
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
        self.setAccessibleName("Are you still there?")

        self.card = QFrame(objectName="card")
        self._card_layout = card = QVBoxLayout(self.card)
        card.setSpacing(16)
        self.headline = _label("Are you still there?", "headline")
        self.lead = _label("This screen goes back to the start in", "lead")
        self.countdown = _label("", "idleCountdown")
        self.countdown.setWordWrap(False)  # "12 seconds" on one line, always
        self.hint = _label("", "hint")
        self.here = KioskButton("I'm here", primary=True)
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
        self.hide()

    @property
    def seconds_left(self) -> int | None:
        if self._until is None:
            return None
        return max(0, math.ceil(self._until - self._clock()))

    def show_state(self, state: FlowState) -> None:
        self._until = state.idle_warning_until
        if self._until is None:
            self._dismiss()
            return
        if state.recording:
            self.hint.setText("Touch the screen or press any key to carry on. Your answer is "
                              "still being recorded.")
        elif state.answered:
            self.hint.setText("Touch the screen or press any key to carry on. Your answers "
                              "so far are kept.")
        else:
            self.hint.setText("Touch the screen or press any key to carry on.")
        self.refresh()
        if not self.isVisible():
            self.raise_()
            self.show()
            self._timer.start()
            self._keep_focus(None, QApplication.focusWidget())
            self.here.setFocus(Qt.FocusReason.OtherFocusReason)  # also when none had it

    def refresh(self) -> None:
        left = self.seconds_left
        if left is not None:
            self.countdown.setText(f"{left} second{'s' if left != 1 else ''}")

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
        painter.fillRect(self.rect(), BACKDROP)

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
        self.card.setFixedWidth(max(560, round(parent.width() * CARD_WIDTH_SHARE)))
        margin = round(CARD_MARGIN_PX * scale)
        self._card_layout.setContentsMargins(margin, margin, margin, margin)
        self.setStyleSheet(
            f"QLabel#idleCountdown {{ font-size: {round(COUNTDOWN_PX * scale)}px; "
            f"font-weight: 700; color: #b3261e; }}"
            f"QPushButton#idleHere {{ font-size: {round(BUTTON_PX * scale)}px; "
            f"font-weight: 700; min-height: {round(BUTTON_HEIGHT_PX * scale)}px; "
            f"background: #1f5f8b; color: #ffffff; border: 2px solid #1f5f8b; "
            f"border-radius: {round(14 * scale)}px; }}"
            f"QPushButton#idleHere:focus {{ border: {round(4 * scale)}px solid #e0a100; }}"
            f"QPushButton#idleHere:pressed {{ background: #174a6d; }}")


def _label(text: str, role: str) -> QLabel:
    return label(text, role, align=Qt.AlignmentFlag.AlignHCenter)
