"""`kiosk bench --ui`: how quick the recruiter's view is, measured on this machine (offscreen).

In a throwaway booth: 10,000 sessions (posters for the newest), and one interview recorded
by the engine at the configured picture size, three answers of 20 s each. Each figure is
the median of several tries, from the person's action to the result on screen:

- list_first_paint_ms: the view is built (10,000 rows read from the database) until the
  table has finished painting its first rows with their thumbnails;
- search_repaint_ms: a key typed in the search box until the filtered table has painted
  (when what is on screen did not change, Qt paints nothing: a full repaint is timed then);
- open_to_first_frame_ms: a click on the interview's row until its first video frame
  reaches the video widget;
- seek_to_frame_ms: a click on a question until the frame where its answer starts reaches
  the video widget (paused and while playing).

`*_cold_ms` is the first try (fonts, styles and the media backend loading); `*_max_ms` the
slowest; `seek_anywhere_ms` seeks to the notes' moments, between keyframes.
"""

from __future__ import annotations

import importlib.metadata
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

Progress = Callable[[str], None]
ROWS = 10_000
SEARCH_KEYS = "anna" + "\b\b\b\b" + "jo" + "\b\b"
WAIT_S = 10.0  # for the screen to show a result
SETTLE_S = 0.05


def run_ui_bench(settings, *, rows: int = ROWS, progress: Progress = lambda _: None
                 ) -> dict[str, Any]:
    # Decided before Qt starts: the bench never needs (or opens) a display.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest
    from sqlalchemy import insert, select

    from kiosk.demo_data import add_rows, demo_booth
    from kiosk.recording.headless import record_demo_session
    from kiosk.store.models import InterviewSession, Rating, Role
    from kiosk.store.operators import add_operator
    from kiosk.store.review import add_note
    from kiosk.ui.app import application
    from kiosk.ui.recruiter.recruiter_view import RecruiterView
    from kiosk.ui.recruiter.sessions_model import CANDIDATE
    from kiosk.ui.tooling.waiting import repainted_after, settle, wait_until

    application()  # the one QApplication, made if need be: widgets need it

    # The moment the screen showed it, on perf_counter's clock. No nap between rounds of
    # events: it would be counted in the figures.
    until = partial(wait_until, timeout_s=WAIT_S, poll_s=0,
                    stuck=lambda: f"the bench waited over {WAIT_S:g} s for the screen")

    with demo_booth() as (booth, db):
        booth = replace(booth, recording=settings.recording)
        width, height = settings.recording.width, settings.recording.height
        progress(f"recording a 60 s interview at {width}x{height} from the synthetic sources")
        operator = add_operator(db, "Bench Recruiter", Role.RECRUITER, "20481024")
        recorded = record_demo_session(
            db, booth, candidate="Bench Candidate", width=width, height=height,
            questions=(("First question", 20.0), ("Second question", 20.0),
                       ("Third question", 20.0)))
        for at_ms in (7_300, 25_900, 44_100, 51_700):
            add_note(db, recorded, operator, at_ms, "A moment between keyframes")
        progress(f"adding {rows:,} sessions")
        add_rows(booth, db, rows - 1, poster_from=recorded, with_posters=60)
        with db.session() as s, s.begin():
            ids = s.scalars(select(InterviewSession.id)).all()
            s.execute(insert(Rating), [{"session_id": sid, "score": 1 + n % 5,
                                        "operator_id": operator.id, "question_index": None}
                                       for n, sid in enumerate(ids) if n % 3 == 0])

        progress("the list: first paint, then search")
        first_paint = []
        for _ in range(3):
            painted: list[float] = []
            start = time.perf_counter()
            view = RecruiterView(booth, db, operator)
            view.sessions.table.painted.connect(lambda p=painted: p.append(time.perf_counter()))
            view.resize(1280, 800)
            view.show()
            until(lambda p=painted: bool(p))
            first_paint.append(1000 * (painted[0] - start))
            settle(0.3)  # what the view does once it is on screen
            if len(first_paint) < 3:
                view.close()
                view.deleteLater()
        search = []
        for key in SEARCH_KEYS:
            settle(SETTLE_S)
            code = Qt.Key.Key_Backspace if key == "\b" else getattr(Qt.Key, f"Key_{key.upper()}")
            search.append(repainted_after([view.sessions.table.viewport()],
                                          lambda code=code: QTest.keyClick(view.sessions.search,
                                                                           code)))
        view.sessions.search.clear()
        settle(SETTLE_S)

        progress("opening the recording, then seeking to each question")
        sink = view.details.player.video_sink
        frames: list[tuple[float, int]] = []
        sink.videoFrameChanged.connect(
            lambda frame: frames.append((time.perf_counter(), frame.startTime()))
            if frame.isValid() else None)
        opens = []
        seeks: list[float] = []
        anywhere: list[float] = []
        frame_ms = 1000 / settings.recording.fps
        for _ in range(5):
            view.show_list()
            view.sessions.select(recorded)
            index = view.sessions.proxy.mapFromSource(
                view.sessions.model.index(view.sessions.model.row_of(recorded), CANDIDATE))
            table = view.sessions.table
            table.scrollTo(index)
            settle(SETTLE_S)
            frames.clear()
            start = time.perf_counter()
            QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                             Qt.KeyboardModifier.NoModifier,
                             table.visualRect(index).center())
            shown = until(lambda: bool(frames))
            opens.append(1000 * (shown - start))
            until(lambda: view.details.player.media.duration() > 0)
            for playing in (False, True):
                if playing:
                    view.details.player.play()
                    until(lambda: view.details.player.position > 500)
                targets = [(button, int(marker["start_ms"])) for button, marker in
                           zip(view.details.questions.jump_buttons,
                               view.details.review.data["questions"], strict=True)]
                for button, target in reversed(targets):
                    seeks.append(_seek(button, target, frames, frame_ms, until, QTest, Qt,
                                       QPoint))
                for note in view.details.review.notes:
                    frames.clear()
                    start = time.perf_counter()
                    view.details.notes.jump.emit(note.time_ms)
                    shown = until(lambda t=note.time_ms: any(
                        abs(f[1] / 1000 - t) <= frame_ms for f in frames))
                    anywhere.append(1000 * (shown - start))
                view.details.player.pause()
        view.lock()
        view.close()

    return {
        "list_first_paint_ms": _median(first_paint),
        "list_first_paint_cold_ms": round(first_paint[0], 1),
        "search_repaint_ms": _median(search),
        "search_repaint_max_ms": round(max(search), 1),
        "open_to_first_frame_ms": _median(opens),
        "open_to_first_frame_cold_ms": round(opens[0], 1),
        "seek_to_frame_ms": _median(seeks),
        "seek_to_frame_max_ms": round(max(seeks), 1),
        "seek_anywhere_ms": _median(anywhere),
        "rows": rows,
        "video": f"{width}x{height}",
        "pyside6": importlib.metadata.version("PySide6"),
    }


def _seek(button, target_ms: int, frames, frame_ms: float, until, QTest, Qt, QPoint) -> float:
    """Click a question's jump button; ms until the frame at its answer's start is shown."""
    frames.clear()
    start = time.perf_counter()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(button.width() // 2, button.height() // 2))
    shown = until(lambda: any(abs(f[1] / 1000 - target_ms) <= frame_ms for f in frames))
    return 1000 * (shown - start)


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 1)
