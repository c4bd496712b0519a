"""An on-screen keyboard, so that a name can be typed by touch alone.

Two layers share one grid: the letters, and the accents (those Latin names have most often);
the apostrophe, the hyphen, the full stop, Space, Shift and ⌫ are on both. The screen says
whether the next letter is a capital (set_capitals: at the start of each part of a name);
Shift turns that round for one letter ("McDonald", "van der Berg"), and the keys show the case
they will type. Its keys never take the focus, so the text field keeps it and a physical
keyboard keeps working beside it; Tab never stops on a key. Names in other scripts need the
physical keyboard (or the schedule list). `keys` is by the key's own label (SPACE...); what
a key shows and is called is translated (the candidate's language: "Espacio").
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QSizePolicy, QWidget

LETTERS = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")
ACCENTS = ("áàâäãåæçčćñń", "éèêëěíìîïłśß", "óòôöõőøœúùûü")
SPACE, BACKSPACE, SHIFT, TO_ACCENTS, TO_LETTERS = "Space", "⌫", "⇧", "àé", "ABC"
# Sixty columns: ten letters, or twelve accents, fill a row (a letter is six columns wide,
# an accent five); shorter rows of letters are centred, as on a keyboard.
COLUMNS, LETTER_SPAN, ACCENT_SPAN = 60, 6, 5
KEY_GAP = 6
# The last row, on both layers: (label, first column, columns).
CONTROLS = ((SHIFT, 0, 9), (TO_ACCENTS, 9, 8), (TO_LETTERS, 9, 8), ("'", 17, 5),
            (SPACE, 22, 20), ("-", 42, 5), (".", 47, 5), (BACKSPACE, 52, 8))


def capital(letter: str) -> str:
    upper = letter.upper()
    return upper if len(upper) == 1 else letter  # "ß" has no one-letter capital


class OnScreenKeyboard(QWidget):
    typed = Signal(str)
    backspace = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keyboard")
        # Its letters are Latin ones, in a keyboard's order, on a right-to-left screen too.
        self.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        # Between columns the keys' own margins make the gap: sixty gaps of grid spacing
        # would leave no room for the keys. (Added to whatever styles the keys elsewhere.)
        self.setStyleSheet(f"QPushButton#key {{ margin: 0 {KEY_GAP // 2}px; }}")
        grid.setHorizontalSpacing(0)
        grid.setVerticalSpacing(KEY_GAP)
        for column in range(COLUMNS):
            grid.setColumnStretch(column, 1)  # every column as wide, on both layers
        self.keys: dict[str, QPushButton] = {}
        self._capitals = True
        self._layers: dict[bool, list[QPushButton]] = {False: [], True: []}
        for accents, rows, span in ((False, LETTERS, LETTER_SPAN),
                                    (True, ACCENTS, ACCENT_SPAN)):
            for row, letters in enumerate(rows):
                first = (COLUMNS - span * len(letters)) // 2
                for n, letter in enumerate(letters):
                    key = self._letter_key(letter)
                    self._layers[accents].append(key)
                    grid.addWidget(key, row, first + span * n, 1, span)
        for label, column, span in CONTROLS:
            grid.addWidget(self._control_key(label), len(LETTERS), column, 1, span)
        self.shift = self.keys[SHIFT]
        self.shift.setCheckable(True)
        self.shift.toggled.connect(lambda _on: self._relabel())
        self._layers[False].append(self.keys[TO_ACCENTS])
        self._layers[True].append(self.keys[TO_LETTERS])
        self.show_accents(False)
        self._relabel()
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """The words on and for the keys that have words, in the language now installed."""
        self.keys[SPACE].setText(self.tr("Space"))
        self.keys[SPACE].setAccessibleName(self.tr("Space"))
        self.keys[BACKSPACE].setAccessibleName(self.tr("Delete the last letter"))
        self.shift.setAccessibleName(self.tr("Shift: the next letter the other case"))
        self.keys[TO_ACCENTS].setAccessibleName(self.tr("Accents"))
        self.keys[TO_LETTERS].setAccessibleName(self.tr("Letters"))

    def set_capitals(self, capitals: bool) -> None:
        """Whether the next letter is a capital unless Shift says otherwise."""
        if capitals != self._capitals:
            self._capitals = capitals
            self._relabel()

    def show_accents(self, accents: bool) -> None:
        for key in self._layers[not accents]:
            key.hide()
        for key in self._layers[accents]:
            key.show()

    def _upper(self) -> bool:
        return self._capitals != self.shift.isChecked()

    def _relabel(self) -> None:
        upper = self._upper()
        for row in LETTERS + ACCENTS:
            for letter in row:
                self.keys[letter].setText(capital(letter) if upper else letter.lower())

    def _key(self, label: str) -> QPushButton:
        key = QPushButton(label, objectName="key")
        key.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # Columns share the width by their stretch alone, whatever a key's label.
        key.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.keys[label] = key
        return key

    def _letter_key(self, letter: str) -> QPushButton:
        key = self._key(letter)
        key.clicked.connect(lambda: self._type_letter(key.text()))
        return key

    def _type_letter(self, shown: str) -> None:
        self.typed.emit(shown)
        self.shift.setChecked(False)  # for one letter only

    def _control_key(self, label: str) -> QPushButton:
        key = self._key(label)
        if label == BACKSPACE:
            key.setAutoRepeat(True)
            key.clicked.connect(self.backspace)
        elif label == SHIFT:
            pass  # checkable: its state is read by the letters (_upper)
        elif label in (TO_ACCENTS, TO_LETTERS):
            accents = label == TO_ACCENTS
            key.clicked.connect(lambda: self.show_accents(accents))
        else:
            text = " " if label == SPACE else label
            key.clicked.connect(lambda: self.typed.emit(text))
        return key
