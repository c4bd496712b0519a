"""The sessions list: search by name or by words said, filter by status and date, sort by
any column. The moments where the words were said are listed under the table."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from kiosk.store import transcripts
from kiosk.store.database import Database
from kiosk.store.folding import search_words
from kiosk.store.models import SessionStatus
from kiosk.store.review import SessionRow
from kiosk.ui.recruiter.search_hits import SearchHits
from kiosk.ui.recruiter.sessions_model import (
    CANDIDATE,
    DATE,
    DURATION,
    POSITION,
    RATING,
    SESSION_ID,
    STATUS,
    THUMBNAIL,
    THUMBNAIL_SIZE,
    SessionsFilter,
    SessionsModel,
)

STATUS_FILTERS: tuple[tuple[str, frozenset[SessionStatus] | None], ...] = (
    ("All statuses", None),
    ("Ready to watch", frozenset({SessionStatus.COMPLETED, SessionStatus.RECOVERED})),
    ("Scheduled", frozenset({SessionStatus.SCHEDULED})),
    ("In progress", frozenset({SessionStatus.IN_PROGRESS, SessionStatus.RECORDING,
                               SessionStatus.MERGING})),
    ("Declined", frozenset({SessionStatus.DECLINED})),
    ("Failed", frozenset({SessionStatus.FAILED})),
)
DATE_FILTERS: tuple[tuple[str, int | None], ...] = (
    ("Any date", None), ("Today", 0), ("Last 7 days", 7), ("Last 30 days", 30),
    ("Last 12 months", 365),
)
ROW_HEIGHT = THUMBNAIL_SIZE.height() + 12
MIN_PREFIX = 2  # letters of a word being typed before the transcripts are searched for it


class SessionsTable(QTableView):
    """A QTableView that says when it has painted (what a person sees is then on screen)."""

    painted = Signal()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.painted.emit()


class SessionsList(QWidget):
    """Emits `opened(session_id)` when a session is tapped, clicked or chosen with Enter,
    and `moment_opened(session_id, ms)` when a moment where searched words were said is.

    With `db`, the search looks for words said in the transcripts too (without, names only)."""

    opened = Signal(str)
    moment_opened = Signal(str, int)

    def __init__(self, recordings_root: Path, parent: QWidget | None = None, *,
                 db: Database | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionsList")
        self._db = db
        self.model = SessionsModel(recordings_root, self)
        self.proxy = SessionsFilter(self.model, self)

        said = " or by words said" if db is not None else ""
        self.search = QLineEdit(placeholderText=f"Search by name{said}")
        self.search.setAccessibleName(f"Search by candidate name{said}")
        # A button of its own rather than the field's built-in one, which is made, styled
        # and faded in on the first keystroke: 50 ms the first search would wait for.
        self.clear_button = QPushButton("Clear")
        self.clear_button.setEnabled(False)
        self.clear_button.setAutoDefault(True)
        self.status_filter = QComboBox(accessibleName="Status")
        for label, _ in STATUS_FILTERS:
            self.status_filter.addItem(label)
        self.date_filter = QComboBox(accessibleName="Date")
        for label, _ in DATE_FILTERS:
            self.date_filter.addItem(label)
        self.count_label = QLabel(objectName="muted")

        self.table = SessionsTable()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setIconSize(THUMBNAIL_SIZE)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = self.table.verticalHeader()
        rows.hide()
        # Fixed heights: the view never measures 10,000 rows to lay them out.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(ROW_HEIGHT)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(CANDIDATE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(POSITION, QHeaderView.ResizeMode.Stretch)
        for column, width in ((THUMBNAIL, THUMBNAIL_SIZE.width() + 16), (DATE, 200),
                              (DURATION, 120), (STATUS, 160), (RATING, 110)):
            self.table.setColumnWidth(column, width)
        header.setSortIndicator(DATE, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)

        self.empty = QLabel(objectName="emptyMessage", alignment=Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.empty)
        self.hits = SearchHits()

        filters = QHBoxLayout()
        filters.setSpacing(12)
        filters.addWidget(self.search, stretch=3)
        filters.addWidget(self.clear_button)
        filters.addWidget(self.status_filter, stretch=1)
        filters.addWidget(self.date_filter, stretch=1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addLayout(filters)
        layout.addWidget(self.count_label)
        layout.addWidget(self.pages, stretch=3)
        layout.addWidget(self.hits, stretch=2)

        self.search.textChanged.connect(self._apply_filters)
        self.search.textChanged.connect(lambda text: self.clear_button.setEnabled(bool(text)))
        self.clear_button.clicked.connect(self._clear_search)
        self.status_filter.currentIndexChanged.connect(self._apply_filters)
        self.date_filter.currentIndexChanged.connect(self._apply_filters)
        # A tap (touch), a click, or Enter / double-click from the keyboard.
        self.table.clicked.connect(self._open)
        self.table.activated.connect(self._open)
        self.hits.opened.connect(self.moment_opened)
        self._show_count()

    def set_rows(self, rows: list[SessionRow], *, keep: str | None = None) -> None:
        """Show these rows (sorted as the header says); keep `keep` selected if still there."""
        header = self.table.horizontalHeader()
        self.model.set_rows(rows, header.sortIndicatorSection(), header.sortIndicatorOrder())
        self._show_count()
        if keep is not None:
            self.select(keep)

    def select(self, session_id: str) -> bool:
        source_row = self.model.row_of(session_id)
        if source_row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(source_row, CANDIDATE))
        if not index.isValid():
            return False
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def focus_search(self) -> None:
        self.search.setFocus()

    def prepare_search(self) -> None:
        """Fold the names for search now (once the list is on screen), not at the first key."""
        self.model.keys  # noqa: B018 - made on first use; this is that use

    def _clear_search(self) -> None:
        self.search.clear()
        self.search.setFocus()

    def _apply_filters(self) -> None:
        statuses = STATUS_FILTERS[self.status_filter.currentIndex()][1]
        days = DATE_FILTERS[self.date_filter.currentIndex()][1]
        since = None
        if days is not None:
            midnight = datetime.now().astimezone().replace(hour=0, minute=0, second=0,
                                                           microsecond=0)
            since = midnight - timedelta(days=days)
        text = self.search.text()
        words = self._words_said(text)
        hits = self._said(words)
        self.proxy.set_criteria(text, statuses, since, said={hit.session_id for hit in hits})
        # A moment is listed when its interview is: the status and date filters hold too.
        shown = [hit for hit in hits if (row := self.model.row_by_id(hit.session_id))
                 is not None and self.proxy.passes_filters(row)]
        self.hits.set_hits(shown, words, more=len(hits) >= transcripts.SEARCH_LIMIT)
        self._show_count()

    @staticmethod
    def _words_said(text: str) -> list[str]:
        """The words to look for in what was said. A last word of one letter waits for the
        next: every word said that starts with "t" is most of the index to read (200 ms
        on 10,000 interviews), and the moments of the words before it stay in view."""
        words = search_words(text)
        if words and len(words[-1]) < MIN_PREFIX:
            words.pop()
        return words

    def _said(self, words: list[str]) -> list[transcripts.Hit]:
        """The moments where all of `words` were said (none without a database)."""
        if self._db is None or not words:
            return []
        try:
            return transcripts.search(self._db, " ".join(words))
        except SQLAlchemyError as exc:  # the database went away: the name search still works
            print(f"kiosk: the transcripts could not be searched: {exc}", file=sys.stderr)
            return []

    def _show_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        noun = "interview" if total == 1 else "interviews"
        if self.proxy.filtering:
            self.count_label.setText(f"{shown:,} of {total:,} {noun}")
        else:
            self.count_label.setText(f"{total:,} {noun}")
        if shown:
            self.pages.setCurrentWidget(self.table)
            return
        if total:
            self.empty.setText("No interview matches this search and these filters.")
        else:
            self.empty.setText("No interviews yet. They appear here as soon as a candidate "
                               "has finished at the booth.")
        self.pages.setCurrentWidget(self.empty)

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.opened.emit(index.data(SESSION_ID))
