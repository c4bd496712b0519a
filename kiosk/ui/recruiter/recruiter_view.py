"""The review side once unlocked: the sessions list, one session's details, the Schedule
page (today's candidates and their accommodations) behind the Schedule button, and for an
admin the booth page (health, operators, settings) behind the Booth button.

It locks itself (`locked()`) when the operator presses Lock (or Ctrl+L) or after
`[review] idle_lock_minutes` without input, never while a recording plays or an export
runs. Locking stops playback, saves the time watched and lets go of the file; after
`locked()` the view is spent: the main window drops it and builds a new one for the next
operator. It makes no assumption about the window around it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.config import Settings
from kiosk.store.database import Database
from kiosk.store.operators import SignedInOperator
from kiosk.store.review import list_session_rows
from kiosk.ui.recruiter.booth_page import BoothPage
from kiosk.ui.recruiter.details import DetailsPane
from kiosk.ui.recruiter.idle import IdleWatch
from kiosk.ui.recruiter.schedule_page import SchedulePage
from kiosk.ui.recruiter.sessions_list import SessionsList
from kiosk.ui.recruiter.style import apply_recruiter_style


class RecruiterView(QWidget):
    locked = Signal()

    def __init__(self, settings: Settings, db: Database, operator: SignedInOperator,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recruiterView")
        apply_recruiter_style(self)
        self.operator = operator
        self._db, self._settings = db, settings
        self._spent = False
        self._list_stale = False

        self.title = QLabel("Interviews", objectName="viewTitle")
        who = QLabel(f"{operator.name}  ·  {operator.role.value}", objectName="muted")
        self.schedule_button = QPushButton("Schedule", objectName="scheduleButton")
        self.schedule_button.setToolTip("Today's candidates: add one, change their "
                                        "accommodations, cancel an interview")
        self.schedule_button.setAutoDefault(True)
        # A recruiter gets no Booth button at all, not a hidden one that could be reached.
        self.booth_button: QPushButton | None = None
        if operator.is_admin:
            self.booth_button = QPushButton("Booth", objectName="boothButton")
            self.booth_button.setToolTip("The booth's health, who can sign in, and its settings")
            self.booth_button.setAutoDefault(True)
        self.lock_button = QPushButton("Lock", objectName="lockButton")
        self.lock_button.setToolTip("Lock the review side and go back to the kiosk (Ctrl+L)")
        self.lock_button.setAutoDefault(True)
        self.notice = QLabel(objectName="notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(who)
        top.addSpacing(16)
        top.addWidget(self.schedule_button)
        top.addSpacing(4)
        if self.booth_button is not None:
            top.addWidget(self.booth_button)
            top.addSpacing(4)
        top.addWidget(self.lock_button)

        self.sessions = SessionsList(settings.recordings_dir, db=db)
        self._details: DetailsPane | None = None
        self._booth: BoothPage | None = None
        self._schedule: SchedulePage | None = None
        self.pages = QStackedWidget()
        self.pages.addWidget(self.sessions)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 20, 28, 20)
        layout.setSpacing(14)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(self.pages, stretch=1)

        self.idle = IdleWatch(settings.review.idle_lock_minutes * 60, self)
        self.idle.idle.connect(self.lock)
        self.lock_button.clicked.connect(self.lock)
        self.schedule_button.clicked.connect(self.open_schedule)
        if self.booth_button is not None:
            self.booth_button.clicked.connect(self.open_booth)
        lock_key = QShortcut(QKeySequence("Ctrl+L"), self)
        lock_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        lock_key.activated.connect(self.lock)
        find_key = QShortcut(QKeySequence.StandardKey.Find, self.sessions)
        find_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find_key.activated.connect(self.sessions.focus_search)
        self.sessions.opened.connect(self.open_session)
        self.sessions.moment_opened.connect(self.open_moment)
        self.reload()
        self.idle.start()
        # What the list does not need to be seen is made once it has been painted.
        self.sessions.table.painted.connect(self._after_first_paint,
                                            Qt.ConnectionType.SingleShotConnection)

    @property
    def details(self) -> DetailsPane:
        """The details pane (with its media player), made the first time it is needed."""
        if self._details is None:
            details = DetailsPane(self._settings, self._db, self.operator)
            details.back.connect(self.show_list)
            details.changed.connect(self._mark_list_stale)
            details.deleted.connect(self._deleted)
            details.busy_changed.connect(self.idle.set_busy)
            self.pages.addWidget(details)
            self._details = details
        return self._details

    @property
    def booth(self) -> BoothPage:
        """The admin's booth page, made the first time it is opened (it refuses others)."""
        if self._booth is None:
            booth = BoothPage(self._settings, self._db, self.operator)
            booth.back.connect(self.show_list)
            self.pages.addWidget(booth)
            self._booth = booth
        return self._booth

    @property
    def schedule(self) -> SchedulePage:
        """The Schedule page, made the first time it is opened."""
        if self._schedule is None:
            schedule = SchedulePage(self._db, self.operator)
            schedule.back.connect(self.show_list)
            # A candidate added, changed or cancelled is a row of the list too.
            schedule.changed.connect(self._mark_list_stale)
            self.pages.addWidget(schedule)
            self._schedule = schedule
        return self._schedule

    def _after_first_paint(self) -> None:
        # Queued behind the paint, so the list is on screen before this work starts.
        QTimer.singleShot(0, self._prepare)

    def _prepare(self) -> None:
        if not self._spent:
            self.details  # noqa: B018 - made now, while nobody waits for it
            self.sessions.prepare_search()

    def reload(self, keep: str | None = None) -> None:
        self.sessions.set_rows(list_session_rows(self._db), keep=keep)
        self._list_stale = False

    def open_session(self, session_id: str) -> None:
        if self.details.session_id == session_id and self.pages.currentWidget() is self.details:
            return
        self.notice.hide()
        self.details.show_session(session_id)
        self.pages.setCurrentWidget(self.details)
        self.details.back_button.setFocus()

    def open_moment(self, session_id: str, ms: int) -> None:
        """Open a session and play it from `ms`, where the words searched for were said."""
        self.open_session(session_id)
        self.details.play_moment(ms, self.sessions.search.text())

    def show_list(self) -> None:
        session_id = None
        if self._details is not None:
            session_id = self._details.session_id
            self._details.close_session()
        if self._list_stale:
            self.reload(keep=session_id)
        self.title.setText("Interviews")
        self.pages.setCurrentWidget(self.sessions)
        self.sessions.table.setFocus()

    def open_booth(self) -> None:
        """The booth page, looked at afresh (admins only: for anyone else, nothing)."""
        if not self.operator.is_admin or self._spent:
            return
        if self._booth is not None and self.pages.currentWidget() is self._booth:
            return
        if self._details is not None:
            self._details.close_session()  # stops playback and saves the time watched
        self.notice.hide()
        self.title.setText("Booth")
        self.booth.refresh()
        self.pages.setCurrentWidget(self.booth)
        self.booth.back_button.setFocus()

    def open_schedule(self) -> None:
        """The Schedule page, its list read afresh."""
        if self._spent:
            return
        if self._schedule is not None and self.pages.currentWidget() is self._schedule:
            return
        if self._details is not None:
            self._details.close_session()  # stops playback and saves the time watched
        self.notice.hide()
        self.title.setText("Schedule")
        self.schedule.refresh()
        self.pages.setCurrentWidget(self.schedule)
        self.schedule.focus_list()

    def lock(self) -> None:
        """Stop everything, let go of the recording, and say so (once)."""
        if self._spent:
            return
        self._spent = True
        self._stop_pages()
        self.locked.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop_pages()
        super().closeEvent(event)

    def _stop_pages(self) -> None:
        self.idle.stop()
        if self._details is not None:
            self._details.shutdown()
        if self._booth is not None:
            self._booth.shutdown()

    def hideEvent(self, event: QHideEvent) -> None:
        # Hidden by the window around it (not minimised): nobody is watching any more.
        if not event.spontaneous() and self._details is not None:
            self._details.player.pause()
        super().hideEvent(event)

    def _mark_list_stale(self, _session_id: str) -> None:
        self._list_stale = True

    def _deleted(self, session_id: str, problem: str) -> None:
        self.reload()
        self.title.setText("Interviews")
        self.pages.setCurrentWidget(self.sessions)
        self.notice.setText(problem or "The interview was deleted, with its recording, notes "
                                       "and ratings.")
        self.notice.show()
