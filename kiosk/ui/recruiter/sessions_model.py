"""The sessions list as a Qt model: one light row per session, fast with tens of thousands.

`SessionsModel` holds the rows and sorts them itself (a Python sort with one key per row
takes a few milliseconds; letting QSortFilterProxyModel compare rows would call back into
Python some 130,000 times for 10,000 rows, half a second). `SessionsFilter` filters them
(search by name or by words said, status, date) and hands sorting to the model, so the
view's sortable header works as usual. Thumbnails are read only for the rows on screen,
scaled while they are decoded, and kept in Qt's pixmap cache.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from functools import cache
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QImageReader, QPixmap, QPixmapCache

from kiosk.errors import UnsafePathError
from kiosk.store.files import resolve_recording_path
from kiosk.store.folding import search_key
from kiosk.store.models import SessionStatus
from kiosk.store.review import SessionRow
from kiosk.ui.formatting import clock, local_datetime, status_text

THUMBNAIL_SIZE = QSize(96, 54)
COLUMNS = ("", "Candidate", "Position", "Date", "Duration", "Status", "Rating")
THUMBNAIL, CANDIDATE, POSITION, DATE, DURATION, STATUS, RATING = range(len(COLUMNS))
# Roles as plain ints: comparing Qt's enum members costs more than the rest of data().
DISPLAY = Qt.ItemDataRole.DisplayRole.value
DECORATION = Qt.ItemDataRole.DecorationRole.value
ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole.value
TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
SESSION_ID = Qt.ItemDataRole.UserRole.value
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
Index = QModelIndex | QPersistentModelIndex
TOP = QModelIndex()  # the invalid index: the table's own level


class SessionsModel(QAbstractTableModel):
    def __init__(self, recordings_root: Path, parent=None) -> None:
        super().__init__(parent)
        self._root = recordings_root
        self._rows: list[SessionRow] = []
        self._keys: list[str] | None = None  # folded names, made on first need
        self._by_id: dict[str, SessionRow] | None = None  # made on first need
        self._no_thumbnail: set[str] = set()
        # Called whenever rows are replaced or reordered, before any view hears of it: the
        # filter works its answers out again then (see SessionsFilter).
        self.on_reorder: Callable[[], None] = lambda: None

    # --- what the view asks -------------------------------------------------------------

    def rowCount(self, parent: Index = TOP) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = TOP) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == DISPLAY:
            return COLUMNS[section]
        if role == ALIGNMENT:
            return RIGHT if section in (DURATION, RATING) else LEFT
        return None

    def data(self, index: Index, role: int = DISPLAY):
        row = self._rows[index.row()]
        column = index.column()
        if role == DISPLAY:
            return self._text(row, column)
        if role == DECORATION:
            return self._thumbnail(row) if column == THUMBNAIL else None
        if role == ALIGNMENT:
            return RIGHT if column in (DURATION, RATING) else None
        if role == SESSION_ID:
            return row.session_id
        if role == TOOLTIP and column in (CANDIDATE, POSITION):
            return row.candidate_name if column == CANDIDATE else row.position
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        order_of = self._order(column, order)
        self.layoutAboutToBeChanged.emit()
        old_to_new = {old: new for new, old in enumerate(order_of)}
        persistent = self.persistentIndexList()
        self._apply_order(order_of)
        self.changePersistentIndexList(
            persistent, [self.index(old_to_new[p.row()], p.column()) for p in persistent])
        self.layoutChanged.emit()

    # --- what the screens ask -----------------------------------------------------------

    def set_rows(self, rows: list[SessionRow], column: int, order: Qt.SortOrder) -> None:
        """Show these rows, sorted by `column` (sorted before the view sees them: one pass)."""
        self.beginResetModel()
        self._rows, self._keys, self._by_id = rows, None, None
        self._no_thumbnail.clear()
        self._apply_order(self._order(column, order))
        self.endResetModel()

    @property
    def rows(self) -> list[SessionRow]:
        return self._rows

    @property
    def keys(self) -> list[str]:
        """Each row's name folded for search (see `search_key`), in row order."""
        if self._keys is None:
            self._keys = [search_key(r.candidate_name) for r in self._rows]
        return self._keys

    def row(self, source_row: int) -> SessionRow:
        return self._rows[source_row]

    def row_by_id(self, session_id: str) -> SessionRow | None:
        if self._by_id is None:
            self._by_id = {row.session_id: row for row in self._rows}
        return self._by_id.get(session_id)

    def row_of(self, session_id: str) -> int | None:
        for number, row in enumerate(self._rows):
            if row.session_id == session_id:
                return number
        return None

    # --- inside -------------------------------------------------------------------------

    def _order(self, column: int, order: Qt.SortOrder) -> list[int]:
        """The row numbers in sorted order: one key per row, compared in C."""
        rows = self._rows
        if column == CANDIDATE:
            keys: list = self.keys
        elif column == POSITION:
            keys = [search_key(r.position or "") for r in rows]
        elif column == DURATION:
            keys = [-1 if r.duration_ms is None else r.duration_ms for r in rows]
        elif column == STATUS:
            keys = [_status(r) for r in rows]
        elif column == RATING:
            keys = [-1.0 if r.rating is None else r.rating for r in rows]
        else:  # the date, and the thumbnail column (a picture has no order of its own)
            keys = [r.date for r in rows]
        return sorted(range(len(rows)), key=keys.__getitem__,
                      reverse=order == Qt.SortOrder.DescendingOrder)

    def _apply_order(self, order_of: list[int]) -> None:
        self._rows = [self._rows[i] for i in order_of]
        if self._keys is not None:
            self._keys = [self._keys[i] for i in order_of]
        self.on_reorder()

    @staticmethod
    def _text(row: SessionRow, column: int) -> str | None:
        if column == CANDIDATE:
            return row.candidate_name
        if column == POSITION:
            return row.position or ""
        if column == DATE:
            return local_datetime(row.date)
        if column == DURATION:
            return clock(row.duration_ms) if row.duration_ms is not None else ""
        if column == STATUS:
            return _status(row)
        if column == RATING:
            return f"★ {row.rating:.1f}" if row.rating is not None else ""
        return None

    def _thumbnail(self, row: SessionRow) -> QPixmap:
        if not row.thumbnail or row.session_id in self._no_thumbnail:
            return _placeholder()
        cached = QPixmapCache.find(row.session_id)
        if cached is not None:
            return cached
        try:
            path = resolve_recording_path(self._root, row.thumbnail)
        except UnsafePathError:
            path = None
        image = None
        if path is not None:
            reader = QImageReader(str(path))
            # JPEG decodes straight to the small size: several times quicker than full size.
            reader.setScaledSize(THUMBNAIL_SIZE)
            image = reader.read()
        if image is None or image.isNull():
            self._no_thumbnail.add(row.session_id)  # missing or damaged: no picture, no retry
            return _placeholder()
        pixmap = QPixmap.fromImage(image)
        QPixmapCache.insert(row.session_id, pixmap)
        return pixmap


