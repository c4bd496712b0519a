"""A whole session: takes and retakes, finish in one transaction, disk checks, recovery."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.capture.devices import open_sources
from kiosk.capture.recorder import PartResult
from kiosk.config import Settings, load_settings
from kiosk.errors import KioskError
from kiosk.media.clapper import clapper_matches
from kiosk.media.probe import probe, stream_end_times
from kiosk.recording.disk import DiskSpaceError
from kiosk.recording.manifest import Manifest
from kiosk.recording.recovery import recover_all
from kiosk.recording.session import SessionRecording
from kiosk.store.database import Database, open_configured
from kiosk.store.files import free_bytes
from kiosk.store.models import SessionStatus
from kiosk.store.sessions import get_session
from kiosk.words import TakeStatus
from tests.engine import begun_recording, children_running, new_session, simulated_sources


@pytest.fixture
def booth(data_dir: Path) -> tuple[Settings, Database]:
    settings = load_settings()
    # Small pictures keep the tests quick; the reserve is checked for real below.
    settings = replace(settings, recording=replace(settings.recording, width=320, height=180,
                                                   disk_reserve_mb=1,
                                                   longest_interview_minutes=1))
    db = open_configured(settings)
    yield settings, db
    db.close()


def _record_one_answer(settings: Settings, db: Database, seconds: float,
                       question: str = "Q") -> tuple[SessionRecording, PartResult]:
    """A begun session with one answer of `seconds` (simulated), not yet finished."""
    with begun_recording(settings, db) as (recording, epoch):
        recording.start_answer(0, question)
        return recording, recording.end_answer(at=epoch + seconds)


def test_a_session_with_a_retake_is_merged_verified_committed_and_cleaned(booth) -> None:
    settings, db = booth
    with begun_recording(settings, db) as (recording, epoch):
        session_id = recording.session_id
        recording.start_answer(0, "Why this job?")
        recording.end_answer(at=epoch + 4.0)
        recording.start_answer(1, "A hard problem you solved")
        first_take = recording.end_answer(at=epoch + 7.0)
        recording.discard_take(1)  # the candidate chose "Try again"
        recording.start_answer(1, "A hard problem you solved")
        retake = recording.end_answer(at=epoch + 13.0)
        recording.finish()

    assert retake.duration_s > first_take.duration_s + 2
    # Built along the way (the first answer while the second was recorded), not at the end.
    assert recording.used_progressive
    folder = settings.recordings_dir / session_id
    assert not (folder / "parts").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["interview.mp4", "poster.jpg"]
    with db.session() as s:
        row = get_session(s, session_id)
        assert row.status is SessionStatus.COMPLETED
        assert row.recording_video == f"{session_id}/interview.mp4"
        assert row.thumbnail == f"{session_id}/poster.jpg"
        data = (folder / "interview.mp4").read_bytes()
        assert row.size_bytes == len(data)
        assert row.sha256 == hashlib.sha256(data).hexdigest()
        assert [(m.index, m.question) for m in row.markers] == [
            (0, "Why this job?"), (1, "A hard problem you solved")]
        assert row.markers[1].start_ms == row.markers[0].end_ms
        assert row.markers[1].end_ms == row.duration_ms
        assert row.completed_at is not None and row.recording_created_at is not None
    info = probe(folder / "interview.mp4")
    # The retake replaced the first take: the second chapter is the retake's length.
    assert info.chapters[1][1] - info.chapters[1][0] == pytest.approx(retake.duration_s, abs=0.01)
    assert info.duration_s == pytest.approx(row.duration_ms / 1000, abs=0.05)
    assert [c[2] for c in info.chapters] == ["Why this job?", "A hard problem you solved"]
    matches = clapper_matches(folder / "interview.mp4")
    assert len(matches) >= 4
    assert max(abs(m.offset_ms) for m in matches) <= 1000 / 60 + 1.5
    assert oct((folder / "interview.mp4").stat().st_mode & 0o777) == "0o600"
    assert oct(folder.stat().st_mode & 0o777) == "0o700"


def test_a_failed_merge_keeps_every_part(booth) -> None:
    settings, db = booth
    recording, result = _record_one_answer(settings, db, 3.0)
    session_id = recording.session_id
    # The disk garbled both streams of the only answer. (One stream garbled is no longer a
    # failure: the answer is kept with what survives, see tests/faults/test_recovery.py.)
    for path in [result.files.audio, *(s.path for s in result.files.video)]:
        path.write_bytes(b"not media at all")
    before = {p.name: p.read_bytes() for p in recording.parts.iterdir()
              if p.suffix in (".mkv", ".m4a")}
    with pytest.raises(KioskError):
        recording.finish()
    assert not recording.used_progressive
    assert {name: (recording.parts / name).read_bytes() for name in before} == before
    assert not (settings.recordings_dir / session_id / "interview.mp4").exists()
    with db.session() as s:
        # Unfinished: the next start's recovery marks it failed, with the reason.
        assert get_session(s, session_id).status is SessionStatus.IN_PROGRESS


def test_a_reserve_above_the_free_space_refuses_to_start(booth) -> None:
    settings, db = booth
    free_mb = free_bytes(settings.recordings_dir) // (1024 * 1024)
    settings = replace(settings, recording=replace(settings.recording,
                                                   disk_reserve_mb=free_mb + 1024))
    session_id = new_session(db)
    sources, _ = simulated_sources(settings)
    try:
        with pytest.raises(DiskSpaceError, match=r"Not enough free disk .* GB free .* needed"):
            SessionRecording(db, settings, sources, session_id).begin()
    finally:
        sources.close()
    assert not (settings.recordings_dir / session_id).exists()


def test_the_record_command_refuses_too_little_disk_with_a_message(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "kiosk.toml").write_text("[recording]\ndisk_reserve_mb = 9000000\n")
    done = subprocess.run([sys.executable, "-m", "kiosk", "record", "--demo", "--seconds", "2"],
                          capture_output=True, text=True, env=os.environ, check=False)
    assert done.returncode == 1
    assert done.stderr.startswith("kiosk: Not enough free disk")
    assert "Traceback" not in done.stderr


def test_recording_stops_cleanly_and_keeps_the_answer_when_the_disk_runs_low(booth) -> None:
    settings, db = booth
    with begun_recording(settings, db) as (recording, epoch):
        session_id = recording.session_id
        # The reserve is checked while recording: raise it above what is free mid-answer.
        free_mb = free_bytes(settings.recordings_dir) // (1024 * 1024)
        recording._settings = replace(settings, recording=replace(
            settings.recording, disk_reserve_mb=free_mb + 10))
        recorder = recording.start_answer(0, "Q")
        result = recording.end_answer(at=epoch + 600.0)  # would be ten minutes
        assert recorder.finished()
        recording.finish()
    assert result.reason == "disk low"
    assert result.duration_s < 60
    with db.session() as s:
        assert get_session(s, session_id).status is SessionStatus.COMPLETED


def _wait_for(predicate, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_kill_9_while_recording_then_recover_keeps_all_but_the_last_two_seconds(
    data_dir: Path,
) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "kiosk.toml").write_text(
        "[recording]\nwidth = 640\nheight = 360\ndisk_reserve_mb = 1\n"
        "longest_interview_minutes = 1\n")
    recorder = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "record", "--demo", "--seconds", "120",
         "--candidate", "Killed Midway"],
        env=os.environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        recordings = data_dir / "recordings"
        _wait_for(lambda: any(recordings.glob("*/parts/*.m4a")), 30)
        started = time.monotonic()
        time.sleep(8.0)
        recorded_s = time.monotonic() - started
        recorder.send_signal(signal.SIGKILL)
        recorder.wait(10)
    finally:
        if recorder.poll() is None:
            recorder.kill()
    (session_dir,) = recordings.iterdir()
    manifest = Manifest.load(session_dir / "parts" / "manifest.json")
    assert [t.status for t in manifest.takes] == ["recording"]

    done = subprocess.run([sys.executable, "-m", "kiosk", "recover", "--json"],
                          capture_output=True, text=True, env=os.environ, check=False)
    assert done.returncode == 0, done.stderr
    (outcome,) = json.loads(done.stdout)
    assert outcome["outcome"] == "recovered", outcome
    assert outcome["duration_s"] >= recorded_s - 2.0

    shown = json.loads(subprocess.run(
        [sys.executable, "-m", "kiosk", "sessions", "show", outcome["session_id"], "--json"],
        capture_output=True, text=True, env=os.environ, check=True).stdout)
    assert shown["status"] == "recovered"
    movie = session_dir / "interview.mp4"
    assert shown["recording_url"] == movie.resolve().as_uri()
    ends = stream_end_times(movie)
    assert abs(ends["video"] - ends["audio"]) < 1 / 30 + 0.001
    assert ends["audio"] >= recorded_s - 2.0
    # The rebuilt file is still in sync.
    assert all(abs(m.offset_ms) <= 1000 / 60 + 1.5 for m in clapper_matches(movie))
    assert not (session_dir / "parts").exists()

    # Recovering again finds nothing left to do.
    db = open_configured(load_settings())
    try:
        assert recover_all(db, load_settings()) == []
    finally:
        db.close()


def test_a_take_whose_sound_ends_first_is_padded_with_silence_not_cut(booth) -> None:
    """An interrupted take whose audio file lost more than its video keeps every frame."""
    settings, db = booth
    recording, result = _record_one_answer(settings, db, 6.0, "Interrupted")
    session_id = recording.session_id
    # As a crash leaves it: the take still "recording", its audio file cut to about half.
    manifest = Manifest.load(recording.parts / "manifest.json")
    manifest.update(manifest.takes[0], status=TakeStatus.RECORDING)
    audio = result.files.audio.read_bytes()
    result.files.audio.write_bytes(audio[: len(audio) // 2])

    from kiosk.doctor import examine

    # While its kiosk still holds it, nobody touches it: it may be recording right now.
    (outcome,) = recover_all(db, settings)
    assert outcome.outcome == "being recorded"
    assert examine(settings).unfinished_sessions == []
    assert recording.parts.is_dir()
    recording.release()  # the process "dies": the operating system drops its lock
    assert examine(settings).unfinished_sessions == [session_id]
    (outcome,) = recover_all(db, settings)
    assert outcome.outcome == "recovered", outcome
    assert examine(settings).unfinished_sessions == []
    movie = settings.recordings_dir / session_id / "interview.mp4"
    ends = stream_end_times(movie)
    assert ends["video"] == pytest.approx(result.duration_s, abs=1 / 30)
    assert ends["audio"] == pytest.approx(ends["video"], abs=1 / 30)
    with db.session() as s:
        row = get_session(s, session_id)
        assert row.status is SessionStatus.RECOVERED
        assert row.duration_ms == pytest.approx(result.duration_s * 1000, abs=40)


def test_an_answer_whose_encoder_dies_is_rebuilt_at_finish_not_dropped(booth) -> None:
    settings, db = booth
    session_id = new_session(db)
    sources = open_sources(settings.recording, demo=True)  # real time: a live encoder to kill
    try:
        assert sources.wait_until_live()
        recording = SessionRecording(db, settings, sources, session_id)
        recording.begin()
        recording.start_answer(0, "The encoder dies during this answer")
        time.sleep(3.0)
        (encoder,) = children_running("libx264")
        os.kill(encoder, signal.SIGKILL)
        with pytest.raises(KioskError, match="video encoder"):
            recording.end_answer()
        assert [t.status for t in recording.manifest.takes] == ["failed"]
        recording.finish()
    finally:
        sources.close()
    movie = settings.recordings_dir / session_id / "interview.mp4"
    ends = stream_end_times(movie)
    assert ends["video"] >= 1.0  # what was encoded before the kill is in the interview
    assert abs(ends["video"] - ends["audio"]) < 1 / 30 + 0.001
    with db.session() as s:
        row = get_session(s, session_id)
        assert row.status is SessionStatus.COMPLETED
        assert [m.question for m in row.markers] == ["The encoder dies during this answer"]


def test_a_manifest_written_by_the_first_release_still_recovers(booth) -> None:
    """A crash before an upgrade: the new release finds the old release's manifest."""
    settings, db = booth
    with begun_recording(settings, db) as (recording, epoch):
        session_id = recording.session_id
        recording.start_answer(0, "Why this job?")
        first = recording.end_answer(at=epoch + 3.0)
        recording.start_answer(1, "Cut off by the crash")
        second = recording.end_answer(at=epoch + 5.0)
        recording.release()  # the process dies
    # Exactly what 0.1.0 wrote (dataclasses.asdict of its TakeEntry): no "audio" key, the
    # segments as {"file", "frames"}, the second take still "recording" when it died.
    old = {
        "session_id": session_id, "width": recording.video.width,
        "height": recording.video.height, "fps": recording.video.fps, "sample_rate": 48000,
        "takes": [
            {"index": 0, "take": 1, "question": "Why this job?", "stem": "q00-t1",
             "status": "done",
             "segments": [{"file": s.path.name, "frames": s.frames} for s in first.files.video],
             "samples": first.samples, "reason": "asked"},
            {"index": 1, "take": 1, "question": "Cut off by the crash", "stem": "q01-t1",
             "status": "recording", "segments": [], "samples": None, "reason": None},
        ],
    }
    (recording.parts / "manifest.json").write_text(json.dumps(old, indent=1))

    (outcome,) = recover_all(db, settings)
    assert outcome.outcome == "recovered", outcome
    assert outcome.duration_s == pytest.approx(first.duration_s + second.duration_s, abs=0.1)
    with db.session() as s:
        row = get_session(s, session_id)
        assert row.status is SessionStatus.RECOVERED
        assert [m.question for m in row.markers] == ["Why this job?", "Cut off by the crash"]
    info = probe(settings.recordings_dir / session_id / "interview.mp4")
    assert len(info.chapters) == 2
    assert not (settings.recordings_dir / session_id / "parts").exists()
