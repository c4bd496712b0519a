"""The sessions list's search as a person feels it: each key typed, until the list and the
moments found have repainted (offscreen). For `kiosk bench --transcripts`, on whatever
database it is given: the list is the real one, built as the recruiter's view builds it.

Every key of every query is timed, as it is typed: the first letters, which match the most,
count as much as the last. When a key changed nothing on screen, Qt paints nothing; a full
repaint is forced then, so a figure never flatters (as in `kiosk.ui.tooling.ui_bench`).
"""

from __future__ import annotations

import os
import statistics
from functools import partial

from kiosk.config import Settings
from kiosk.store.database import Database

WAIT_S = 30.0  # for the list's first paint (10,000 rows read, thumbnails)
BETWEEN_KEYS_S = 0.05  # what a person's typing leaves between two keys


def typed_to_repainted(settings: Settings, db: Database, queries: list[str]
                       ) -> dict[str, float]:
    """ms from each key typed in the search box to the list and the moments repainted:
    the median and the slowest over every key of `queries`, and how many keys."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtTest import QTest

    from kiosk.store.review import list_session_rows
    from kiosk.ui.app import application
    from kiosk.ui.recruiter.sessions_list import SessionsList
    from kiosk.ui.recruiter.style import apply_recruiter_style
    from kiosk.ui.tooling.waiting import repainted_after, settle, wait_until

    application()  # the one QApplication, made if need be: widgets need it

    until = partial(wait_until, timeout_s=WAIT_S, poll_s=0,
                    stuck=lambda: f"the sessions list did not paint in {WAIT_S:g} s")
    sessions = SessionsList(settings.recordings_dir, db=db)
    apply_recruiter_style(sessions)
    painted: list[bool] = []
    sessions.table.painted.connect(lambda: painted.append(True))
    sessions.set_rows(list_session_rows(db))
    sessions.resize(1280, 800)
    sessions.show()
    until(lambda: bool(painted))
    sessions.prepare_search()
    settle(0.3)
    screens = [sessions.table.viewport(), sessions.hits.view.viewport()]
    typed: list[float] = []
    try:
        for query in queries:
            sessions.search.clear()
            settle(0.2)
            for key in query:
                settle(BETWEEN_KEYS_S)
                typed.append(repainted_after(
                    screens, lambda key=key: QTest.keyClicks(sessions.search, key)))
    finally:
        sessions.close()
        sessions.deleteLater()
        QCoreApplication.processEvents()
    if not typed:
        raise ValueError("no key to type: give at least one query of one letter or more")
    return {
        "search_typed_to_repainted_ms_median": round(statistics.median(typed), 1),
        "search_typed_to_repainted_ms_max": round(max(typed), 1),
        "search_keys_typed": float(len(typed)),
    }
