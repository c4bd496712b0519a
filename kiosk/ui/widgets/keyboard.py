"""An on-screen keyboard, so that a name can be typed by touch alone.

Its keys never take the focus, so the text field keeps it and a physical keyboard keeps
working beside it. Names in other scripts need the physical keyboard (or the schedule list).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget

ROWS = ("QWERTYUIOP", "ASDFGHJKL'", "ZXCVBNM-.")
SPACE, BACKSPACE = "Space", "⌫"


class OnScreenKeyboard(QWidget):
    typed = Signal(str)
    backspace = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keyboard")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        self.keys: dict[str, QPushButton] = {}
        for row, letters in enumerate(ROWS):
            for column, letter in enumerate(letters):
                grid.addWidget(self._key(letter), row, 2 * column + row, 1, 2)
        grid.addWidget(self._key(SPACE), 3, 4, 1, 12)
        grid.addWidget(self._key(BACKSPACE), 2, 18, 1, 3)

    def _key(self, label: str) -> QPushButton:
        key = QPushButton(label, objectName="key")
        key.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        key.setAutoRepeat(label == BACKSPACE)
        if label == BACKSPACE:
            key.setAccessibleName("Delete the last letter")
            key.clicked.connect(self.backspace)
        else:
            text = " " if label == SPACE else label
            key.clicked.connect(lambda: self.typed.emit(text))
        self.keys[label] = key
        return key
