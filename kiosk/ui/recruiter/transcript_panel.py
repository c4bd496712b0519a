"""The Transcript tab: what was said, a line per segment with its moment and question, each
a jump there; the line being said is marked while the recording plays; a search marks the
lines with the words typed and steps through them. Until the transcript is made, it says
where it is (waiting, how far, or why it could not be made)."""

from __future__ import annotations

import html
from math import ceil
from typing import assert_never

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.store.folding import search_words
from kiosk.store.models import JobState
from kiosk.store.transcripts import Segment, Transcript
from kiosk.ui.formatting import clock
from kiosk.ui.recruiter.transcript_text import (
    line_matches,
    line_words,
    marked_html,
    segment_at,
)

SEGMENT_START = Qt.ItemDataRole.UserRole
PLAYING_FILL = QColor("#dcebf7")
PLAYING_BAR = QColor("#1f5f8b")
MATCH_STYLE = "background-color:#ffe08a;"
BAR_W, PAD_X, PAD_Y = 5, 10, 8
APPEARS = "The transcript appears here by itself once it is made."


def state_text(transcript: Transcript) -> str:
    """Where an interview's transcript is, as the recruiter reads it."""
    status = transcript.status
    if status is None:
        return "There is no transcript: nothing was recorded in this interview."
    match status.state:
        case JobState.PENDING:
            return f"Waiting to be transcribed. {APPEARS}"
        case JobState.RUNNING:
            if status.fraction is None:
                return f"Transcribing… {APPEARS}"
            return f"Transcribing: {round(100 * status.fraction)}%. {APPEARS}"
        case JobState.FAILED:
            return f"The transcript could not be made: {status.error or 'no reason was given.'}"
        case JobState.DONE:
            if transcript.segments:
                return "Tap a line to play the recording from there."
            return "The transcript is made, but nothing was said that could be written down."
    assert_never(status.state)


