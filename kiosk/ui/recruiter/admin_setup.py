"""The first start: nobody can administer the booth yet, so the first admin is created here.

It refuses once an admin exists (another booth on the same database may have been quicker),
so it can never be used to add a second admin behind the admins' backs.

By keyboard, Enter moves from the name to the PIN to the PIN again, and there creates the
admin; by touch, the keys beside the form follow the chosen field (letters and Next for the
name, the keypad for a PIN), and the keypad's OK moves on in the same order. The new admin
is signed in with the PIN they chose, so the sign-in is in the audit log like any other.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from kiosk.errors import InvalidInputError
from kiosk.store.database import Database
from kiosk.store.models import Role
from kiosk.store.operators import add_operator, check_new_pin_twice, has_admin, sign_in
from kiosk.store.sessions import clean_candidate_name
from kiosk.ui.recruiter.card_page import card_page
from kiosk.ui.recruiter.pin_pad import FieldOrder, PinPad
from kiosk.ui.recruiter.pin_prompt import pin_field
from kiosk.ui.recruiter.style import apply_recruiter_style
from kiosk.ui.widgets.keyboard import OnScreenKeyboard

FIRST_START = "first start"
# The candidate's keyboard, sized for the card beside the form (its own look is the
# candidate screens', which are not styled here).
KEYS_STYLE = """
QWidget#setupKeys, QWidget#nameKeys, QWidget#padKeys { background: transparent; }
QPushButton#key {
    min-width: 44px;
    min-height: 50px;
    padding: 0;
    font-size: 19px;
}
QPushButton#key:pressed { background: #e3edf4; }
"""


def typed_into_name(name: str, typed: str) -> str:
    """What a key of the on-screen keyboard adds to a name: a capital at the start of each
    part of it, small letters after."""
    if typed == " ":
        return typed
    return typed.upper() if not name or name[-1] in " -" else typed.lower()


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
        self.keyboard = OnScreenKeyboard()
        self.name_next = QPushButton("Next  \u203a", objectName="primary")
        self.name_next.setAccessibleName("On to the PIN")
        self.name_next.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the name keeps the focus
        letters = QWidget(objectName="nameKeys")
        letters_layout = QVBoxLayout(letters)
        letters_layout.setContentsMargins(0, 0, 0, 0)
        letters_layout.setSpacing(12)
        letters_layout.addWidget(self.keyboard)
        letters_layout.addWidget(self.name_next, alignment=Qt.AlignmentFlag.AlignRight)
        letters_layout.addStretch(1)
        # One place for the keys of the field being filled: letters or the keypad.
        self.keys = QWidget(objectName="setupKeys")
        self.keys.setStyleSheet(KEYS_STYLE)
        self._keys = QStackedLayout(self.keys)
        self._keys.addWidget(letters)
        pad_page = QWidget(objectName="padKeys")
        pad_layout = QHBoxLayout(pad_page)
        pad_layout.setContentsMargins(0, 0, 0, 0)
        pad_layout.addWidget(self.pad, alignment=Qt.AlignmentFlag.AlignCenter)
        self._keys.addWidget(pad_page)
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
        columns.addWidget(self.keys, alignment=Qt.AlignmentFlag.AlignVCenter)

        card_page(self, "Set up this booth", columns, max_width=1160)

        # The keys beside the form follow the field chosen last; the keypad types into it.
        for field in (self.name, self.pin, self.pin_again):
            field.installEventFilter(self)
        self.order = FieldOrder((self.name, self.pin, self.pin_again), self.submit, self)
        self.keyboard.typed.connect(
            lambda typed: self.name.insert(typed_into_name(self.name.text(), typed)))
        self.keyboard.backspace.connect(self.name.backspace)
        self.name_next.clicked.connect(lambda: self.order.advance(self.name))
        self.pad.submitted.connect(lambda: self.order.advance(self.pad.target))
        self.create_button.clicked.connect(self.submit)
        self.name.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QLineEdit):
            if watched is self.name:
                self._keys.setCurrentIndex(0)
            else:
                self.pad.target = watched
                self._keys.setCurrentIndex(1)
        return False

    def showEvent(self, event: QShowEvent) -> None:
        # On screen, it takes the focus itself: the first field still to fill.
        if not event.spontaneous():
            empty = [field for field in self.order.fields if not field.text()]
            (empty[0] if empty else self.name).setFocus(Qt.FocusReason.OtherFocusReason)
        super().showEvent(event)

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
            added = add_operator(self._db, self.name.text(), Role.ADMIN, pin,
                                 added_by=FIRST_START)
        except InvalidInputError as exc:
            self.message.setText(str(exc))
            self.pin.clear()
            self.pin_again.clear()
            self.pin.setFocus()
            return
        # Signed in as anyone is, with the PIN: the booth page's "Last sign-in" and the
        # audit log then count this one too.
        admin = sign_in(self._db, added.name, pin)
        self.message.clear()
        self.done.emit(admin)
