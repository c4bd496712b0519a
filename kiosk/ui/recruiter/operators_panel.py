"""The booth page's operators section: who can sign in, adding someone, resetting a PIN.

Only an admin gets here (the page refuses anyone else). Everything goes through the store's
own functions, which check names and PINs and audit each change with the admin's name.
Nothing here removes an operator or changes a role, so the booth never loses its last admin.
A form takes the list's place while it is open, so the page fits a small booth screen.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
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

from kiosk.errors import InvalidInputError, KioskError
from kiosk.store.database import Database
from kiosk.store.models import Role, utcnow
from kiosk.store.operators import (
    PIN_MAX_DIGITS,
    PIN_MIN_DIGITS,
    OperatorSummary,
    SignedInOperator,
    add_operator,
    check_new_pin_twice,
    operator_summaries,
    reset_pin,
)
from kiosk.store.sessions import clean_candidate_name
from kiosk.ui.formatting import local_datetime
from kiosk.ui.recruiter.pin_pad import FieldOrder
from kiosk.ui.recruiter.pin_prompt import pin_field

NAME, ROLE, STATUS, LAST_SIGN_IN = range(4)
ROLE_LABELS = {Role.RECRUITER: "Recruiter", Role.ADMIN: "Admin"}


def _pin_pair() -> tuple[QLineEdit, QLineEdit]:
    pin, again = pin_field(), pin_field()
    for field, name in ((pin, "PIN"), (again, "The same PIN again")):
        field.setObjectName("formPin")  # the sign-in screen's large PIN look is too big here
        field.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        field.setAccessibleName(name)
    pin.setPlaceholderText(f"{PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits")
    return pin, again


def status_text(operator: OperatorSummary) -> str:
    if operator.locked_out() and operator.locked_until is not None:
        return f"Locked out till {operator.locked_until.astimezone().strftime('%H:%M')}"
    if operator.failed_attempts:
        wrong = operator.failed_attempts
        return f"{wrong} wrong PIN{'s' if wrong > 1 else ''}"
    return "Can sign in"


def last_sign_in_text(moment: datetime | None) -> str:
    """Today's with its time, an older one by its date: the column stays narrow."""
    if moment is None:
        return "Never"
    local = moment.astimezone()
    if local.date() == datetime.now().astimezone().date():
        return f"today {local.strftime('%H:%M')}"
    return local_datetime(moment)[:10]


