"""The inline "are you sure?" bar of the recruiter's pages: a sentence, the risky action
(styled as danger) and "Keep it", in the page itself (no dialog to hunt for)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton


def confirm_bar(action: str = "") -> tuple[QFrame, QLabel, QPushButton, QPushButton]:
    """The bar (hidden), its sentence, the action's button and "Keep it"."""
    bar = QFrame(objectName="confirmBar")
    # Plain text: the sentence holds a candidate's name as they typed it.
    text = QLabel(textFormat=Qt.TextFormat.PlainText)
    text.setWordWrap(True)
    yes = QPushButton(action, objectName="danger")
    no = QPushButton("Keep it")
    for button in (yes, no):
        button.setAutoDefault(True)
    layout = QHBoxLayout(bar)
    layout.addWidget(text, stretch=1)
    layout.addWidget(yes)
    layout.addWidget(no)
    bar.hide()
    return bar, text, yes, no
