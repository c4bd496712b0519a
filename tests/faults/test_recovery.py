"""Faults: recovery rebuilds an interview from whatever survives of it.

The media files are the truth, the manifest their index. Each case damages a session the
way a crash, a disk or a person did, then runs the real recovery and looks at the file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.config import Settings, load_settings
from kiosk.doctor import examine
from kiosk.media.clapper import clapper_matches
from kiosk.media.probe import probe, stream_end_times
from kiosk.recording.recovery import recover_all
from kiosk.store.database import Database, open_configured
from kiosk.store.models import SessionStatus
from kiosk.store.sessions import get_session, session_to_dict
from tests.engine import SMALL, begun_recording
from tests.mp4_boxes import faststart_problems, nero_chapters

QUESTIONS = ("Why this job?", "A hard problem you solved")
SECONDS = (3.0, 4.0)
FRAME_MS = 1000 / 30  # the synthetic camera and the settings: 30 fps


@pytest.fixture
def booth(data_dir: Path):
    settings = load_settings()
    settings = replace(settings, recording=replace(settings.recording, width=SMALL["width"],
                                                   height=SMALL["height"], disk_reserve_mb=1,
                                                   longest_interview_minutes=1))
    db = open_configured(settings)
    yield settings, db
    db.close()


def _crashed_session(settings: Settings, db: Database) -> tuple[str, Path, list[float]]:
    """Two answers recorded, then the kiosk dies before finishing: its id, its parts folder
    and the answers' lengths (each rounded up to whole A/V sync units by the recorder)."""
    with begun_recording(settings, db) as (recording, at):
        lengths = []
        for index, (question, seconds) in enumerate(zip(QUESTIONS, SECONDS, strict=True)):
            at += seconds
            recording.start_answer(index, question)
            lengths.append(recording.end_answer(at=at).duration_s)
        recording.release()  # the process dies: its lock goes with it
    session_id = recording.session_id
    return session_id, recording.parts, lengths


def _recovered(settings: Settings, db: Database, session_id: str,
               questions: tuple[str, ...] = ()) -> dict:
    assert examine(settings).unfinished_sessions == [session_id]  # doctor: recover will do it
    (outcome,) = recover_all(db, settings, questions=questions)
    assert outcome.outcome == "recovered", outcome
    assert examine(settings).unfinished_sessions == []
    folder = settings.recordings_dir / session_id
    assert sorted(p.name for p in folder.iterdir()) == ["interview.mp4", "poster.jpg"]
    with db.session() as s:
        row = session_to_dict(get_session(s, session_id), settings.recordings_dir)
    assert row["status"] == "recovered"
    # Merged in one pass from the parts: faststart too, one chapter per answer kept.
    movie = folder / "interview.mp4"
    assert faststart_problems(movie) == []
    assert [title for _, title in nero_chapters(movie)] == [q["question"] for q in
                                                             row["questions"]]
    return row


def _assert_plays_in_sync(movie: Path, seconds: float) -> None:
    info = probe(movie)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    ends = stream_end_times(movie)
    assert ends["video"] == pytest.approx(seconds, abs=0.1)
    assert ends["audio"] == pytest.approx(ends["video"], abs=FRAME_MS / 1000 + 0.001)
    matches = clapper_matches(movie)
    assert matches and max(abs(m.offset_ms) for m in matches) <= FRAME_MS + 1.5


