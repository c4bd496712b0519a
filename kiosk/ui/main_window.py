"""The kiosk's main window. Until the candidate screens arrive it says where data lives."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMainWindow, QVBoxLayout, QWidget

from kiosk.config import Settings


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings, *, database_display: str) -> None:
        super().__init__()
        self.setWindowTitle("Interview Booth Kiosk")

        title = QLabel("Interview Booth Kiosk", objectName="title")
        subtitle = QLabel("This booth is set up and ready.", objectName="subtitle")
        self.data_dir_label = _detail(f"Data folder: {settings.data_dir}")
        self.database_label = _detail(f"Database: {database_display}")
        self.recordings_label = _detail(f"Recordings: {settings.recordings_dir}")

        card = QFrame(objectName="card")
        card.setMaximumWidth(1100)
        card_layout = QVBoxLayout(card)
        card_layout.setContentsMargins(40, 32, 40, 32)
        card_layout.setSpacing(12)
        for label in (self.data_dir_label, self.database_label, self.recordings_label):
            card_layout.addWidget(label)

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(80, 60, 80, 60)
        layout.setSpacing(24)
        layout.addStretch(1)
        layout.addWidget(title, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(subtitle, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(24)
        # Stretches, not an alignment: an aligned card shrinks to its hint and clips the paths.
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(card, stretch=100)
        centred.addStretch(1)
        layout.addLayout(centred)
        layout.addStretch(2)
        self.setCentralWidget(page)


def _detail(text: str) -> QLabel:
    label = QLabel(text, objectName="detail")
    # Long paths wrap rather than widen the window past the screen.
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
