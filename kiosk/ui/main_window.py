"""The kiosk's one window: the candidate's screens, locked, with a hidden way to the staff side.

In kiosk mode the window has no decorations, fills the screen and refuses to close: Alt+F4,
Escape and the window manager's close button do nothing. Staff open the PIN prompt with a
hidden gesture: five taps in the top-left corner within two seconds, or Ctrl+Alt+Shift+S.
A signed-in recruiter or admin gets the review side, which locks itself back to the kiosk.
A booth without an admin yet asks for one first.

The keyboard belongs to the page on screen. A page off screen is disabled, so whatever it
does meanwhile (the candidate's side going back to Welcome under the PIN prompt, and
focusing its Start button) can neither take the focus nor be handed a key; and a widget
off screen that takes the focus anyway gives it straight back. A recruiter's PIN never
lands in the next candidate's name field.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from kiosk.config import Settings
from kiosk.store.database import Database
from kiosk.store.deletion import purge_expired
from kiosk.store.operators import SignedInOperator, has_admin
from kiosk.ui.candidate.kiosk import CandidateKiosk
from kiosk.ui.recruiter.admin_setup import AdminSetup
from kiosk.ui.recruiter.pin_prompt import PinPrompt
from kiosk.ui.recruiter.recruiter_view import RecruiterView

log = logging.getLogger(__name__)

WINDOW_TITLE = "Interview Booth Kiosk"
CORNER_PX = 90
TAPS, TAPS_WITHIN_S = 5, 2.0
RETENTION_EVERY_MS = 24 * 3600 * 1000
STAFF_CHORD = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
               | Qt.KeyboardModifier.ShiftModifier, Qt.Key.Key_S)


class HiddenGesture(QObject):
    """Watches the whole application for the staff gesture; emits `triggered`."""

    triggered = Signal()

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._taps: list[float] = []
        self._last_press: tuple[int, QPoint] | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            where = event.globalPosition().toPoint()
            press = (event.timestamp(), where)
            if press == self._last_press:
                return False  # one press reaches the window and then each widget under it
            self._last_press = press
            self._tap(self._window.mapFromGlobal(where))
        elif event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            modifiers, key = STAFF_CHORD
            if event.key() == key and event.modifiers() == modifiers:
                self.triggered.emit()
                return True
        return False

    def _tap(self, point: QPoint) -> None:
        now = time.monotonic()
        if not (0 <= point.x() < CORNER_PX and 0 <= point.y() < CORNER_PX):
            self._taps.clear()
            return
        self._taps = [t for t in self._taps if now - t <= TAPS_WITHIN_S] + [now]
        if len(self._taps) >= TAPS:
            self._taps.clear()
            self.triggered.emit()


class MainWindow(QMainWindow):
    staff_requested = Signal()

    def __init__(self, candidate: QWidget, settings: Settings, db: Database, *,
                 locked: bool = True) -> None:
        super().__init__()
        self.setWindowTitle(WINDOW_TITLE)
        self.locked = locked
        if locked:
            self.setWindowFlags(Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint
                                | Qt.WindowType.WindowStaysOnTopHint)
        self._settings, self._db = settings, db
        self.candidate = candidate
        self.staff: QWidget | None = None  # the PIN prompt, admin set-up or review side
        self._refocusing = False
        self.pages = QStackedWidget()
        self.pages.addWidget(candidate)
        self.setCentralWidget(self.pages)
        self.gesture = HiddenGesture(self)
        self.gesture.triggered.connect(self.staff_requested)
        self.staff_requested.connect(self.open_staff_side)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.installEventFilter(self.gesture)
        # Connected for the window's life (it goes with the window): only its own widgets.
        app.focusChanged.connect(self._keep_focus_on_screen)
        # The start-up purge runs before the window; a booth left running purges daily.
        self._retention = QTimer(self, interval=RETENTION_EVERY_MS)
        self._retention.timeout.connect(self._purge_expired)
        self._retention.start()
        if not has_admin(db):
            self.open_staff_side()  # the first start asks for an admin PIN

    def open_staff_side(self) -> None:
        if self.staff is not None:
            return  # already there
        if has_admin(self._db):
            prompt = PinPrompt(self._db)
            prompt.unlocked.connect(self._signed_in)
            prompt.cancelled.connect(self.back_to_kiosk)
            self._show_staff(prompt)
        else:
            setup = AdminSetup(self._db)
            setup.done.connect(self._signed_in)
            self._show_staff(setup)

    def back_to_kiosk(self) -> None:
        self._show_page(self.candidate)
        self._drop(self.staff)
        self.staff = None

    def _signed_in(self, operator: SignedInOperator) -> None:
        view = RecruiterView(self._settings, self._db, operator)
        view.locked.connect(self.back_to_kiosk)
        self._show_staff(view)

    def _show_staff(self, page: QWidget) -> None:
        # The new page goes on screen before the old one goes: removing the page on screen
        # first would put the candidate's side up in between.
        previous, self.staff = self.staff, page
        self.pages.addWidget(page)
        self._show_page(page)
        self._drop(previous)

    def _drop(self, page: QWidget | None) -> None:
        if page is not None:
            self.pages.removeWidget(page)
            page.close()  # the review side saves the time watched, lets go of the file
            page.deleteLater()

    def _show_page(self, page: QWidget) -> None:
        page.setEnabled(True)
        self.pages.setCurrentWidget(page)
        # Disabled once off screen: disabling the page that holds the focus would pass it on.
        for index in range(self.pages.count()):
            other = self.pages.widget(index)
            if other is not page:
                other.setEnabled(False)
        # A staff page takes the focus itself when shown. The candidate's screens take it
        # only as their state changes, which they did unseen (and, disabled, in vain).
        if page is self.candidate:
            self._focus_candidate()
        elif not self._focus_is_on(page):
            page.setFocus(Qt.FocusReason.OtherFocusReason)

    def _focus_candidate(self) -> None:
        focus = None
        if isinstance(self.candidate, CandidateKiosk):
            focus = self.candidate.current_screen.first_focus()
        (focus or self.candidate).setFocus(Qt.FocusReason.OtherFocusReason)

    def _focus_is_on(self, page: QWidget) -> bool:
        focus = QApplication.focusWidget()
        return focus is not None and (focus is page or page.isAncestorOf(focus))

    def _keep_focus_on_screen(self, old: QWidget | None, new: QWidget | None) -> None:
        """A widget off screen that took the focus (QWidget.setFocus does not ask whether
        it is shown) hands it back to where it was, or to the page on screen."""
        if new is None or new.isVisible() or new.window() is not self or self._refocusing:
            return
        self._refocusing = True  # the focus given back may itself be refused once more
        try:
            if old is not None and old.isVisible() and old.window() is self:
                old.setFocus(Qt.FocusReason.OtherFocusReason)
            elif self.pages.currentWidget() is self.candidate:
                self._focus_candidate()
            else:
                self.pages.currentWidget().setFocus(Qt.FocusReason.OtherFocusReason)
        finally:
            self._refocusing = False

    def _purge_expired(self) -> None:
        try:
            purged = purge_expired(self._db, self._settings)
        except Exception:
            log.exception("the daily retention purge failed; it runs again tomorrow")
            return
        if purged:
            log.info("retention: %d session(s) deleted", len(purged))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.locked:
            event.ignore()  # Alt+F4 and the window manager's close: the candidate cannot leave
            return
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.removeEventFilter(self.gesture)
        if self.staff is not None:
            self.staff.close()  # the review side saves the time watched and lets go of the file
        if isinstance(self.candidate, CandidateKiosk):
            self.candidate.shutdown()
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            return  # swallowed: nothing on the candidate's side closes with Escape
        super().keyPressEvent(event)

    def unlock_and_close(self) -> None:
        """For staff who chose to quit: the only way this window closes in kiosk mode."""
        self.locked = False
        self.close()
