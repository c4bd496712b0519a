"""The admin's booth page: the booth's health, who can sign in, and the settings in use.

Opened from the review side's Booth button, which only an admin has; the page itself
refuses anyone else, so no other way in can reach it either. The settings are shown, not
edited: they live in the settings file that IT manages (README, "Settings").
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.config import Settings
from kiosk.health import booth_settings
from kiosk.store.database import Database
from kiosk.store.operators import SignedInOperator
from kiosk.ui.candidate.read_aloud import QuestionReader, VoiceStatus
from kiosk.ui.formatting import breakable_paths
from kiosk.ui.recruiter.health_panel import HealthPanel, HealthRow
from kiosk.ui.recruiter.operators_panel import OperatorsPanel

COLUMN_SPACING = 24
# An engine that has not opened in this long will not: a daemon that took the connection and
# never answers. (speechd opens in about 1.5 s on a 2-core booth.)
VOICE_CHECK_S = 15
# Room for the settings' values to wrap onto more lines than their size hint reckons.
SETTINGS_SLACK = 48


class SettingsList(QWidget):
    """The settings that matter, read-only, as label and value."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsList")
        self.values: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(6)
        for row, (label, value) in enumerate(booth_settings(settings)):
            name = QLabel(label, objectName="settingName")
            shown = QLabel(breakable_paths(value), objectName="settingValue")
            shown.setToolTip(value)
            shown.setWordWrap(True)
            # A long folder path wraps at its slashes; it never pushes the page off the screen.
            shown.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(shown, row, 1)
            self.values[label] = shown
        grid.setColumnStretch(1, 1)
        note = QLabel("read-only: IT changes them in the settings file", objectName="muted")
        title = QHBoxLayout()
        title.setSpacing(12)
        title.addWidget(QLabel("Settings", objectName="sectionTitle"))
        title.addWidget(note, stretch=1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(title)
        layout.addLayout(grid)


class VoiceRow(HealthRow):
    """The "Read aloud" row: which engine and voice read each of the booth's languages, or
    that there is none and why. A health row built here because the voice is Qt's
    (kiosk.health stays Qt-free). It opens an engine of its own, as the candidate's reader
    does (on the reader's thread, never blocking the page), and closes it once it has looked.
    """

    checked = Signal()

    def __init__(self, languages: tuple[str, ...] | list[str], engine: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__("read aloud", parent, title="Read aloud")
        self._languages, self._engine = tuple(languages), engine
        self._reader: QuestionReader | None = None
        self.status: VoiceStatus | None = None
        self.detail.hide()
        self._give_up = QTimer(self, singleShot=True, interval=VOICE_CHECK_S * 1000)
        self._give_up.timeout.connect(self._no_answer)

    @property
    def checking(self) -> bool:
        return self._reader is not None

    def check_again(self) -> None:
        if self._reader is not None:
            return
        self.set_checking()
        self._reader = QuestionReader(self, self._engine, languages=self._languages)
        self._reader.status_changed.connect(self._looked)
        self._reader.look()
        self._give_up.start()

    def shutdown(self) -> None:
        self._give_up.stop()
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.deleteLater()  # its thread ends by itself once it has looked

    def _looked(self, status: VoiceStatus) -> None:
        self.shutdown()
        self.show_status(status)
        self.checked.emit()

    def _no_answer(self) -> None:
        # The look goes on (its thread is ended when the kiosk exits), and this check with
        # it; "Check again" looks anew.
        self.shutdown()
        self.show_status(VoiceStatus("", f"The speech engine did not answer in "
                                         f"{VOICE_CHECK_S} s. Is speech-dispatcher hung?"))
        self.checked.emit()

    def show_status(self, status: VoiceStatus) -> None:
        self.status = status
        if not status.available:
            verdict, headline = "Problem", "No voice: questions are not read aloud"
            detail = status.reason
        else:
            verdict = "Problem" if status.missing else "OK"
            headline = f"{status.engine} engine"
            detail = "\n".join(voice.described() for voice in status.voices)
            if status.missing:
                names = ", ".join(voice.name for voice in status.missing)
                detail += f"\nQuestions in {names} are not read aloud (no voice)."
        self._set_verdict(verdict)
        self.headline.setText(headline)
        self.detail.setText(detail)
        self.detail.setToolTip(detail)
        self.detail.setVisible(bool(detail))
        self.setAccessibleDescription(f"Read aloud: {verdict}. {headline}. {detail}")


class BoothPage(QWidget):
    """`back()` when the admin goes back to the interviews."""

    back = Signal()

    def __init__(self, settings: Settings, db: Database, operator: SignedInOperator,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if not operator.is_admin:
            raise PermissionError("The booth page is for admins only.")
        self.setObjectName("boothPage")

        self.back_button = QPushButton("\u2039  All interviews", objectName="backButton")
        self.back_button.setToolTip("Back to the list (Alt+Left)")
        self.back_button.setAutoDefault(True)
        self.health = HealthPanel(settings)
        self.voice = VoiceRow(settings.interview.languages)
        self.operators = OperatorsPanel(db, operator)
        self.settings_list = SettingsList(settings)

        header = QHBoxLayout()
        header.addWidget(self.back_button)
        header.addStretch(1)

        left, self._left = _column()
        # Aligned, not followed by a stretch: an aligned widget gets the height its wrapped
        # text needs at the column's width; the leftover stays below, not inside the rows.
        # The last of the health rows, though not one of kiosk.health's checks.
        self.health.layout().addWidget(self.voice)
        self._left.addWidget(self.health, alignment=Qt.AlignmentFlag.AlignTop)
        right, self._right = _column()
        self._right.addWidget(self.operators, stretch=1)
        self._right.addWidget(self.settings_list)
        # A column each, scrolling on its own: a long problem in the health rows does not
        # stretch the operators' list, and an open form never squeezes the settings.
        columns = QHBoxLayout()
        columns.setSpacing(28)
        for column, stretch in ((left, 11), (right, 12)):
            columns.addWidget(_scrolling(column), stretch=stretch)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addLayout(header)
        layout.addLayout(columns, stretch=1)

        self.back_button.clicked.connect(self.back)
        self.health.check_button.clicked.connect(self.voice.check_again)
        back_key = QShortcut(QKeySequence("Alt+Left"), self)
        back_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        back_key.activated.connect(self.back)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_settings(event.size().height())

    def _place_settings(self, height: int) -> None:
        """The settings under the health rows when the page is tall enough for both (a tall
        screen leaves no gap there), else under the operators, whose list gives up the room."""
        header = self.back_button.sizeHint().height() + self.layout().spacing()
        needed = (self.health.sizeHint().height() + COLUMN_SPACING
                  + self.settings_list.sizeHint().height() + SETTINGS_SLACK)
        target, other = ((self._left, self._right) if height - header >= needed
                         else (self._right, self._left))
        if target.indexOf(self.settings_list) >= 0:
            return
        other.removeWidget(self.settings_list)
        if target is self._left:
            # The health rows keep their height; the settings take what is left, from the top.
            target.addWidget(self.settings_list, stretch=1,
                             alignment=Qt.AlignmentFlag.AlignTop)
        else:
            target.addWidget(self.settings_list)

    def refresh(self) -> None:
        """Look again: the checks start on worker threads, the operators are read anew."""
        self.operators.show_list()
        self.operators.reload()
        self.health.check_again()
        self.voice.check_again()

    def shutdown(self) -> None:
        self.health.shutdown()
        self.voice.shutdown()


def _column() -> tuple[QWidget, QVBoxLayout]:
    column = QWidget(objectName="boothColumn")
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 6, 0)  # clear of the scroll bar, when there is one
    layout.setSpacing(COLUMN_SPACING)
    return column, layout


def _scrolling(column: QWidget) -> QScrollArea:
    scroll = QScrollArea(objectName="boothScroll")
    scroll.setWidget(column)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    # The columns share the width by their stretch alone: no content may widen one.
    scroll.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
    return scroll
