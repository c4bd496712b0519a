"""The details pane with a real recording from the engine: play, seek, speed, notes,
ratings, views, export, missing or broken files, deletion, and the view's locking."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from kiosk.config import Settings
from kiosk.store.database import Database, open_configured
from kiosk.store.models import AuditEvent, Note, RecordingView, SessionStatus
from kiosk.store.sessions import create_session, get_session
from kiosk.ui.recruiter import RecruiterView
from kiosk.ui.recruiter.player import SPEEDS
from tests.engine import quick_interview
from tests.recruiter import Staff, add_staff, frames_of

FRAME_MS = 1000 / 30


@dataclass(frozen=True)
class Booth:
    settings: Settings
    db: Database
    staff: Staff
    session_id: str  # a real three-question interview


@pytest.fixture
def booth(settings):
    db = open_configured(settings)
    yield Booth(settings, db, add_staff(db), quick_interview(db, settings))
    db.close()


def _view(qtbot: QtBot, booth: Booth, operator: str = "recruiter") -> RecruiterView:
    view = RecruiterView(booth.settings, booth.db, getattr(booth.staff, operator))
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    view.activateWindow()
    qtbot.waitExposed(view)
    return view


def _markers(booth) -> list[int]:
    db = booth.db
    session_id = booth.session_id
    with db.session() as s:
        return [m.start_ms for m in get_session(s, session_id).markers]


def _open(qtbot: QtBot, view: RecruiterView, session_id: str) -> list[int]:
    frames = frames_of(qtbot, view.details.player)
    view.open_session(session_id)
    qtbot.waitUntil(lambda: bool(frames), timeout=10_000)
    return frames


def test_the_player_plays_seeks_to_a_chapter_and_changes_speed(qtbot: QtBot, booth) -> None:
    db = booth.db
    session_id = booth.session_id
    view = _view(qtbot, booth)
    frames = _open(qtbot, view, session_id)
    player = view.details.player
    assert frames[0] == 0  # the first frame, shown paused
    with db.session() as s:
        duration = get_session(s, session_id).duration_ms
    qtbot.waitUntil(lambda: player.media.duration() > 0, timeout=5000)
    assert abs(player.media.duration() - duration) < 50
    assert player.seek_bar.maximum() == player.media.duration()
    assert "0:05" in player.time_label.text()

    qtbot.mouseClick(player.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: player.position > 400, timeout=5000)

    third = _markers(booth)[2]
    frames.clear()
    qtbot.mouseClick(view.details.questions.jump_buttons[2], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(abs(f - third) <= FRAME_MS for f in frames), timeout=5000)
    assert third - FRAME_MS <= player.position <= third + 1000

    player.pause()
    player.seek(0)
    qtbot.waitUntil(lambda: player.position < FRAME_MS, timeout=5000)
    player.speed.setCurrentIndex(SPEEDS.index(2.0))
    assert player.media.playbackRate() == 2.0
    started, wall = player.position, time.monotonic()
    player.play()
    qtbot.waitUntil(lambda: player.position - started > 1600, timeout=5000)
    # Twice as fast as the clock on the wall (with room for a slow start).
    assert (player.position - started) / (1000 * (time.monotonic() - wall)) > 1.3


def test_keyboard_shortcuts_steer_the_player(qtbot: QtBot, booth) -> None:
    view = _view(qtbot, booth)
    _open(qtbot, view, booth.session_id)
    player = view.details.player
    focus = view.details.back_button
    focus.setFocus()
    qtbot.keyClick(focus, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: player.media.playbackState() ==
                    QMediaPlayer.PlaybackState.PlayingState, timeout=3000)
    qtbot.keyClick(focus, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: player.media.playbackState() ==
                    QMediaPlayer.PlaybackState.PausedState, timeout=3000)
    start = player.position
    qtbot.keyClick(focus, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: abs(player.position - (start + 5000)) < 100, timeout=3000)
    qtbot.keyClick(focus, Qt.Key.Key_J)
    qtbot.waitUntil(lambda: player.position < 100, timeout=3000)  # 10 s back, from ~5 s
    qtbot.keyClick(focus, Qt.Key.Key_M)
    assert player.mute_button.isChecked()
    # A text field keeps its keys: typing a note does not steer the player.
    notes = view.details.notes
    view.details.tabs.setCurrentWidget(notes)
    notes.text.setFocus()
    qtbot.keyClicks(notes.text, "k l")
    assert notes.text.text() == "k l"
    assert player.media.playbackState() == QMediaPlayer.PlaybackState.PausedState


def test_a_note_is_stored_at_its_moment_and_jumps_back_there(qtbot: QtBot, booth) -> None:
    db = booth.db
    staff = booth.staff
    session_id = booth.session_id
    view = _view(qtbot, booth)
    frames = _open(qtbot, view, session_id)
    details, player = view.details, view.details.player
    player.seek(3000)
    qtbot.waitUntil(lambda: abs(player.position - 3000) < FRAME_MS, timeout=5000)
    details.tabs.setCurrentWidget(details.notes)
    assert details.notes.add_button.text() == "Add at 0:03"
    qtbot.keyClicks(details.notes.text, "Clear, concrete answer")
    qtbot.mouseClick(details.notes.add_button, Qt.MouseButton.LeftButton)
    with db.session() as s:
        (note,) = s.scalars(select(Note)).all()
    assert abs(note.time_ms - 3000) < FRAME_MS
    assert (note.text, note.author_id) == ("Clear, concrete answer", staff.recruiter.id)
    assert player.seek_bar._notes == [note.time_ms]

    player.seek(0)
    qtbot.waitUntil(lambda: player.position < FRAME_MS, timeout=5000)
    frames.clear()
    item = details.notes.list.item(0)
    qtbot.mouseClick(details.notes.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=details.notes.list.visualItemRect(item).center())
    qtbot.waitUntil(lambda: any(abs(f - note.time_ms) <= FRAME_MS for f in frames),
                    timeout=5000)

    # Edit, then delete (after saying yes) one's own note.
    details.notes.list.setCurrentRow(0)
    qtbot.mouseClick(details.notes.edit_button, Qt.MouseButton.LeftButton)
    details.notes.text.setText("Clear answer, good example")
    qtbot.mouseClick(details.notes.add_button, Qt.MouseButton.LeftButton)
    with db.session() as s:
        assert s.scalars(select(Note.text)).all() == ["Clear answer, good example"]
    details.notes.list.setCurrentRow(0)
    qtbot.mouseClick(details.notes.delete_button, Qt.MouseButton.LeftButton)
    assert details.confirm_bar.isVisible()
    qtbot.mouseClick(details.confirm_yes, Qt.MouseButton.LeftButton)
    with db.session() as s:
        assert s.scalars(select(Note)).all() == []


def test_ratings_per_question_and_overall(qtbot: QtBot, booth) -> None:
    staff = booth.staff
    session_id = booth.session_id
    view = _view(qtbot, booth)
    _open(qtbot, view, session_id)
    ratings = view.details.questions.ratings
    assert set(ratings) == {None, 0, 1, 2}
    stars = ratings[1]
    qtbot.mouseClick(stars, Qt.MouseButton.LeftButton, pos=stars.rect().center())  # 3rd star
    ratings[None].setFocus()
    qtbot.keyClick(ratings[None], Qt.Key.Key_4)
    qtbot.keyClick(ratings[None], Qt.Key.Key_Right)  # one more: 5
    review = view.details.review
    assert review.my_rating(staff.recruiter.id, 1) == 3
    assert review.my_rating(staff.recruiter.id, None) == 5
    assert view.details.questions._mean_labels[None].text() == "mean 5.0 (1)"
    view.show_list()  # the list shows the new mean
    row = view.sessions.model.row(view.sessions.model.row_of(session_id))
    assert row.rating == 5.0


def test_each_opening_records_who_when_and_how_long(qtbot: QtBot, booth) -> None:
    db = booth.db
    staff = booth.staff
    session_id = booth.session_id
    view = _view(qtbot, booth)
    _open(qtbot, view, session_id)
    view.details.player.play()
    qtbot.wait(1200)
    view.details.player.pause()
    view.show_list()
    with db.session() as s:
        (viewed,) = s.scalars(select(RecordingView)).all()
    assert viewed.operator_id == staff.recruiter.id
    assert 800 <= viewed.watched_ms <= 5000
    view.open_session(session_id)
    history = view.details.views
    tabs = view.details.tabs
    assert tabs.tabText(tabs.indexOf(history)) == "Views (2)"
    assert "Rita Recruiter  ·  watched 1 s" in history.item(1).text()


def test_a_missing_file_shows_a_message_in_place_of_the_player(qtbot: QtBot, booth) -> None:
    settings = booth.settings
    session_id = booth.session_id
    (settings.recordings_dir / session_id / "interview.mp4").unlink()
    view = _view(qtbot, booth)
    view.open_session(session_id)
    player = view.details.player
    assert player.screen_area.currentWidget() is player.message
    assert "The recording file is missing" in player.message.text()
    assert not player.controls.isVisible()
    assert not view.details.export_button.isEnabled()
    assert not view.details.notes.add_button.isEnabled()


def test_a_damaged_file_shows_a_message_not_a_crash(qtbot: QtBot, booth) -> None:
    settings = booth.settings
    session_id = booth.session_id
    movie = settings.recordings_dir / session_id / "interview.mp4"
    movie.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"not a movie" * 400)
    view = _view(qtbot, booth)
    view.open_session(session_id)
    player = view.details.player
    qtbot.waitUntil(lambda: player.screen_area.currentWidget() is player.message,
                    timeout=10_000)
    assert "This recording cannot be played" in player.message.text()
    assert "interview.mp4" in player.message.text()


@pytest.mark.parametrize(("status", "says"), [
    (SessionStatus.DECLINED, "did not give consent"),
    (SessionStatus.IN_PROGRESS, "still going on"),
    (SessionStatus.SCHEDULED, "Nothing has been recorded yet"),
])
def test_sessions_without_a_recording_say_so(qtbot: QtBot, booth, status, says) -> None:
    db = booth.db
    with db.session() as s, s.begin():
        session_id = create_session(s, "No Recording", status=status).id
    view = _view(qtbot, booth)
    view.open_session(session_id)
    player = view.details.player
    assert says in player.message.text()
    assert player.screen_area.currentWidget() is player.message
    assert not any(stars.isEnabled() for stars in view.details.questions.ratings.values())


def test_export_from_the_details_writes_a_verified_copy(qtbot: QtBot, booth,
                                                         tmp_path: Path) -> None:
    db = booth.db
    session_id = booth.session_id
    usb = tmp_path / "usb"
    usb.mkdir()
    view = _view(qtbot, booth)
    _open(qtbot, view, session_id)
    progress = []
    job = view.details.export_to(usb)
    job.progress.connect(lambda done, total: progress.append(done / total))
    with qtbot.waitSignal(job.finished, timeout=30_000):
        pass
    assert "Exported and verified" in view.details.export_text.text()
    (video,) = usb.glob("*.mp4")
    assert len(list(usb.glob("*.json"))) == 1
    with db.session() as s:
        assert hashlib.sha256(video.read_bytes()).hexdigest() == get_session(
            s, session_id).sha256
        (event,) = s.scalars(select(AuditEvent).where(AuditEvent.action == "exported")).all()
    assert event.operator_name == "Rita Recruiter"


def test_idle_time_locks_the_view_but_never_while_a_recording_plays(
        qtbot: QtBot, booth) -> None:
    view = _view(qtbot, booth)
    _open(qtbot, view, booth.session_id)
    player = view.details.player
    later = time.monotonic() + view.idle.limit_s + 1
    player.play()
    qtbot.waitUntil(lambda: player.position > 200, timeout=5000)
    locked = []
    view.locked.connect(lambda: locked.append(True))
    view.idle.check(now=later)
    assert locked == []  # watching is not being away
    player.pause()
    qtbot.waitUntil(lambda: player.media.playbackState() ==
                    QMediaPlayer.PlaybackState.PausedState, timeout=3000)
    view.idle.check(now=time.monotonic() + 1)
    assert locked == []  # the wait starts again when playing stops
    view.idle.check(now=time.monotonic() + view.idle.limit_s + 1)
    assert locked == [True]
    assert player.media.source().isEmpty()  # the file is let go


def test_the_lock_button_stops_playback_and_lets_go_of_the_file(qtbot: QtBot, booth) -> None:
    view = _view(qtbot, booth)
    _open(qtbot, view, booth.session_id)
    player = view.details.player
    player.play()
    qtbot.waitUntil(lambda: player.position > 200, timeout=5000)
    with qtbot.waitSignal(view.locked, timeout=2000):
        qtbot.mouseClick(view.lock_button, Qt.MouseButton.LeftButton)
    assert player.media.playbackState() == QMediaPlayer.PlaybackState.StoppedState
    assert player.media.source().isEmpty()
    with booth.db.session() as s:
        (viewed,) = s.scalars(select(RecordingView)).all()
    assert viewed.watched_ms > 0


def test_only_an_admin_deletes_and_it_is_gone_for_good(qtbot: QtBot, booth) -> None:
    settings = booth.settings
    db = booth.db
    staff = booth.staff
    session_id = booth.session_id
    recruiter_view = _view(qtbot, booth, "recruiter")
    recruiter_view.open_session(session_id)
    assert not recruiter_view.details.delete_button.isVisible()
    recruiter_view.lock()

    view = _view(qtbot, booth, "admin")
    view.open_session(session_id)
    details = view.details
    qtbot.mouseClick(details.delete_button, Qt.MouseButton.LeftButton)
    assert details.confirm_bar.isVisible() and "for good" in details.confirm_text.text()
    qtbot.mouseClick(details.confirm_no, Qt.MouseButton.LeftButton)  # changed their mind
    assert not details.confirm_bar.isVisible()
    qtbot.mouseClick(details.delete_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(details.confirm_yes, Qt.MouseButton.LeftButton)
    assert view.pages.currentWidget() is view.sessions
    assert "was deleted" in view.notice.text()
    assert view.sessions.model.row_of(session_id) is None
    assert not (settings.recordings_dir / session_id).exists()
    with db.session() as s:
        (event,) = s.scalars(select(AuditEvent).where(
            AuditEvent.action == "session_deleted")).all()
    assert (event.operator_name, event.session_id) == (staff.admin.name, session_id)