class TranscriptPanel(QWidget):
    """Dumb: shows a transcript and follows the position it is given; `seek(ms)` when a
    line or a match is chosen."""

    seek = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcriptPanel")
        self._segments: tuple[Segment, ...] = ()
        self._starts: list[int] = []
        self._words: list[frozenset[str]] = []
        self._labels: list[str] = []
        self._typed: list[str] = []
        self.matches: list[int] = []  # rows with every word typed, in order
        self._matching: set[int] = set()
        self.playing_row: int | None = None

        self.state = QLabel(objectName="muted")
        self.state.setWordWrap(True)
        self.search = QLineEdit(placeholderText="Find words said")
        self.search.setAccessibleName("Search this transcript")
        self.next_button = QPushButton("Next")
        self.next_button.setToolTip("Play from the next line with these words (Enter)")
        self.next_button.setAutoDefault(True)
        self.next_button.setEnabled(False)
        self.match_label = QLabel(objectName="muted")
        self.match_label.hide()
        self.list = QListWidget(objectName="transcriptList")
        self.list.setAccessibleName("Transcript")
        self.list.setItemDelegate(_LineDelegate(self))
        self.list.setUniformItemSizes(False)
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.search_row = QWidget()
        search_row = QHBoxLayout(self.search_row)
        search_row.setContentsMargins(0, 0, 0, 0)
        search_row.addWidget(self.search, stretch=1)
        search_row.addWidget(self.next_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 4)
        layout.setSpacing(8)
        layout.addWidget(self.search_row)
        layout.addWidget(self.match_label)
        layout.addWidget(self.state)
        layout.addWidget(self.list, stretch=1)
        layout.addStretch(0)

        self.list.itemClicked.connect(self._jump_to)
        self.list.itemActivated.connect(self._jump_to)
        self.search.textChanged.connect(self._search)
        self.search.returnPressed.connect(self.next_match)
        self.next_button.clicked.connect(self.next_match)
        self.show_nothing()

    # --- what the details pane asks --------------------------------------------------

    def show_nothing(self) -> None:
        """No session open: an empty tab, and a new search for the next one."""
        self.search.clear()
        self._show((), {})
        self.state.setText("")
        self.search_row.hide()

    def set_transcript(self, transcript: Transcript, questions: dict[int, str]) -> None:
        """Show `transcript` (its lines once it is done); `questions` by index, for the
        lines' tooltips."""
        self._show(transcript.segments if transcript.done else (), questions)
        self.state.setText(state_text(transcript))
        self.search_row.setVisible(bool(self._segments))

    def set_position(self, ms: int) -> None:
        """Mark the line being said at `ms` and keep it in sight."""
        row = segment_at(self._segments, self._starts, ms) if self._segments else None
        if row == self.playing_row:
            return
        old, self.playing_row = self.playing_row, row
        for changed in (old, row):
            if changed is not None:
                self.list.viewport().update(self.list.visualItemRect(self.list.item(changed)))
        if row is not None:
            self.list.scrollToItem(self.list.item(row),
                                   QAbstractItemView.ScrollHint.EnsureVisible)

    def next_match(self) -> None:
        """Go to the next line with the words typed (after the current one, then round)."""
        if not self.matches:
            return
        current = self.list.currentRow()
        row = next((r for r in self.matches if r > current), self.matches[0])
        self.list.setCurrentRow(row)
        self.list.scrollToItem(self.list.item(row),
                               QAbstractItemView.ScrollHint.PositionAtCenter)
        self._say_matches(self.matches.index(row))
        self.seek.emit(self._segments[row].start_ms)

    def line_html(self, row: int) -> str:
        """One line as the list shows it: its moment, its question, what was said."""
        if not 0 <= row < len(self._segments):
            return ""  # a row the list is letting go of
        segment = self._segments[row]
        said = (marked_html(segment.text, self._typed, MATCH_STYLE) if row in self._matching
                else html.escape(segment.text))
        return (f'<span style="font-family:\'DejaVu Sans Mono\',monospace;font-weight:600;'
                f'color:#17324d">{clock(segment.start_ms)}</span>&nbsp;&nbsp;'
                f'<span style="color:#4a5866">{self._labels[row]}</span><br>{said}')

    # --- inside --------------------------------------------------------------------------

    def _show(self, segments: tuple[Segment, ...], questions: dict[int, str]) -> None:
        # Emptied first: the delegate draws the old rows from the old lines until then.
        self.list.clear()
        self._segments = segments
        self._starts = [segment.start_ms for segment in segments]
        self._words = [line_words(segment.text) for segment in segments]
        self._labels = [_question_label(segment.question_index) for segment in segments]
        self.playing_row = None
        for segment, label in zip(segments, self._labels, strict=True):
            item = QListWidgetItem(f"{clock(segment.start_ms)}  ·  {label}\n{segment.text}")
            item.setData(SEGMENT_START, segment.start_ms)
            if segment.question_index is not None and segment.question_index in questions:
                item.setToolTip(f"{label}: {questions[segment.question_index]}")
            self.list.addItem(item)
        self.list.setVisible(bool(segments))
        self._search(self.search.text())

    def _search(self, text: str) -> None:
        self._typed = search_words(text)
        self.matches = [row for row, words in enumerate(self._words)
                        if line_matches(words, self._typed)]
        self._matching = set(self.matches)
        self.next_button.setEnabled(bool(self.matches))
        self._say_matches(None)
        self.list.viewport().update()

    def _say_matches(self, at: int | None) -> None:
        count = len(self.matches)
        if not self._typed:
            self.match_label.hide()
            self.state.show()
            return
        if not count:
            said = "No line has these words."
        elif at is not None:
            said = f"Line {at + 1} of the {count} with these words" if count > 1 else \
                "The one line with these words"
        else:
            said = f"{count} lines match" if count > 1 else "1 line matches"
        self.match_label.setText(said)
        self.match_label.show()
        self.state.hide()  # what a tap does is said once the search is done with

    def _jump_to(self, item: QListWidgetItem) -> None:
        self.seek.emit(int(item.data(SEGMENT_START)))


class _LineDelegate(QStyledItemDelegate):
    """Paints a line as rich text (the matched words marked), the playing one with a bar."""

    def __init__(self, panel: TranscriptPanel) -> None:
        super().__init__(panel)
        self._panel = panel

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        width = self._panel.list.viewport().width()
        document = self._document(option, index.row(), width)
        return QSize(width, ceil(document.size().height()) + 2 * PAD_Y)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        view_option = QStyleOptionViewItem(option)
        self.initStyleOption(view_option, index)
        view_option.text = ""
        widget = view_option.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, view_option, painter,
                              widget)
        rect = view_option.rect
        if index.row() == self._panel.playing_row:
            painter.fillRect(rect.adjusted(0, 0, 0, -1), PLAYING_FILL)
            painter.fillRect(QRect(rect.left(), rect.top(), BAR_W, rect.height() - 1),
                             PLAYING_BAR)
        document = self._document(option, index.row(), rect.width())
        painter.save()
        painter.translate(rect.left() + BAR_W + PAD_X, rect.top() + PAD_Y)
        document.drawContents(painter)
        painter.restore()

    def _document(self, option: QStyleOptionViewItem, row: int, width: int) -> QTextDocument:
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setDocumentMargin(0)
        document.setHtml(self._panel.line_html(row))
        document.setTextWidth(max(60, width - BAR_W - 2 * PAD_X))
        return document


def _question_label(index: int | None) -> str:
    return f"Question {index + 1}" if index is not None else "Between questions"