DAMAGE: dict[str, Callable[[Path], None]] = {
    "garbage": lambda m: m.write_bytes(b"\x00\xffnot json at all\x13" * 20),
    "emptied": lambda m: m.write_text(""),
    "cut short": lambda m: m.write_text(m.read_text()[: len(m.read_text()) // 2]),
    "a key removed": lambda m: m.write_text(json.dumps(
        {k: v for k, v in json.loads(m.read_text()).items() if k != "fps"})),
    "deleted": lambda m: m.unlink(),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_or_missing_manifest_is_rebuilt_from_the_part_files(booth, damage) -> None:
    settings, db = booth
    session_id, parts, lengths = _crashed_session(settings, db)
    DAMAGE[damage](parts / "manifest.json")

    row = _recovered(settings, db, session_id, questions=QUESTIONS)
    assert [q["question"] for q in row["questions"]] == list(QUESTIONS)
    assert row["duration_ms"] == pytest.approx(sum(lengths) * 1000, abs=2 * FRAME_MS)
    _assert_plays_in_sync(settings.recordings_dir / session_id / "interview.mp4",
                          sum(lengths))


def test_without_the_question_set_the_answers_are_named_by_their_number(booth) -> None:
    settings, db = booth
    session_id, parts, _ = _crashed_session(settings, db)
    (parts / "manifest.json").unlink()
    row = _recovered(settings, db, session_id)
    assert [q["question"] for q in row["questions"]] == ["Question 1", "Question 2"]


@pytest.mark.parametrize(("lost", "kind"), [("video", "no_picture"), ("audio", "no_sound")])
@pytest.mark.parametrize("how", ["gone", "empty", "garbled"])
def test_an_answer_that_kept_one_stream_is_kept_in_sync_and_the_recruiter_is_told(
        booth, lost: str, kind: str, how: str) -> None:
    settings, db = booth
    session_id, parts, lengths = _crashed_session(settings, db)
    victims = (list(parts.glob("q01-t1-v*.mkv")) if lost == "video"
               else [parts / "q01-t1.m4a"])
    for path in victims:
        if how == "gone":
            path.unlink()
        else:
            path.write_bytes(b"" if how == "empty" else b"not media at all" * 100)

    row = _recovered(settings, db, session_id)
    # The second answer is still there, at its length, with its question.
    assert [q["question"] for q in row["questions"]] == list(QUESTIONS)
    second = row["questions"][1]
    assert second["end_ms"] - second["start_ms"] == pytest.approx(lengths[1] * 1000,
                                                                  abs=2 * FRAME_MS)
    assert row["incidents"] == [{"kind": kind, "question_index": 1,
                                 "at_ms": second["start_ms"],
                                 "duration_ms": second["end_ms"] - second["start_ms"],
                                 "detail": ""}]
    movie = settings.recordings_dir / session_id / "interview.mp4"
    ends = stream_end_times(movie)
    assert ends["video"] == pytest.approx(sum(lengths), abs=0.1)
    assert ends["audio"] == pytest.approx(ends["video"], abs=FRAME_MS / 1000 + 0.001)
    # The first answer, untouched, is still in sync (its flashes and beeps).
    first_answer = [m for m in clapper_matches(movie) if m.beep_s < lengths[0]]
    assert first_answer and max(abs(m.offset_ms) for m in first_answer) <= FRAME_MS + 1.5


def test_a_session_with_nothing_usable_is_marked_failed_once_and_its_files_kept(
        booth) -> None:
    settings, db = booth
    session_id, parts, _ = _crashed_session(settings, db)
    for path in parts.iterdir():
        if path.suffix in (".mkv", ".m4a"):
            path.write_bytes(b"garbage")
    assert examine(settings).unfinished_sessions == [session_id]

    (outcome,) = recover_all(db, settings)
    assert outcome.outcome == "cannot be rebuilt"
    assert "marked failed" in outcome.message
    with db.session() as s:
        row = get_session(s, session_id)
        assert row.status is SessionStatus.FAILED
        assert [i.kind.value for i in row.incidents] == ["unrecoverable"]
        assert "no answer with a usable recording" in row.incidents[0].detail
    assert (parts / "q00-t1.m4a").read_bytes() == b"garbage"  # kept for whoever looks
    # No loop: doctor no longer promises a rebuild, and recover has nothing left to try.
    assert examine(settings).unfinished_sessions == []
    assert recover_all(db, settings) == []


def test_the_recording_lock_is_gone_after_recovery(booth) -> None:
    settings, db = booth
    session_id, _, _ = _crashed_session(settings, db)
    folder = settings.recordings_dir / session_id
    assert (folder / ".recording.lock").exists()
    _recovered(settings, db, session_id)
    assert not (folder / ".recording.lock").exists()


def test_the_recruiter_reads_what_was_missing_beside_the_recording(booth, qtbot) -> None:
    from kiosk.ui.recruiter import RecruiterView
    from tests.recruiter import add_staff

    settings, db = booth
    session_id, parts, _ = _crashed_session(settings, db)
    for path in parts.glob("q01-t1-v*.mkv"):
        path.unlink()
    row = _recovered(settings, db, session_id)
    view = RecruiterView(settings, db, add_staff(db).recruiter)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    qtbot.waitExposed(view)
    view.open_session(session_id)
    label = view.details.incidents_label
    assert label.isVisible()
    start = row["questions"][1]["start_ms"] // 1000
    assert label.text() == (f"Only the sound of question 2 survived a fault: a still picture "
                            f"stands in from 0:{start:02d}.")
    if shots := os.environ.get("KIOSK_TEST_SHOTS"):  # for a person to look at
        view.grab().save(str(Path(shots) / "details-recovered-without-picture.png"))
    view.details.shutdown()
