"""The recruiter's side of transcripts: the Transcript tab (lines, the one being said,
a jump per line, the states before it is made, a search inside the interview), captions
over the player, and the sessions list's search for words said."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from kiosk.store.database import Database
from kiosk.store.sessions import create_session
from kiosk.store.transcripts import (
    Segment,
    claim_next,
    complete,
    fail,
    renew,
    worker_name,
)
from kiosk.transcript_bench import fill_search_booth
from kiosk.ui.recruiter import RecruiterView
from kiosk.ui.recruiter.preferences import CAPTIONS, FILE_NAME
from kiosk.ui.recruiter.search_hits import HIT
from kiosk.ui.recruiter.sessions_model import CANDIDATE, SESSION_ID
from kiosk.ui.recruiter.transcript_panel import PLAYING_BAR
from kiosk.ui.recruiter.transcript_text import marked_runs
from kiosk.ui.tooling.search_bench import typed_to_repainted
from tests import test_recruiter_details
from tests.engine import quick_interview
from tests.test_recruiter_details import FRAME_MS, Booth, _open, _view

booth = test_recruiter_details.booth  # a real three-question interview

# Inside the quick interview's answers: 0-2133, 2133-3733 and 3733-5867 ms.
SAID = (
    Segment(0, 100, 1000, "Hello, I am Ada."),
    Segment(0, 1100, 2000, "I build interview booths."),
    Segment(1, 2300, 3600, "We met at the Café Zoë to talk about it."),
    Segment(2, 3900, 4700, "Our team fixed a sound fault."),
    Segment(2, 4800, 5700, "The whole team learnt from it."),
)


def transcribe(db: Database, session_id: str, segments=SAID) -> None:
    """What a worker does once it has transcribed the interview."""
    claim = claim_next(db, worker_name(), session_id=session_id)
    assert claim is not None
    assert complete(db, claim, segments, model="test", language="en")


def _opened_with_transcript(qtbot: QtBot, booth: Booth) -> RecruiterView:
    transcribe(booth.db, booth.session_id)
    view = _view(qtbot, booth)
    _open(qtbot, view, booth.session_id)
    qtbot.waitUntil(lambda: view.details.player.media.duration() > 0, timeout=5000)
    return view


def _settle_at(qtbot: QtBot, player, ms: int) -> None:
    player.seek(ms)
    qtbot.waitUntil(lambda: abs(player.position - ms) < FRAME_MS, timeout=5000)


def test_the_tab_lists_each_line_with_its_moment_and_marks_the_one_said(
        qtbot: QtBot, booth) -> None:
    view = _opened_with_transcript(qtbot, booth)
    details = view.details
    tabs, panel = details.tabs, details.transcript
    assert tabs.tabText(tabs.indexOf(panel)) == "Transcript"
    tabs.setCurrentWidget(panel)
    lines = [panel.list.item(row).text() for row in range(panel.list.count())]
    assert lines == ["0:00  ·  Question 1\nHello, I am Ada.",
                     "0:01  ·  Question 1\nI build interview booths.",
                     "0:02  ·  Question 2\nWe met at the Café Zoë to talk about it.",
                     "0:03  ·  Question 3\nOur team fixed a sound fault.",
                     "0:04  ·  Question 3\nThe whole team learnt from it."]
    assert panel.list.item(3).toolTip() == "Question 3: A hard problem you solved."

    player = details.player
    player.play()
    qtbot.waitUntil(lambda: panel.playing_row == 1, timeout=5000)  # follows as it plays
    player.pause()
    _settle_at(qtbot, player, 4000)
    assert panel.playing_row == 3
    # The playing line is drawn with its bar; the others are not.
    shot = panel.list.viewport().grab().toImage()
    for row in range(panel.list.count()):
        rect = panel.list.visualItemRect(panel.list.item(row))
        colour = shot.pixelColor(rect.left() + 2, rect.center().y())
        assert (colour == PLAYING_BAR) == (row == 3), row


def test_a_click_or_enter_on_a_line_plays_from_there(qtbot: QtBot, booth) -> None:
    view = _opened_with_transcript(qtbot, booth)
    details = view.details
    panel, player = details.transcript, details.player
    details.tabs.setCurrentWidget(panel)
    item = panel.list.item(2)
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.list.visualItemRect(item).center())
    qtbot.waitUntil(lambda: abs(player.position - 2300) < FRAME_MS, timeout=5000)
    panel.list.setFocus()
    panel.list.setCurrentRow(4)
    qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: abs(player.position - 4800) < FRAME_MS, timeout=5000)


def test_before_it_is_made_the_tab_says_where_it_is_and_fills_itself(
        qtbot: QtBot, booth) -> None:
    db = booth.db
    view = _view(qtbot, booth)
    view.open_session(booth.session_id)
    panel = view.details.transcript
    assert panel.state.text().startswith("Waiting to be transcribed.")
    assert not panel.list.isVisibleTo(panel) and not panel.search_row.isVisibleTo(panel)

    claim = claim_next(db, worker_name(), session_id=booth.session_id)
    assert claim is not None
    renew(db, claim, progress_ms=2000, total_ms=5000)
    qtbot.waitUntil(lambda: panel.state.text().startswith("Transcribing: 40%"), timeout=5000)
    assert complete(db, claim, SAID, model="test", language="en")
    qtbot.waitUntil(lambda: panel.list.count() == len(SAID), timeout=5000)
    assert panel.list.isVisibleTo(panel) and panel.search_row.isVisibleTo(panel)
    assert view.details.player._segments == SAID  # the captions have the lines too
    assert not view.details._transcript_timer.isActive()  # done: no more looking


def test_a_failed_or_missing_transcript_says_why(qtbot: QtBot, booth) -> None:
    db = booth.db
    claim = claim_next(db, worker_name(), session_id=booth.session_id)
    assert claim is not None
    fail(db, claim, "the sound could not be decoded")
    with db.session() as s, s.begin():
        scheduled = create_session(s, "Not Yet Here").id
    view = _view(qtbot, booth)
    view.open_session(booth.session_id)
    panel = view.details.transcript
    assert panel.state.text() == "The transcript could not be made: the sound could not be " \
                                 "decoded"
    view.show_list()
    view.open_session(scheduled)
    assert panel.state.text() == "There is no transcript: nothing was recorded in this " \
                                 "interview."
    assert panel.list.count() == 0


def test_the_search_in_the_interview_counts_the_lines_and_steps_through_them(
        qtbot: QtBot, booth) -> None:
    view = _opened_with_transcript(qtbot, booth)
    details = view.details
    panel, player = details.transcript, details.player
    details.tabs.setCurrentWidget(panel)
    qtbot.keyClicks(panel.search, "TEA")  # the start of a word, in capitals
    assert panel.match_label.text() == "2 lines match"
    assert panel.matches == [3, 4]
    assert "background-color" in panel.line_html(3)
    assert "background-color" not in panel.line_html(2)
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert panel.list.currentRow() == 3
    assert panel.match_label.text() == "Line 1 of the 2 with these words"
    qtbot.waitUntil(lambda: abs(player.position - 3900) < FRAME_MS, timeout=5000)
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    assert panel.list.currentRow() == 4
    qtbot.waitUntil(lambda: abs(player.position - 4800) < FRAME_MS, timeout=5000)
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert panel.list.currentRow() == 3  # round again
    panel.search.setText("cafe zo")  # accents folded, every word in one line
    assert panel.matches == [2]
    panel.search.setText("team sound nowhere")
    assert panel.match_label.text() == "No line has these words."
    assert not panel.next_button.isEnabled()


def test_c_turns_captions_on_and_the_choice_is_kept(qtbot: QtBot, booth) -> None:
    view = _opened_with_transcript(qtbot, booth)
    player = view.details.player
    assert not player.captions_shown and not player.caption.isVisible()  # off at first
    view.details.back_button.setFocus()
    qtbot.keyClick(view.details.back_button, Qt.Key.Key_C)
    assert player.captions_shown and player.caption.isVisible()
    assert player.captions_button.isChecked()
    ini = str(booth.settings.data_dir / FILE_NAME)
    assert QSettings(ini, QSettings.Format.IniFormat).value(CAPTIONS, type=bool) is True
    view.lock()

    again = _view(qtbot, booth)  # a new view, a new details pane, as after a restart
    _open(qtbot, again, booth.session_id)
    assert again.details.player.captions_shown
    assert again.details.player.caption.isVisible()
    qtbot.mouseClick(again.details.player.captions_button, Qt.MouseButton.LeftButton)
    assert not again.details.player.caption.isVisible()
    assert QSettings(ini, QSettings.Format.IniFormat).value(CAPTIONS, type=bool) is False


def test_captions_show_what_is_said_at_that_moment(qtbot: QtBot, booth) -> None:
    view = _opened_with_transcript(qtbot, booth)
    player = view.details.player
    qtbot.mouseClick(player.captions_button, Qt.MouseButton.LeftButton)
    _settle_at(qtbot, player, 2500)
    assert player.caption.text() == "We met at the Café Zoë to talk about it."
    _settle_at(qtbot, player, 5000)
    assert player.caption.text() == "The whole team learnt from it."
    _settle_at(qtbot, player, 50)
    assert player.caption.text() == ""  # before anything is said


def test_captions_before_the_transcript_say_why_they_are_empty(qtbot: QtBot, booth) -> None:
    view = _view(qtbot, booth)
    _open(qtbot, view, booth.session_id)
    player = view.details.player
    player.set_captions_shown(True)
    assert player.caption.text() == "Captions appear here once the transcript is made."


def test_the_list_finds_a_word_said_and_opens_the_interview_there(
        qtbot: QtBot, booth) -> None:
    db, settings = booth.db, booth.settings
    transcribe(db, booth.session_id)
    other = quick_interview(db, settings, candidate="Grace Hopper")
    transcribe(db, other, [Segment(0, 100, 2000, "I like working in a team.")])
    view = _view(qtbot, booth)
    sessions = view.sessions
    qtbot.keyClicks(sessions.search, "CAFE")  # no name has it: said, accent and case aside
    shown = [sessions.proxy.index(r, CANDIDATE).data(SESSION_ID)
             for r in range(sessions.proxy.rowCount())]
    assert shown == [booth.session_id]
    hits = sessions.hits
    assert hits.isVisible() and hits.model.rowCount() == 1
    said = hits.model.index(0).data()
    assert said == ("Ada Lovelace  ·  at 0:02  ·  Question 2: Why this job?\n"
                    "We met at the Café Zoë to talk about it.")
    assert ("Café", True) in marked_runs(hits.model.index(0).data(HIT).text, hits.model.typed)
    assert hits.title.text() == "Said in 1 interview: 1 moment. Open one to play it from there."

    sessions.search.setText("team")
    assert hits.model.rowCount() == 3
    assert "Said in 2 interviews: 3 moments." in hits.title.text()
    sessions.search.setText("team w")  # one letter of the next word: it waits for more
    assert hits.model.rowCount() == 3 and hits.model.typed == ["team"]
    sessions.search.setText("Grace")  # a name: no moment, the list as before
    assert not hits.isVisible()
    assert sessions.proxy.rowCount() == 1

    sessions.search.setText("whole team")
    index = hits.model.index(0)
    qtbot.mouseClick(hits.view.viewport(), Qt.MouseButton.LeftButton,
                     pos=hits.view.visualRect(index).center())
    details = view.details
    assert view.pages.currentWidget() is details
    assert details.session_id == booth.session_id
    assert details.tabs.currentWidget() is details.transcript
    assert details.transcript.search.text() == "whole team"
    player = details.player
    qtbot.waitUntil(lambda: player.media.playbackState() ==
                    player.media.PlaybackState.PlayingState, timeout=5000)
    assert 4800 - FRAME_MS <= player.position <= 4800 + 1000


def test_the_search_bench_times_each_key(qtbot: QtBot, booth) -> None:
    fill_search_booth(booth.db, sessions=200, words_per_session=300)
    figures = typed_to_repainted(booth.settings, booth.db, ["team", "zz"])
    assert figures["search_keys_typed"] == 6
    assert 0 < figures["search_typed_to_repainted_ms_median"] \
        <= figures["search_typed_to_repainted_ms_max"]

