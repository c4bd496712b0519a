"""A touch keypad for PINs: large digit keys that type into whichever PIN field is chosen;
and the one way a form of such fields is filled in order, by Enter or by the keypad's OK."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QWidget


class FieldOrder(QObject):
    """Fields filled one after the other (a name, a PIN, the PIN again): Enter in one, or
    `advance` from it (the keypad's OK), moves to the next; from the last it submits. A
    PIN is never checked against a second one that nobody has typed yet."""

    def __init__(self, fields: Sequence[QLineEdit], submit: Callable[[], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.fields = list(fields)
        self._submit = submit
        for field in self.fields:
            field.returnPressed.connect(lambda field=field: self.advance(field))

    def advance(self, field: QLineEdit) -> None:
        at = self.fields.index(field)
        if at + 1 < len(self.fields):
            self.fields[at + 1].setFocus(Qt.FocusReason.TabFocusReason)
        else:
            self._submit()


class PinPad(QWidget):
    """Digits go into `target` (a QLineEdit); the keys never take the keyboard focus, so
    someone typing on a keyboard is not interrupted. `submitted` is the OK key."""

    submitted = Signal()

    def __init__(self, target: QLineEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pinPad")
        self.target = target
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(10)
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "\u232b", "0", "OK"]
        for position, key in enumerate(keys):
            button = QPushButton(key, objectName="pinKey")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            if key == "\u232b":
                button.setAccessibleName("Delete the last digit")
                button.clicked.connect(lambda: self.target.backspace())
            elif key == "OK":
                button.setObjectName("pinKeyOk")
                button.clicked.connect(self.submitted)
            else:
                button.clicked.connect(lambda _=False, digit=key: self.target.insert(digit))
            grid.addWidget(button, position // 3, position % 3)
