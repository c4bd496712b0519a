"""The sessions list: rows from the database, sorting by any column, search and filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.store.database import open_configured
from kiosk.store.models import InterviewSession, Rating, SessionStatus
from kiosk.ui.recruiter.sessions_list import DATE_FILTERS, STATUS_FILTERS, SessionsList
from kiosk.ui.recruiter.sessions_model import (
    CANDIDATE,
    DATE,
    DURATION,
    RATING,
    SESSION_ID,
    STATUS,
)

NOW = datetime.now(UTC)
ROWS = [  # name, status, days ago, duration (s), overall ratings
    ("Zoë Ærø", SessionStatus.COMPLETED, 1, 600, [5, 4]),
    ("zoe plain", SessionStatus.RECOVERED, 3, 125, [2]),
    ("Ada Lovelace", SessionStatus.COMPLETED, 40, 1800, []),
    ("Grace Hopper", SessionStatus.SCHEDULED, 0.1, None, []),
    ("Omar Okafor", SessionStatus.DECLINED, 9, None, [3]),
    ("Lin Wang", SessionStatus.IN_PROGRESS, 0.2, None, []),
]


@pytest.fixture
def sessions(qtbot: QtBot, settings) -> SessionsList:
    from kiosk.store.review import list_session_rows

    db = open_configured(settings)
    with db.session() as s, s.begin():
        for name, status, days, seconds, scores in ROWS:
            row = InterviewSession(candidate_name=name, status=status,
                                   created_at=NOW - timedelta(days=days + 1))
            if seconds is not None:
                row.recording_created_at = NOW - timedelta(days=days)
                row.duration_ms = seconds * 1000
            row.ratings = [Rating(score=score) for score in scores]
            s.add(row)
    widget = SessionsList(settings.recordings_dir)
    qtbot.addWidget(widget)
    widget.set_rows(list_session_rows(db))
    db.close()
    widget.resize(1280, 700)
    widget.show()
    return widget


def _column(widget: SessionsList, column: int) -> list[str]:
    proxy = widget.proxy
    return [proxy.index(r, column).data() for r in range(proxy.rowCount())]


def _names(widget: SessionsList) -> list[str]:
    return _column(widget, CANDIDATE)


def test_newest_first_and_every_column_sorts_both_ways(qtbot: QtBot, sessions) -> None:
    # Recorded sessions by their recording, the others by when they were created.
    assert _names(sessions) == ["Zoë Ærø", "Grace Hopper", "Lin Wang", "zoe plain",
                                "Omar Okafor", "Ada Lovelace"]
    header = sessions.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=header.rect().topLeft() + _section_centre(header, CANDIDATE))
    ascending = _names(sessions)
    assert ascending == ["Ada Lovelace", "Grace Hopper", "Lin Wang", "Omar Okafor",
                         "zoe plain", "Zoë Ærø"]
    sessions.table.sortByColumn(CANDIDATE, Qt.SortOrder.DescendingOrder)
    assert _names(sessions) == list(reversed(ascending))
    sessions.table.sortByColumn(DURATION, Qt.SortOrder.DescendingOrder)
    assert _column(sessions, DURATION)[:3] == ["30:00", "10:00", "2:05"]
    sessions.table.sortByColumn(RATING, Qt.SortOrder.DescendingOrder)
    assert _column(sessions, RATING)[:3] == ["★ 4.5", "★ 3.0", "★ 2.0"]
    sessions.table.sortByColumn(STATUS, Qt.SortOrder.AscendingOrder)
    assert _column(sessions, STATUS) == sorted(_column(sessions, STATUS))
    sessions.table.sortByColumn(DATE, Qt.SortOrder.AscendingOrder)
    assert _names(sessions)[0] == "Ada Lovelace"


def _section_centre(header, column: int):
    from PySide6.QtCore import QPoint

    return QPoint(header.sectionViewportPosition(column) + header.sectionSize(column) // 2,
                  header.height() // 2)


def test_search_ignores_case_and_accents(qtbot: QtBot, sessions) -> None:
    qtbot.keyClicks(sessions.search, "ZOE")
    assert sorted(_names(sessions)) == ["Zoë Ærø", "zoe plain"]
    assert sessions.count_label.text() == "2 of 6 interviews"
    qtbot.keyClicks(sessions.search, " ae")  # "Ærø" folds to "ærø": no match for "ae"
    assert _names(sessions) == []
    assert sessions.pages.currentWidget() is sessions.empty
    assert "No interview matches" in sessions.empty.text()
    qtbot.mouseClick(sessions.clear_button, Qt.MouseButton.LeftButton)
    assert len(_names(sessions)) == 6
    assert sessions.pages.currentWidget() is sessions.table


def test_status_and_date_filters_combine_with_search(qtbot: QtBot, sessions) -> None:
    ready = [label for label, _ in STATUS_FILTERS].index("Ready to watch")
    sessions.status_filter.setCurrentIndex(ready)
    assert sorted(_names(sessions)) == ["Ada Lovelace", "Zoë Ærø", "zoe plain"]
    week = [label for label, _ in DATE_FILTERS].index("Last 7 days")
    sessions.date_filter.setCurrentIndex(week)
    assert sorted(_names(sessions)) == ["Zoë Ærø", "zoe plain"]
    qtbot.keyClicks(sessions.search, "plain")
    assert _names(sessions) == ["zoe plain"]
    # Sorting keeps the filter.
    sessions.search.clear()
    sessions.table.sortByColumn(CANDIDATE, Qt.SortOrder.AscendingOrder)
    assert _names(sessions) == ["zoe plain", "Zoë Ærø"]


def test_a_tap_or_enter_opens_the_session(qtbot: QtBot, sessions) -> None:
    index = sessions.proxy.index(2, CANDIDATE)
    with qtbot.waitSignal(sessions.opened, timeout=1000) as opened:
        qtbot.mouseClick(sessions.table.viewport(), Qt.MouseButton.LeftButton,
                         pos=sessions.table.visualRect(index).center())
    assert opened.args == [index.data(SESSION_ID)]
    assert sessions.select(index.data(SESSION_ID))
    sessions.table.setFocus()
    with qtbot.waitSignal(sessions.opened, timeout=1000) as opened:
        qtbot.keyClick(sessions.table, Qt.Key.Key_Return)
    assert opened.args == [index.data(SESSION_ID)]


def test_an_empty_booth_says_so(qtbot: QtBot, settings) -> None:
    widget = SessionsList(settings.recordings_dir)
    qtbot.addWidget(widget)
    widget.set_rows([])
    assert widget.pages.currentWidget() is widget.empty
    assert "No interviews yet" in widget.empty.text()
    assert widget.count_label.text() == "0 interviews"
