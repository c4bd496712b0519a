"""Signing in to the review side: choose your name, enter your PIN.

Usable by touch alone (tap a name, tap the keypad) and by keyboard alone (arrows pick the
name, digits go to the PIN wherever the focus is, Enter unlocks, Esc goes back). Lockout is
per operator (kiosk.store.operators); the message says for how long. Left alone for
PIN_IDLE_SECONDS it goes back to the kiosk by itself, so it never waits there for the next
candidate.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QHideEvent, QKeyEvent, QRegularExpressionValidator, QShowEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.store.database import Database
from kiosk.store.operators import PIN_MAX_DIGITS, PinRefusedError, list_operators, sign_in
from kiosk.ui.recruiter.card_page import card_page
from kiosk.ui.recruiter.idle import IdleWatch
from kiosk.ui.recruiter.pin_pad import PinPad
from kiosk.ui.recruiter.style import apply_recruiter_style

DIGIT_KEYS = {getattr(Qt.Key, f"Key_{n}"): str(n) for n in range(10)}
# Long enough to find a name and type a PIN, short enough that a prompt someone opened and
# left is gone before the next candidate sits down.
PIN_IDLE_SECONDS = 30.0


def pin_field() -> QLineEdit:
    field = QLineEdit(objectName="pinField")
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(PIN_MAX_DIGITS)
    field.setValidator(QRegularExpressionValidator(r"[0-9]*"))
    field.setAlignment(Qt.AlignmentFlag.AlignCenter)
    field.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
    return field


class PinPrompt(QWidget):
    """`unlocked(SignedInOperator)` on the right PIN, `cancelled()` on Back, Esc, or
    PIN_IDLE_SECONDS without a key or a touch."""

    unlocked = Signal(object)
    cancelled = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pinPrompt")
        apply_recruiter_style(self)
        self._db = db

        self.operators = QListWidget(objectName="operatorList")
        self.operators.setAccessibleName("Who are you?")
        self.pin = pin_field()
        self.pin.setAccessibleName("PIN")
        self.pin.setPlaceholderText("PIN")
        self.pad = PinPad(self.pin)
        self.message = QLabel(objectName="error", alignment=Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.back_button = QPushButton("Back to the kiosk")
        self.back_button.setAutoDefault(True)
        self.unlock_button = QPushButton("Unlock", objectName="primary")
        self.unlock_button.setAutoDefault(True)

        columns = QGridLayout()
        columns.setHorizontalSpacing(40)
        columns.setVerticalSpacing(14)
        columns.addWidget(QLabel("Who are you?", objectName="sectionTitle"), 0, 0)
        columns.addWidget(QLabel("Your PIN", objectName="sectionTitle"), 0, 1)
        columns.addWidget(self.operators, 1, 0, 2, 1)
        columns.addWidget(self.pin, 1, 1)
        columns.addWidget(self.pad, 2, 1, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        columns.setColumnStretch(0, 1)
        columns.setRowStretch(2, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)

        content = QVBoxLayout()
        content.setSpacing(18)
        content.addLayout(columns, stretch=1)
        content.addWidget(self.message)
        content.addLayout(buttons)
        card_page(self, "Recruiter sign-in", content, max_width=920, tall=True)

        self.idle = IdleWatch(PIN_IDLE_SECONDS, self)
        self.idle.idle.connect(self.cancel)
        self.operators.itemClicked.connect(lambda _item: self.pin.setFocus())
        # The list would take digits for a search among the names: they are the PIN's.
        self.operators.installEventFilter(self)
        # Not the field's returnPressed as well: the field passes Enter on to this page
        # (keyPressEvent), and a second submit, of the field it just cleared, would put
        # "Enter your PIN." over "Wrong PIN".
        self.pad.submitted.connect(self.submit)
        self.unlock_button.clicked.connect(self.submit)
        self.back_button.clicked.connect(self.cancel)
        self.reset()

    def reset(self) -> None:
        """Fresh for the next person: PIN and message cleared, names read again."""
        self.pin.clear()
        self.message.clear()
        self._load_names()

    def _load_names(self) -> None:
        chosen = self.chosen_name()
        self.operators.clear()
        names = [operator.name for operator in list_operators(self._db)]
        self.operators.addItems(names)
        if chosen in names:
            self.operators.setCurrentRow(names.index(chosen))
        elif len(names) == 1:
            self.operators.setCurrentRow(0)
        if not names:
            self.message.setText("Nobody can sign in yet. IT adds recruiters with "
                                 "“kiosk operators add”.")
        self.unlock_button.setEnabled(bool(names))
        (self.pin if self.operators.currentItem() else self.operators).setFocus()

    def chosen_name(self) -> str | None:
        item = self.operators.currentItem()
        return item.text() if item is not None else None

    def submit(self) -> None:
        name = self.chosen_name()
        if name is None:
            self.message.setText("Choose your name first.")
            self.operators.setFocus()
            return
        if not self.pin.text():
            self.message.setText("Enter your PIN.")
            self.pin.setFocus()
            return
        pin = self.pin.text()
        self.pin.clear()
        try:
            operator = sign_in(self._db, name, pin)
        except PinRefusedError as exc:
            self.message.setText(str(exc))
            self.pin.setFocus()
            return
        self.message.clear()
        self.unlocked.emit(operator)

    def cancel(self) -> None:
        self.pin.clear()
        self.message.clear()
        self.cancelled.emit()

    def showEvent(self, event: QShowEvent) -> None:
        # Operators may have been added (or removed) since it was last on screen.
        self._load_names()
        if not event.spontaneous():
            self.idle.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        # Whatever was typed or said here is not left for the next person.
        if not event.spontaneous():
            self.idle.stop()
            self.pin.clear()
            self.message.clear()
        super().hideEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.operators and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and self._to_pin(event)):
            return True
        return super().eventFilter(watched, event)

    def _to_pin(self, event: QKeyEvent) -> bool:
        """A digit or Backspace typed outside the PIN field goes to it."""
        key = event.key()
        if key in DIGIT_KEYS and not self.pin.hasFocus():
            self.pin.insert(DIGIT_KEYS[key])
            self.pin.setFocus()
            return True
        if key == Qt.Key.Key_Backspace and not self.pin.hasFocus():
            self.pin.backspace()
            return True
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Digits typed while a button has the focus still go to the PIN.
        key = event.key()
        if self._to_pin(event):
            return
        if key == Qt.Key.Key_Escape:
            self.cancel()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit()
        else:
            super().keyPressEvent(event)
