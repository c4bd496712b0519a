"""The Schedule page: today's scheduled candidates, and adding, changing or cancelling one
with their position and accommodations (extra time, extra retakes, larger text, high
contrast, questions read aloud).

Any operator reaches it, from the review side's Schedule button. Every change goes through
kiosk.store.schedule, which checks the values, refuses a session whose candidate has started
at the booth meanwhile, and audits the change with the operator's name. A refusal is said on
the page, beside what was typed, which stays there to be fixed: nothing is lost. The form
sits beside the list, so the candidate being changed stays in sight.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from kiosk.accommodations import (
    EXTRA_RETAKES_RANGE,
    Accommodations,
    make_accommodations,
)
from kiosk.errors import InvalidInputError, KioskError
from kiosk.store.database import Database
from kiosk.store.operators import SignedInOperator
from kiosk.store.schedule import cancel_scheduled, change_scheduled, schedule_candidate
from kiosk.store.sessions import (
    accommodations_of,
    clean_candidate_name,
    clean_position,
    scheduled_today,
)
from kiosk.ui.recruiter.confirm_bar import confirm_bar

NAME, POSITION, ACCOMMODATIONS = range(3)
# The usual choices; a value set elsewhere (the command line takes any from 1 to 3) is
# added to them when a candidate who has it is edited.
EXTRA_TIMES = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)
UNREACHABLE = ("The database could not be reached, so nothing was saved. What you typed is "
               "still here: try again in a moment.")


@dataclass(frozen=True)
class ScheduledEntry:
    """One line of today's list."""

    session_id: str
    candidate: str
    position: str | None
    accommodations: Accommodations


def accommodations_text(accommodations: Accommodations) -> str:
    """In words, as the recruiter reads them: "2x time, 1 extra retake" or "None"."""
    return accommodations.in_words() or "None"


def extra_time_label(factor: float) -> str:
    return "None (1x)" if factor == 1.0 else f"{factor:g}x"


def retakes_label(count: int) -> str:
    return "None" if count == 0 else f"{count} more"


def scheduled_entries(db: Database) -> list[ScheduledEntry]:
    """Today's candidates still waiting for their interview, by name."""
    with db.session() as s:
        return [ScheduledEntry(row.id, row.candidate_name, row.position, accommodations_of(row))
                for row in scheduled_today(s)]


