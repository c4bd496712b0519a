"""The sign-in screens' page: a title over a white card, centred, at most so wide."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLayout, QVBoxLayout, QWidget


def card_page(page: QWidget, title: str, content: QLayout, *, max_width: int,
              tall: bool = False) -> None:
    """Lay `page` out as `title` over a card holding `content`; a `tall` card takes the
    height of the page (for a list that grows), another keeps its own."""
    heading = QLabel(title, objectName="pinTitle", alignment=Qt.AlignmentFlag.AlignCenter)
    card = QFrame(objectName="pinCard")
    card.setMaximumWidth(max_width)
    inside = QVBoxLayout(card)
    inside.setContentsMargins(36, 28, 36, 28)
    inside.addLayout(content)
    # Stretches, not an alignment: an aligned card shrinks to its hint and squeezes its text.
    centred = QHBoxLayout()
    centred.addStretch(1)
    centred.addWidget(card, stretch=100)
    centred.addStretch(1)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(40, 30, 40, 30)
    layout.setSpacing(24)
    layout.addStretch(1)
    layout.addWidget(heading)
    layout.addLayout(centred, stretch=8 if tall else 0)
    layout.addStretch(1 if tall else 2)
