"""The first start: nobody can administer the booth yet, so the first admin is created here.

It refuses once an admin exists (another booth on the same database may have been quicker),
so it can never be used to add a second admin behind the admins' backs.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.errors import InvalidInputError
from kiosk.store.database import Database
from kiosk.store.models import Role
from kiosk.store.operators import add_operator, check_new_pin_twice, has_admin
from kiosk.store.sessions import clean_candidate_name
from kiosk.ui.recruiter.card_page import card_page
from kiosk.ui.recruiter.pin_pad import PinPad
from kiosk.ui.recruiter.pin_prompt import pin_field
from kiosk.ui.recruiter.style import apply_recruiter_style

FIRST_START = "first start"


class AdminSetup(QWidget):
    """`done(SignedInOperator)` once the first admin exists (they are signed in)."""

    done = Signal(object)

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("adminSetup")
        apply_recruiter_style(self)
        self._db = db

        intro = QLabel("Nobody can administer this booth yet. Create the first administrator: "
                       "they can review interviews, delete them and add recruiters.",
                       objectName="muted")
        intro.setWordWrap(True)
        self.name = QLineEdit(placeholderText="Your name")
        self.name.setAccessibleName("Administrator's name")
        self.pin = pin_field()
        self.pin.setAccessibleName("PIN")
        self.pin_again = pin_field()
        self.pin_again.setAccessibleName("The same PIN again")
        self.pad = PinPad(self.pin)
        self.message = QLabel(objectName="error")
        self.message.setWordWrap(True)
        self.create_button = QPushButton("Create administrator", objectName="primary")
        self.create_button.setAutoDefault(True)

        form = QGridLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(14)
        for row, (label, field) in enumerate((("Name", self.name),
                                              ("PIN (4 to 12 digits)", self.pin),
                                              ("PIN again", self.pin_again))):
            form.addWidget(QLabel(label), row, 0, Qt.AlignmentFlag.AlignVCenter)
            form.addWidget(field, row, 1)
        fields = QVBoxLayout()
        fields.setSpacing(16)
        fields.addWidget(intro)
        fields.addLayout(form)
        fields.addWidget(self.message)
        fields.addSpacing(8)
        fields.addWidget(self.create_button, alignment=Qt.AlignmentFlag.AlignRight)
        columns = QHBoxLayout()
        columns.setSpacing(40)
        columns.addLayout(fields, stretch=1)
        columns.addWidget(self.pad, alignment=Qt.AlignmentFlag.AlignVCenter)

        card_page(self, "Set up this booth", columns, max_width=1000)

        # The keypad types into whichever PIN field was chosen last.
        for field in (self.pin, self.pin_again):
            field.installEventFilter(self)
            field.returnPressed.connect(self.submit)
        self.name.returnPressed.connect(self.pin.setFocus)
        self.pad.submitted.connect(self.submit)
        self.create_button.clicked.connect(self.submit)
        self.name.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QLineEdit):
            self.pad.target = watched
        return False

    def submit(self) -> None:
        if has_admin(self._db):
            self.message.setText("An administrator already exists (set up from another booth "
                                 "or by IT). Sign in with your PIN instead.")
            return
        try:
            clean_candidate_name(self.name.text())
        except InvalidInputError as exc:
            self.message.setText(str(exc))
            self.name.setFocus()
            return
        try:
            pin = check_new_pin_twice(self.pin.text(), self.pin_again.text())
            admin = add_operator(self._db, self.name.text(), Role.ADMIN, pin,
                                 added_by=FIRST_START)
        except InvalidInputError as exc:
            self.message.setText(str(exc))
            self.pin.clear()
            self.pin_again.clear()
            self.pin.setFocus()
            return
        self.message.clear()
        self.done.emit(admin)
