"""The moments the sessions list's search found said, under the list: each with the
candidate, the question, the moment and the line itself, the words found in bold. Opening
one (tap, click, Enter) plays that interview from there.

Two lines a moment, of one height for all: the view never measures a hundred rows of
wrapped text while someone types; what does not fit is cut with an ellipsis, and a line
whose words were found far into it starts a little before them."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.store.transcripts import Hit
from kiosk.ui.formatting import clock
from kiosk.ui.recruiter.transcript_text import marked_runs

HIT = Qt.ItemDataRole.UserRole
PAD_X, PAD_Y, LINE_GAP = 12, 8, 4
LEAD_CHARS = 48  # the words found start no further into their line than this
Runs = list[tuple[str, bool]]
Index = QModelIndex | QPersistentModelIndex


class HitsModel(QAbstractListModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hits: list[Hit] = []
        self.typed: list[str] = []

    def set_hits(self, hits: list[Hit], typed: list[str]) -> None:
        self.beginResetModel()
        self.hits, self.typed = hits, typed
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self.hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        hit = self.hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{hit.candidate_name}  ·  at {clock(hit.start_ms)}  ·  " \
                   f"{question_text(hit)}\n{hit.text}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return hit.text
        if role == HIT:
            return hit
        return None


def question_text(hit: Hit) -> str:
    if hit.question_index is None:
        return "between questions"
    return f"Question {hit.question_index + 1}: {hit.question or ''}".rstrip(": ")


class HitsView(QListView):
    """A QListView that says when it has painted (what a person sees is then on screen)."""

    painted = Signal()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.painted.emit()


class SearchHits(QWidget):
    """`opened(session_id, ms)` when a moment is chosen. Hidden while there is none."""

    opened = Signal(str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchHitsPanel")
        self.title = QLabel(objectName="strong")
        self.title.setWordWrap(True)
        self.model = HitsModel(self)
        self.view = HitsView(objectName="searchHits")
        self.view.setAccessibleName("Moments where the words were said")
        self.view.setModel(self.model)
        self.view.setItemDelegate(_HitDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.view, stretch=1)
        self.view.clicked.connect(self._open)
        self.view.activated.connect(self._open)
        self.hide()

    def set_hits(self, hits: list[Hit], typed: list[str], *, more: bool = False) -> None:
        """Show these moments (`more`: the search found others, older, not shown)."""
        self.model.set_hits(hits, typed)
        self.setVisible(bool(hits))
        if not hits:
            return
        sessions = len({hit.session_id for hit in hits})
        interviews = "1 interview" if sessions == 1 else f"{sessions} interviews"
        if more:
            moments = f"the newest {len(hits)} moments"
        else:
            moments = "1 moment" if len(hits) == 1 else f"{len(hits)} moments"
        self.title.setText(f"Said in {interviews}: {moments}. Open one to play it from there.")

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            hit: Hit = index.data(HIT)
            self.opened.emit(hit.session_id, hit.start_ms)


class _HitDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(200, 2 * metrics.height() + LINE_GAP + 2 * PAD_Y)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        view_option = QStyleOptionViewItem(option)
        self.initStyleOption(view_option, index)
        view_option.text = ""
        widget = view_option.widget
        if widget is not None:
            widget.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, view_option,
                                       painter, widget)
        hit: Hit = index.data(HIT)
        typed: list[str] = index.model().typed  # type: ignore[attr-defined]
        normal = QFont(option.font)
        bold = QFont(option.font)
        bold.setWeight(QFont.Weight.DemiBold)
        height = QFontMetrics(normal).height()
        area = view_option.rect.adjusted(PAD_X, PAD_Y, -PAD_X, -PAD_Y)
        painter.save()
        painter.setPen(view_option.palette.color(view_option.palette.ColorRole.Text))
        first = QRect(area.left(), area.top(), area.width(), height)
        _draw_runs(painter, first, [(hit.candidate_name, True),
                                    (f"  ·  at {clock(hit.start_ms)}  ·  {question_text(hit)}",
                                     False)], normal, bold)
        second = QRect(area.left(), area.top() + height + LINE_GAP, area.width(), height)
        _draw_runs(painter, second, _lead_in(marked_runs(hit.text, typed)), normal, bold)
        painter.restore()


def _lead_in(runs: Runs) -> Runs:
    """Start a long line shortly before its first word found, so that word is in sight."""
    first = next((number for number, (_, marked) in enumerate(runs) if marked), None)
    if first is None:
        return runs
    head = "".join(text for text, _ in runs[:first])
    if len(head) <= LEAD_CHARS:
        return runs
    tail = head[-(LEAD_CHARS // 2):]
    space = tail.find(" ")
    return [("…" + (tail[space + 1:] if space >= 0 else tail), False), *runs[first:]]


def _draw_runs(painter: QPainter, rect: QRect, runs: Runs, normal: QFont, bold: QFont) -> None:
    """The runs on one line, bold where marked, cut with an ellipsis where they overflow."""
    x = rect.left()
    baseline = rect.top() + QFontMetrics(normal).ascent()
    for text, marked in runs:
        font = bold if marked else normal
        metrics = QFontMetrics(font)
        width = metrics.horizontalAdvance(text)
        room = rect.right() - x
        painter.setFont(font)
        if width > room:
            painter.drawText(x, baseline, metrics.elidedText(text, Qt.TextElideMode.ElideRight,
                                                             max(0, room)))
            return
        painter.drawText(x, baseline, text)
        x += width
