"""The booth page's health section: one row per check, its verdict in words, "Check again".

The checks read the disk and the database and open the camera and the microphone, which can
take seconds (a network camera that does not answer, a large audit log), so they run on
worker threads and never on the GUI thread. A worker only fills a `Future`; a timer on the
GUI thread looks at the futures and puts what they hold on screen, so no other thread ever
touches a widget. The two groups (disk and database, devices) report separately: a slow
camera never holds back the rest.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.config import Settings
from kiosk.health import (
    CHECK_TITLES,
    DEVICES,
    STORAGE_AND_DATABASE,
    Check,
    check_devices,
    check_storage_and_database,
)
from kiosk.ui.formatting import breakable_paths

log = logging.getLogger(__name__)

POLL_MS = 50
# The verdict's look (recruiter.qss, by the `state` property) and a sign beside its words.
CHECKING = "Checking"
STATES = {"OK": ("ok", "\u2713"), "Problem": ("problem", "\u2715"),
          "Not checked": ("unknown", "\u2013"), CHECKING: ("pending", "\u2026")}


def in_background(work: Callable[[], list[Check]], name: str) -> Future[list[Check]]:
    """Run `work` on a daemon thread; its result (or exception) lands in the future.

    A daemon thread, not an executor's: a camera that hangs in OpenCV must not keep the
    kiosk from exiting, and nothing here needs to be waited for.
    """
    future: Future[list[Check]] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(work())
        except BaseException as exc:  # handed to the GUI thread, which shows it
            future.set_exception(exc)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future


class HealthRow(QFrame):
    """One check: the verdict (a sign and a word, coloured), its title, headline and detail."""

    def __init__(self, key: str, parent: QWidget | None = None, *,
                 title: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("healthRow")
        self.key = key
        self.state = QLabel(objectName="healthState", alignment=Qt.AlignmentFlag.AlignCenter)
        self.title = QLabel(title or CHECK_TITLES[key], objectName="healthTitle")
        self.headline = QLabel(objectName="healthHeadline")
        self.headline.setWordWrap(True)
        self.detail = QLabel(objectName="healthDetail")
        self.detail.setWordWrap(True)
        # Wrapped by the page's width, never widening it (a long path breaks at its slashes).
        self.detail.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.headline.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        grid = QGridLayout(self)
        grid.setContentsMargins(10, 8, 14, 8)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(2)
        # The verdict, the title and the headline share the first line; the detail is under
        # the title and the headline.
        grid.addWidget(self.state, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.title, 0, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.headline, 0, 2, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.detail, 1, 1, 1, 2)
        grid.setColumnStretch(2, 1)
        self.set_checking()

    @property
    def verdict(self) -> str:
        return self.state.property("verdict")

    def set_checking(self) -> None:
        """Mark the row as being checked again; what it said before stays until then."""
        self._set_verdict(CHECKING)
        if not self.headline.text():
            self.headline.setText("Checking\u2026")

    def show_check(self, check: Check) -> None:
        self._set_verdict(check.verdict)
        self.headline.setText(check.headline)
        self.detail.setText(breakable_paths(check.detail))
        self.detail.setToolTip(check.detail)
        self.detail.setVisible(bool(check.detail))
        self.setAccessibleDescription(f"{check.title}: {check.verdict}. {check.headline}. "
                                      f"{check.detail}")

    def _set_verdict(self, verdict: str) -> None:
        state, sign = STATES[verdict]
        self.state.setText(f"{sign}  {verdict}")
        self.state.setProperty("verdict", verdict)
        self.state.setProperty("state", state)
        # A property selector is only looked at when the widget is polished again.
        self.state.style().unpolish(self.state)
        self.state.style().polish(self.state)


class HealthPanel(QWidget):
    """`checked()` each time both groups have reported."""

    checked = Signal()

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("healthPanel")
        self._settings = settings
        self._pending: dict[tuple[str, ...], Future[list[Check]]] = {}

        self.check_button = QPushButton("Check again")
        self.check_button.setToolTip("Look at the disk, the database and the devices again")
        self.check_button.setAutoDefault(True)
        self.when = QLabel(objectName="muted")
        self.rows = {key: HealthRow(key) for key in CHECK_TITLES}

        header = QHBoxLayout()
        header.addWidget(QLabel("Health", objectName="sectionTitle"))
        header.addSpacing(12)
        header.addWidget(self.when)
        header.addStretch(1)
        header.addWidget(self.check_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(header)
        for row in self.rows.values():
            layout.addWidget(row)

        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._collect)
        self.check_button.clicked.connect(self.check_again)

    @property
    def checking(self) -> bool:
        return bool(self._pending)

    def check_again(self) -> None:
        """Start both groups of checks on worker threads (not while they still run)."""
        if self._pending:
            return
        groups = ((STORAGE_AND_DATABASE, lambda: check_storage_and_database(self._settings)),
                  (DEVICES, lambda: check_devices(self._settings.recording)))
        for keys, work in groups:
            for key in keys:
                self.rows[key].set_checking()
            self._pending[keys] = in_background(work, name=f"booth check {keys[0]}")
        self.check_button.setEnabled(False)
        self.when.setText("Checking\u2026")
        self._poll.start()

    def shutdown(self) -> None:
        """Stop listening; checks still running finish on their own and are forgotten."""
        self._poll.stop()
        self._pending.clear()

    def _collect(self) -> None:
        for keys, future in list(self._pending.items()):
            if not future.done():
                continue
            del self._pending[keys]
            try:
                checks = future.result()
            except Exception as exc:  # a bug in a check: say so in its rows, keep the page
                log.exception("a booth health check failed")
                checks = [Check(key, False, "The check itself failed", str(exc) or repr(exc))
                          for key in keys]
            for check in checks:
                self.rows[check.key].show_check(check)
        if not self._pending:
            self._poll.stop()
            self.check_button.setEnabled(True)
            self.when.setText(f"checked at {datetime.now().strftime('%H:%M:%S')}")
            self.checked.emit()