class OperatorsPanel(QWidget):
    """`changed(message)` after an operator was added or a PIN reset."""

    changed = Signal(str)

    def __init__(self, db: Database, admin: SignedInOperator,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if not admin.is_admin:
            raise PermissionError("Only an admin manages operators.")
        self.setObjectName("operatorsPanel")
        self._db, self._admin = db, admin
        self.operators: list[OperatorSummary] = []

        self.add_button = QPushButton("Add operator\u2026", objectName="primary")
        self.add_button.setAutoDefault(True)
        self.reset_button = QPushButton("Reset PIN\u2026")
        self.reset_button.setToolTip("Give the chosen operator a new PIN and lift any lockout")
        self.reset_button.setAutoDefault(True)
        self.notice = QLabel(objectName="notice")
        self.notice.setWordWrap(True)
        self.notice.hide()

        self.table = QTableWidget(0, 4, objectName="operatorsTable")
        self.table.setHorizontalHeaderLabels(["Name", "Role", "Status", "Last sign-in"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(46)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        for column in (ROLE, STATUS, LAST_SIGN_IN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        self.add_form = self._add_form()
        self.reset_form = self._reset_form()
        # One at a time in the list's place. Not a QStackedWidget: that is as tall as its
        # tallest page, and the list must be able to shrink to leave room for the settings.
        pages = QVBoxLayout()
        pages.setContentsMargins(0, 0, 0, 0)
        pages.addWidget(self.table, stretch=1)
        pages.addWidget(self.add_form)
        pages.addWidget(self.reset_form)
        pages.addStretch(0)  # below a form, which keeps its own height (the list takes all)
        self.add_form.hide()
        self.reset_form.hide()

        top = QHBoxLayout()
        top.addWidget(QLabel("Operators", objectName="sectionTitle"))
        top.addStretch(1)
        top.addWidget(self.reset_button)
        top.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addLayout(pages, stretch=1)

        self.add_button.clicked.connect(self.open_add)
        self.reset_button.clicked.connect(self.open_reset)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemDoubleClicked.connect(lambda _item: self.open_reset())
        self.reload()

    # --- the list ---------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        """Read the operators again (another booth on the same database may have changed
        them), keeping the chosen one chosen."""
        select = select or self.chosen_name()
        self.operators = operator_summaries(self._db)
        now = utcnow()
        self.table.setRowCount(len(self.operators))
        for row, operator in enumerate(self.operators):
            cells = (operator.name, ROLE_LABELS[operator.role], status_text(operator),
                     last_sign_in_text(operator.last_signed_in))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # a long name is cut short in its column
                if column == STATUS and operator.locked_out(now):
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, column, item)
            if operator.name == select:
                self.table.selectRow(row)
        self._selection_changed()

    def chosen_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.operators[rows[0].row()].name if rows else None

    def choose(self, name: str) -> None:
        for row, operator in enumerate(self.operators):
            if operator.name == name:
                self.table.selectRow(row)

    def _selection_changed(self) -> None:
        self.reset_button.setEnabled(self.chosen_name() is not None
                                     and self.table.isVisibleTo(self))

    def _show_page(self, page: QWidget) -> None:
        for other in (self.table, self.add_form, self.reset_form):
            other.setVisible(other is page)

    def show_list(self) -> None:
        self._show_page(self.table)
        self.add_button.setEnabled(True)
        self._selection_changed()
        self.table.setFocus()

    # --- adding -----------------------------------------------------------------------

    def _add_form(self) -> QWidget:
        self.new_name = QLineEdit(placeholderText="Their name as they will pick it")
        self.new_name.setAccessibleName("Name")
        self.new_role = QComboBox()
        self.new_role.setAccessibleName("Role")
        self.new_role.addItem("Recruiter: review, notes, ratings, export", Role.RECRUITER)
        self.new_role.addItem("Admin: everything, this page included", Role.ADMIN)
        self.new_pin, self.new_pin_again = _pin_pair()
        self.add_message = QLabel(objectName="error")
        self.add_message.setWordWrap(True)
        self.add_save = QPushButton("Add", objectName="primary")
        self.add_cancel = QPushButton("Cancel")
        form = _form("Add an operator", (("Name", self.new_name), ("Role", self.new_role),
                                         ("PIN", self.new_pin),
                                         ("PIN again", self.new_pin_again)),
                     self.add_message, self.add_save, self.add_cancel)
        FieldOrder((self.new_name, self.new_pin, self.new_pin_again), self.submit_add, form)
        self.add_save.clicked.connect(self.submit_add)
        self.add_cancel.clicked.connect(self.show_list)
        return form

    def open_add(self) -> None:
        for field in (self.new_name, self.new_pin, self.new_pin_again):
            field.clear()
        self.new_role.setCurrentIndex(0)
        self.add_message.clear()
        self.notice.hide()
        self._show_page(self.add_form)
        self.add_button.setEnabled(False)
        self.reset_button.setEnabled(False)
        self.new_name.setFocus()

    def submit_add(self) -> None:
        # Checked one by one, so the message goes with the field to fix; nothing is stored
        # until all are right.
        try:
            clean_candidate_name(self.new_name.text())
        except InvalidInputError as exc:
            self._refuse_add(str(exc), self.new_name)
            return
        try:
            pin = check_new_pin_twice(self.new_pin.text(), self.new_pin_again.text())
        except InvalidInputError as exc:
            self._refuse_add(str(exc), self.new_pin)
            return
        try:
            # Qt hands a str-based enum back as a plain str: made a Role again here.
            added = add_operator(self._db, self.new_name.text(), Role(self.new_role.currentData()),
                                 pin, added_by=self._admin.name)
        except KioskError as exc:  # the name is taken (perhaps from another booth)
            self._refuse_add(str(exc), self.new_name)
            return
        self._done(f"{added.name} ({ROLE_LABELS[added.role].lower()}) can now sign in.",
                   added.name)

    def _refuse_add(self, message: str, fix: QWidget) -> None:
        self.add_message.setText(message)
        self.new_pin.clear()
        self.new_pin_again.clear()
        fix.setFocus()

    # --- resetting a PIN --------------------------------------------------------------

    def _reset_form(self) -> QWidget:
        self.reset_who = QLabel(objectName="strong")
        self.reset_pin_field, self.reset_pin_again = _pin_pair()
        self.reset_message = QLabel(objectName="error")
        self.reset_message.setWordWrap(True)
        self.reset_save = QPushButton("Set new PIN", objectName="primary")
        self.reset_cancel = QPushButton("Cancel")
        form = _form("Reset a PIN", (("For", self.reset_who),
                                     ("New PIN", self.reset_pin_field),
                                     ("PIN again", self.reset_pin_again)),
                     self.reset_message, self.reset_save, self.reset_cancel)
        FieldOrder((self.reset_pin_field, self.reset_pin_again), self.submit_reset, form)
        self.reset_save.clicked.connect(self.submit_reset)
        self.reset_cancel.clicked.connect(self.show_list)
        return form

    def open_reset(self) -> None:
        name = self.chosen_name()
        if name is None:
            return
        self.reset_who.setText(name)
        self.reset_pin_field.clear()
        self.reset_pin_again.clear()
        self.reset_message.clear()
        self.notice.hide()
        self._show_page(self.reset_form)
        self.add_button.setEnabled(False)
        self.reset_button.setEnabled(False)
        self.reset_pin_field.setFocus()

    def submit_reset(self) -> None:
        name = self.reset_who.text()
        try:
            pin = check_new_pin_twice(self.reset_pin_field.text(), self.reset_pin_again.text())
            reset_pin(self._db, name, pin, reset_by=self._admin.name)
        except KioskError as exc:
            self.reset_message.setText(str(exc))
            self.reset_pin_field.clear()
            self.reset_pin_again.clear()
            self.reset_pin_field.setFocus()
            return
        self._done(f"{name} has a new PIN; any lockout is lifted.", name)

    def _done(self, message: str, name: str) -> None:
        self.show_list()
        self.reload(select=name)
        self.notice.setText(message)
        self.notice.show()
        self.changed.emit(message)


def _form(title: str, fields: tuple[tuple[str, QWidget], ...], message: QLabel,
          save: QPushButton, cancel: QPushButton) -> QWidget:
    form = QFrame(objectName="operatorForm")
    grid = QFormLayout()
    grid.setHorizontalSpacing(16)
    grid.setVerticalSpacing(10)
    grid.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    grid.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    for label, field in fields:
        grid.addRow(label, field)
    for button in (save, cancel):
        button.setAutoDefault(True)
    buttons = QHBoxLayout()
    buttons.addStretch(1)
    buttons.addWidget(cancel)
    buttons.addWidget(save)
    layout = QVBoxLayout(form)
    layout.setContentsMargins(20, 16, 20, 16)
    layout.setSpacing(12)
    layout.addWidget(QLabel(title, objectName="formTitle"))
    layout.addLayout(grid)
    layout.addWidget(message)
    layout.addLayout(buttons)
    return form

