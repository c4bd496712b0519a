"""Timestamped notes: add at the player's position, tap to jump, edit or delete your own."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.store.review import MAX_NOTE_LENGTH, NoteEntry
from kiosk.ui.formatting import clock, local_datetime

NOTE_ID = Qt.ItemDataRole.UserRole
NOTE_TIME = Qt.ItemDataRole.UserRole + 1
NOTE_IS_MINE = Qt.ItemDataRole.UserRole + 2
NOTE_TEXT = Qt.ItemDataRole.UserRole + 3


class NotesPanel(QWidget):
    """Dumb: shows notes and says what the person wants. `add_requested(text)` (at the
    current position), `edit_requested(note_id, text)`, `delete_requested(note_id)`,
    `jump(ms)`."""

    add_requested = Signal(str)
    edit_requested = Signal(int, str)
    delete_requested = Signal(int)
    jump = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notesPanel")
        self._operator_id: int | None = None
        self._editing: int | None = None
        self._position = 0

        self.list = QListWidget(objectName="notesList")
        self.list.setWordWrap(True)
        # Long notes wrap to the panel's width rather than scroll sideways.
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setAccessibleName("Notes")
        self.empty = QLabel("No notes yet. Play the recording and add one at any moment.",
                            objectName="muted")
        self.empty.setWordWrap(True)
        self.text = QLineEdit(placeholderText="Write a note…")
        self.text.setMaxLength(MAX_NOTE_LENGTH)
        self.text.setAccessibleName("Note text")
        self.add_button = QPushButton("Add at 0:00", objectName="primary")
        self.add_button.setAutoDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.hide()
        self.edit_button = QPushButton("Edit")
        self.delete_button = QPushButton("Delete")
        self.message = QLabel(objectName="error")
        self.message.setWordWrap(True)
        self.message.hide()

        entry = QHBoxLayout()
        entry.addWidget(self.text, stretch=1)
        entry.addWidget(self.add_button)
        entry.addWidget(self.cancel_button)
        own = QHBoxLayout()
        own.addWidget(QLabel("Your notes:", objectName="muted"))
        own.addWidget(self.edit_button)
        own.addWidget(self.delete_button)
        own.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 4)
        layout.setSpacing(10)
        layout.addWidget(self.list, stretch=1)
        layout.addWidget(self.empty)
        layout.addLayout(own)
        layout.addLayout(entry)
        layout.addWidget(self.message)

        self.list.itemClicked.connect(self._jump_to)
        self.list.itemActivated.connect(self._jump_to)
        self.list.currentItemChanged.connect(self._update_buttons)
        self.add_button.clicked.connect(self._submit)
        self.text.returnPressed.connect(self._submit)
        self.cancel_button.clicked.connect(self._stop_editing)
        self.edit_button.clicked.connect(self._start_editing)
        self.delete_button.clicked.connect(self._delete)
        self._update_buttons()

    def set_notes(self, notes: list[NoteEntry], operator_id: int) -> None:
        self._operator_id = operator_id
        self._stop_editing()
        self.list.clear()
        for note in notes:
            item = QListWidgetItem(f"{clock(note.time_ms)}  ·  {note.author_name}\n{note.text}")
            item.setData(NOTE_ID, note.id)
            item.setData(NOTE_TIME, note.time_ms)
            edited = f", edited {local_datetime(note.updated_at)}" if note.updated_at else ""
            item.setToolTip(f"Written by {note.author_name} on "
                            f"{local_datetime(note.created_at)}{edited}")
            item.setData(NOTE_IS_MINE, note.author_id == operator_id)
            item.setData(NOTE_TEXT, note.text)
            self.list.addItem(item)
        self.list.setVisible(bool(notes))
        self.empty.setVisible(not notes)
        self._update_buttons()

    def set_position(self, ms: int) -> None:
        self._position = ms
        if self._editing is None:
            self.add_button.setText(f"Add at {clock(ms)}")

    def set_recording_available(self, available: bool) -> None:
        """Notes are moments of a recording: without one, none can be added."""
        self.text.setEnabled(available)
        self.add_button.setEnabled(available)
        if not available:
            self.text.setPlaceholderText("Notes need a recording to point into.")
        else:
            self.text.setPlaceholderText("Write a note…")

    def show_error(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    @staticmethod
    def _own(item: QListWidgetItem | None) -> bool:
        return item is not None and bool(item.data(NOTE_IS_MINE))

    def _update_buttons(self, *_: object) -> None:
        own = self._own(self.list.currentItem())
        self.edit_button.setEnabled(own and self._editing is None)
        self.delete_button.setEnabled(own and self._editing is None)

    def _jump_to(self, item: QListWidgetItem) -> None:
        self.jump.emit(int(item.data(NOTE_TIME)))

    def _submit(self) -> None:
        text = self.text.text()
        self.show_error("")
        if self._editing is not None:
            self.edit_requested.emit(self._editing, text)
        else:
            self.add_requested.emit(text)

    def clear_entry(self) -> None:
        self._stop_editing()
        self.text.clear()

    def _start_editing(self) -> None:
        item = self.list.currentItem()
        if not self._own(item):
            return
        self._editing = int(item.data(NOTE_ID))
        self.text.setText(item.data(NOTE_TEXT))
        self.add_button.setText("Save")
        self.cancel_button.show()
        self.text.setFocus()
        self._update_buttons()

    def _stop_editing(self) -> None:
        if self._editing is not None:
            self.text.clear()
        self._editing = None
        self.cancel_button.hide()
        self.set_position(self._position)
        self._update_buttons()

    def _delete(self) -> None:
        item = self.list.currentItem()
        if self._own(item):
            self.delete_requested.emit(int(item.data(NOTE_ID)))