@cache
def _placeholder() -> QPixmap:
    """Where there is no picture (nothing recorded, or the poster is gone): a quiet box."""
    pixmap = QPixmap(THUMBNAIL_SIZE)
    pixmap.fill(QColor("#e4dfd5"))
    return pixmap


class SessionsFilter(QSortFilterProxyModel):
    """Search (a name, or words said in the sessions `said`), status and date filters over
    `SessionsModel`; sorting is the model's own.

    Qt asks `filterAcceptsRow` once per row, 10,000 calls from C++ into Python for every
    change: the answers are worked out beforehand for all rows in one comprehension, so
    each call is a single list lookup (and with no filter set, all True, nothing to work)."""

    def __init__(self, model: SessionsModel, parent=None) -> None:
        super().__init__(parent)
        self._model = model
        self._text = ""
        self._statuses: frozenset[SessionStatus] | None = None
        self._since: datetime | None = None
        self._said: frozenset[str] = frozenset()
        self._accepted: list[bool] = []
        model.on_reorder = self._work_out
        self.setSourceModel(model)

    def set_criteria(self, text: str, statuses: Collection[SessionStatus] | None,
                     since: datetime | None, *, said: Collection[str] = ()) -> None:
        """`said`: the sessions where the words searched for were said (shown too)."""
        self._text = search_key(text.strip())
        self._said = frozenset(said)
        self._statuses = frozenset(statuses) if statuses is not None else None
        self._since = since
        self._work_out()
        # One layout change, not Qt's row-by-row inserts and removals: when a backspace
        # brings back thousands of rows scattered through the list, those come in
        # thousands of ranges and cost half as much again.
        self.invalidate()

    @property
    def filtering(self) -> bool:
        return bool(self._text) or self._statuses is not None or self._since is not None

    def passes_filters(self, row: SessionRow) -> bool:
        """Whether `row` has a status and a date the filters let through (search aside)."""
        return ((self._statuses is None or row.status in self._statuses)
                and (self._since is None or row.date >= self._since))

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        return self._accepted[source_row]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._model.sort(column, order)

    def _work_out(self) -> None:
        rows = self._model.rows
        if not self.filtering:
            self._accepted = [True] * len(rows)
            return
        text, statuses, since, said = self._text, self._statuses, self._since, self._said
        self._accepted = [
            (not text or text in key or row.session_id in said)
            and (statuses is None or row.status in statuses)
            and (since is None or row.date >= since)
            for key, row in zip(self._model.keys, rows, strict=True)]


def _status(row: SessionRow) -> str:
    return status_text(row.status, ended_early=row.ended_early,
                       answered=row.questions_answered, total=row.questions_total)