class SchedulePage(QWidget):
    """`back()` when the operator goes back to the interviews; `changed(message)` after a
    candidate was scheduled, changed or cancelled (the sessions list should be read again)."""

    back = Signal()
    changed = Signal(str)

    def __init__(self, db: Database, operator: SignedInOperator,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("schedulePage")
        self._db, self._operator = db, operator
        self.entries: list[ScheduledEntry] = []
        self.editing: str | None = None  # the session the form changes; None: a new one
        self._cancelling: ScheduledEntry | None = None

        self.back_button = QPushButton("\u2039  All interviews", objectName="backButton")
        self.back_button.setToolTip("Back to the list (Alt+Left)")
        self.add_button = QPushButton("Add candidate\u2026", objectName="primary")
        self.add_button.setToolTip("Schedule a candidate for today (Ctrl+N)")
        self.edit_button = QPushButton("Edit\u2026")
        self.edit_button.setToolTip("Change the chosen candidate's details or "
                                    "accommodations (Enter)")
        self.cancel_button = QPushButton("Cancel interview\u2026", objectName="danger")
        self.cancel_button.setToolTip("Take the chosen candidate off today's list (Delete)")
        self.notice = QLabel(objectName="notice", textFormat=Qt.TextFormat.PlainText)
        self.notice.setWordWrap(True)
        self.notice.hide()
        (self.confirm_bar, self.confirm_text, self.confirm_yes,
         self.confirm_no) = confirm_bar("Cancel interview")

        self.table = QTableWidget(0, 3, objectName="scheduleTable")
        self.table.setHorizontalHeaderLabels(["Name", "Position", "Accommodations"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        # Wrapped, not cut short: the accommodations are what this list is for.
        self.table.setWordWrap(True)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list for the buttons
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setMinimumSectionSize(46)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(POSITION, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ACCOMMODATIONS, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.empty = QLabel("Nobody is scheduled for today yet. Add a candidate, and they "
                            "find their name at the booth.", objectName="emptyMessage")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.form = self._make_form()
        self.form.hide()

        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.back_button)
        top.addSpacing(16)
        top.addWidget(QLabel("Today's candidates", objectName="sectionTitle"))
        top.addStretch(1)
        top.addWidget(self.cancel_button)
        top.addWidget(self.edit_button)
        top.addWidget(self.add_button)
        listing = QVBoxLayout()
        listing.setSpacing(8)
        listing.addWidget(self.table, stretch=1)
        listing.addWidget(self.empty, stretch=1)
        columns = QHBoxLayout()
        columns.setSpacing(24)
        columns.addLayout(listing, stretch=5)
        columns.addWidget(self.form, stretch=4, alignment=Qt.AlignmentFlag.AlignTop)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(self.confirm_bar)
        layout.addLayout(columns, stretch=1)

        for button in (self.back_button, self.add_button, self.edit_button,
                       self.cancel_button):
            button.setAutoDefault(True)
        self.back_button.clicked.connect(self.back)
        self.add_button.clicked.connect(self.open_add)
        self.edit_button.clicked.connect(self.open_edit)
        self.cancel_button.clicked.connect(self.ask_cancel)
        self.confirm_yes.clicked.connect(self._cancel_confirmed)
        self.confirm_no.clicked.connect(self._hide_confirm)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        # Enter or a double click on a row opens it for editing.
        self.table.itemActivated.connect(lambda _item: self.open_edit())
        for keys, slot, where in (("Alt+Left", self.back, self),
                                  ("Ctrl+N", self.open_add, self),
                                  (QKeySequence.StandardKey.Delete, self.ask_cancel, self.table),
                                  ("Escape", self.close_form, self.form)):
            shortcut = QShortcut(QKeySequence(keys), where)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.reload()

    # --- the list ---------------------------------------------------------------------

    def refresh(self) -> None:
        """Looked at afresh: the list read again (another booth, the command line or a
        candidate at the booth may have changed it), no half-done question left open."""
        self._hide_confirm()
        self.notice.hide()
        self.reload()

    def reload(self, select: str | None = None) -> None:
        select = select or self.chosen_id()
        try:
            self.entries = scheduled_entries(self._db)
        except SQLAlchemyError:
            self._say("Today's list could not be read: the database could not be reached. "
                      "Open this page again in a moment.")
            self.entries = []
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            cells = (entry.candidate, entry.position or "\u2013",
                     accommodations_text(entry.accommodations))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # a long name is cut short in its column
                self.table.setItem(row, column, item)
            if entry.session_id == select:
                self.table.selectRow(row)
        self.table.setVisible(bool(self.entries))
        self.empty.setVisible(not self.entries)
        if self.entries and self.chosen_id() is None:
            self.table.selectRow(0)
        self._update_buttons()

    def focus_list(self) -> None:
        """The keyboard's place on the page: the list, or Add when there is nobody in it."""
        (self.table if self.entries else self.add_button).setFocus(
            Qt.FocusReason.OtherFocusReason)

    def chosen(self) -> ScheduledEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.entries[rows[0].row()] if rows else None

    def chosen_id(self) -> str | None:
        entry = self.chosen()
        return entry.session_id if entry else None

    def choose(self, candidate: str) -> None:
        for row, entry in enumerate(self.entries):
            if entry.candidate == candidate:
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        idle = self.form.isHidden() and self.confirm_bar.isHidden()
        self.add_button.setEnabled(idle)
        for button in (self.edit_button, self.cancel_button):
            button.setEnabled(idle and self.chosen() is not None)

    def _say(self, message: str, *, problem: bool = False) -> None:
        self.notice.setText(message)
        self.notice.setProperty("problem", problem)
        self.notice.style().unpolish(self.notice)
        self.notice.style().polish(self.notice)
        self.notice.show()

    # --- the form ---------------------------------------------------------------------

    def _make_form(self) -> QFrame:
        self.form_title = QLabel(objectName="formTitle", textFormat=Qt.TextFormat.PlainText)
        self.form_title.setWordWrap(True)
        self.name = QLineEdit(placeholderText="As they will find it at the booth")
        self.name.setAccessibleName("Candidate's name")
        self.position = QLineEdit(placeholderText="Optional")
        self.position.setAccessibleName("Position")
        self.extra_time = QComboBox()
        self.extra_time.setAccessibleName("Extra time")
        self.extra_time.setToolTip("The prepare and answer times of every question are "
                                   "multiplied by this")
        for factor in EXTRA_TIMES:
            self.extra_time.addItem(extra_time_label(factor), factor)
        # A choice like the extra time's, not a spin box: the same keys and taps for both.
        self.extra_retakes = QComboBox()
        self.extra_retakes.setAccessibleName("Extra retakes")
        low, high = EXTRA_RETAKES_RANGE
        for count in range(low, high + 1):
            self.extra_retakes.addItem(retakes_label(count), count)
        self.extra_retakes.setToolTip("Tries at each answer beyond the question set's own")
        self.larger_text = QCheckBox("Larger text")
        self.high_contrast = QCheckBox("High contrast")
        self.read_aloud = QCheckBox("Questions read aloud")
        self.form_message = QLabel(objectName="error", textFormat=Qt.TextFormat.PlainText)
        self.form_message.setWordWrap(True)
        self.form_message.hide()
        self.save_button = QPushButton("Save", objectName="primary")
        self.discard_button = QPushButton("Discard")
        self.discard_button.setToolTip("Close the form without saving (Esc)")

        aids = QVBoxLayout()
        aids.setSpacing(4)
        for box in (self.larger_text, self.high_contrast, self.read_aloud):
            aids.addWidget(box)
        grid = QFormLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(10)
        grid.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        grid.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        grid.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        grid.addRow("Name", self.name)
        grid.addRow("Position", self.position)
        grid.addRow("Extra time", self.extra_time)
        grid.addRow("Extra retakes", self.extra_retakes)
        grid.addRow("Aids", aids)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.save_button)
        form = QFrame(objectName="scheduleForm")
        layout = QVBoxLayout(form)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(12)
        layout.addWidget(self.form_title)
        layout.addLayout(grid)
        layout.addWidget(self.form_message)
        layout.addLayout(buttons)

        order = (self.name, self.position, self.extra_time, self.extra_retakes,
                 self.larger_text, self.high_contrast, self.read_aloud, self.discard_button,
                 self.save_button)
        for before, after in itertools.pairwise(order):
            QWidget.setTabOrder(before, after)
        for button in (self.save_button, self.discard_button):
            button.setAutoDefault(True)
        # Enter in the name moves on to the position; in the position it saves.
        self.name.returnPressed.connect(lambda: self.position.setFocus(
            Qt.FocusReason.TabFocusReason))
        self.position.returnPressed.connect(self.submit)
        self.save_button.clicked.connect(self.submit)
        self.discard_button.clicked.connect(self.close_form)
        return form

    def open_add(self) -> None:
        if not self.form.isHidden() or not self.confirm_bar.isHidden():
            return
        self.editing = None
        self.form_title.setText("Schedule a candidate for today")
        self._fill("", None, Accommodations())
        self._open_form()

    def open_edit(self) -> None:
        entry = self.chosen()
        if entry is None or not self.form.isHidden() or not self.confirm_bar.isHidden():
            return
        self.editing = entry.session_id
        self.form_title.setText(f"Change {entry.candidate}")
        self._fill(entry.candidate, entry.position, entry.accommodations)
        self._open_form()

    def _fill(self, name: str, position: str | None, given: Accommodations) -> None:
        self.name.setText(name)
        self.position.setText(position or "")
        at = self.extra_time.findData(given.extra_time)
        if at < 0:
            self.extra_time.addItem(extra_time_label(given.extra_time), given.extra_time)
            at = self.extra_time.count() - 1
        self.extra_time.setCurrentIndex(at)
        self.extra_retakes.setCurrentIndex(self.extra_retakes.findData(given.extra_retakes))
        self.larger_text.setChecked(given.larger_text)
        self.high_contrast.setChecked(given.high_contrast)
        self.read_aloud.setChecked(given.read_aloud)

    def _open_form(self) -> None:
        self.notice.hide()
        self.form_message.clear()
        self.form_message.hide()
        self.form.show()
        self._update_buttons()
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)
        self.name.selectAll()

    def close_form(self) -> None:
        if self.form.isHidden():
            return
        self.form.hide()
        self.editing = None
        self._update_buttons()
        self.focus_list()

    def accommodations(self) -> Accommodations:
        """What the form says (InvalidInputError in words if it cannot be given)."""
        return make_accommodations(extra_time=self.extra_time.currentData(),
                                   extra_retakes=self.extra_retakes.currentData(),
                                   larger_text=self.larger_text.isChecked(),
                                   high_contrast=self.high_contrast.isChecked(),
                                   read_aloud=self.read_aloud.isChecked())

    def submit(self) -> None:
        if self.form.isHidden():
            return
        # Checked here first only to put the cursor where the fix goes; the store checks
        # them again.
        for clean, field in ((clean_candidate_name, self.name), (clean_position, self.position)):
            try:
                clean(field.text())
            except InvalidInputError as exc:
                self._refuse(str(exc), field)
                return
        name, position = self.name.text(), self.position.text()
        try:
            given = self.accommodations()
            if self.editing is None:
                session_id = schedule_candidate(self._db, name, position=position,
                                                accommodations=given, by=self._operator.name)
                done = f"{name.strip()} is scheduled for today"
            else:
                session_id = self.editing
                change_scheduled(self._db, session_id, candidate=name, position=position,
                                 accommodations=given, by=self._operator.name)
                done = f"{name.strip()} is changed"
        except InvalidInputError as exc:
            self._refuse(str(exc), self.name)
            return
        except KioskError as exc:
            # The candidate started at the booth meanwhile, or the session went: the list
            # is read again so it shows why; the form keeps what was typed.
            self._refuse(f"{exc} Nothing was saved.", self.discard_button)
            self.reload()
            self._update_buttons()
            return
        except SQLAlchemyError:
            self._refuse(UNREACHABLE, self.save_button)
            return
        described = given.in_words()
        done += f", with {described}." if described else ", without accommodations."
        self.form.hide()
        self.editing = None
        self.reload(select=session_id)
        self._say(done)
        self.focus_list()
        self.changed.emit(done)

    def _refuse(self, message: str, fix: QWidget) -> None:
        self.form_message.setText(message)
        self.form_message.show()
        fix.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- cancelling ------------------------------------------------------------------

    def ask_cancel(self) -> None:
        entry = self.chosen()
        if entry is None or not self.form.isHidden() or not self.confirm_bar.isHidden():
            return
        self._cancelling = entry
        self.notice.hide()
        self.confirm_text.setText(f"Cancel the interview of {entry.candidate}? They will no "
                                  f"longer find their name at the booth today.")
        self.confirm_bar.show()
        self._update_buttons()
        self.confirm_no.setFocus(Qt.FocusReason.OtherFocusReason)

    def _cancel_confirmed(self) -> None:
        entry, self._cancelling = self._cancelling, None
        self._hide_confirm()
        if entry is None:
            return
        try:
            cancel_scheduled(self._db, entry.session_id, by=self._operator.name)
        except KioskError as exc:
            self.reload()
            self._say(f"{exc} Nothing was cancelled.", problem=True)
            return
        except SQLAlchemyError:
            self._say("The database could not be reached, so nothing was cancelled. Try "
                      "again in a moment.", problem=True)
            return
        self.reload()
        done = f"The interview of {entry.candidate} is cancelled."
        self._say(done)
        self.focus_list()
        self.changed.emit(done)

    def _hide_confirm(self) -> None:
        self._cancelling = None
        self.confirm_bar.hide()
        self._update_buttons()
