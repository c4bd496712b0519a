"""Faults: a disk that fills in one step, at any moment, is a clean stop that loses nothing.

The booth's whole data folder (database and recordings) sits on a small filesystem that
these tests mount themselves (tmpfs, as root); it is filled from outside at three moments:
in the middle of an answer, as the interview file is being built, and at the final merge.
Each time: one line, no traceback, a session that `kiosk recover` finishes once there is
space again (and says it cannot until then).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.config import Settings, load_settings
from kiosk.errors import DiskFullError
from kiosk.media.probe import probe
from kiosk.recording.recovery import recover_all
from kiosk.store.database import open_configured
from kiosk.store.models import UNFINISHED_STATUSES, InterviewSession
from kiosk.store.sessions import get_session
from tests.engine import SMALL, begun_recording
from tests.mounts import fill, tmpfs

SETTINGS = f"""
[recording]
width = {SMALL["width"]}
height = {SMALL["height"]}
disk_reserve_mb = 1
longest_interview_minutes = 1
mb_per_minute = 2
"""


@pytest.fixture
def small_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A 64 MB filesystem holding the booth's data folder (KIOSK_DATA_DIR)."""
    with tmpfs(tmp_path / "small-disk", "64m") as mount:
        data = mount / "data"
        data.mkdir()
        (data / "kiosk.toml").write_text(SETTINGS)
        monkeypatch.setenv("KIOSK_DATA_DIR", str(data))
        yield mount


def _fill(disk: Path) -> Path:
    """Fill `disk` to the last byte in one go, from outside the kiosk."""
    filler = fill(disk)
    assert os.statvfs(disk).f_bavail == 0
    return filler


def _kiosk(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True,
                          text=True, env=os.environ, timeout=timeout, check=False)


def _one_clean_line(output: str, starts: str = "kiosk: ") -> str:
    lines = output.strip().splitlines()
    assert "Traceback" not in output, output
    assert len(lines) == 1, output
    assert lines[0].startswith(starts)
    return lines[0]


def _unfinished(settings: Settings) -> list[str]:
    db = open_configured(settings)
    try:
        with db.session() as s:
            return list(s.scalars(select(InterviewSession.id).where(
                InterviewSession.status.in_(UNFINISHED_STATUSES))))
    finally:
        db.close()


def _recover_once_there_is_space(settings: Settings, filler: Path) -> dict:
    """While the disk is full, recovery says it cannot; with space back, it finishes."""
    done = _kiosk("recover")
    assert done.returncode == 1
    said = _one_clean_line(done.stderr + done.stdout, starts="")
    assert ": failed. " in said and "disk is full" in said
    filler.unlink()
    done = _kiosk("recover", "--json")
    assert done.returncode == 0, done.stderr
    (outcome,) = json.loads(done.stdout)
    assert outcome["outcome"] == "recovered", outcome
    return outcome


def test_a_disk_filled_in_the_middle_of_an_answer(small_disk: Path) -> None:
    settings = load_settings()
    answer = subprocess.Popen([sys.executable, "-m", "kiosk", "record", "--demo",
                               "--seconds", "20"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=os.environ)
    try:
        deadline = time.monotonic() + 30
        while not any(settings.recordings_dir.glob("*/parts/q00-t1-v0.mkv")):
            assert time.monotonic() < deadline and answer.poll() is None
            time.sleep(0.1)
        time.sleep(5.0)  # some seconds of the answer are on disk
        filler = _fill(small_disk)
        _, stderr = answer.communicate(timeout=60)
    finally:
        answer.kill()
    assert answer.returncode == 1
    assert "disk is full" in _one_clean_line(stderr)
    assert len(_unfinished(settings)) == 1

    outcome = _recover_once_there_is_space(settings, filler)
    # What reached the disk before it filled: all but the encoder's last second or so.
    assert outcome["duration_s"] >= 5.0 - 1.5
    movie = next(settings.recordings_dir.glob("*/interview.mp4"))
    assert (probe(movie).video_codec, probe(movie).audio_codec) == ("h264", "aac")


@pytest.mark.parametrize("moment", ["as the interview file is built", "at the final merge"])
def test_a_disk_filled_while_the_interview_is_being_saved(small_disk: Path,
                                                          moment: str) -> None:
    settings = replace(load_settings(), recording=replace(
        load_settings().recording, disk_reserve_mb=1))
    db = open_configured(settings)
    try:
        with begun_recording(settings, db) as (recording, at):
            _saved_on_a_disk_that_fills(recording, at, small_disk, moment)
    finally:
        db.close()
    session_id = recording.session_id
    assert _unfinished(settings) == [session_id]
    filler = small_disk / "filler"

    outcome = _recover_once_there_is_space(settings, filler)
    assert outcome["duration_s"] >= 4.0  # the first answer at least
    movie = settings.recordings_dir / session_id / "interview.mp4"
    assert (probe(movie).video_codec, probe(movie).audio_codec) == ("h264", "aac")
    assert not (settings.recordings_dir / session_id / "parts").exists()


def _saved_on_a_disk_that_fills(recording, at: float, disk: Path, moment: str) -> None:
    """Two answers, the disk filled at `moment`: finishing stops with one clear error."""
    recording.start_answer(0, "Why this job?")
    recording.end_answer(at=at + 4.0)
    recording.start_answer(1, "A hard problem you solved")  # the first is being appended
    if moment == "as the interview file is built":
        _fill(disk)
    try:
        recording.end_answer(at=at + 8.0)
    except DiskFullError as exc:
        assert "kiosk recover" in str(exc)
    if moment == "at the final merge":
        _fill(disk)
    with pytest.raises(DiskFullError, match="disk is full"):
        recording.finish()


def test_recovery_itself_meets_a_full_disk_and_loses_nothing(small_disk: Path) -> None:
    """A full disk during recovery is not 'nothing usable survived'."""
    settings = load_settings()
    db = open_configured(settings)
    with begun_recording(settings, db) as (recording, at):
        recording.start_answer(0, "Why this job?")
        recording.end_answer(at=at + 4.0)
        recording.release()  # killed before finishing
    session_id = recording.session_id
    manifest = json.loads((recording.parts / "manifest.json").read_text())
    manifest["takes"][0]["status"] = "recording"  # cut off: recovery must rebuild it
    (recording.parts / "manifest.json").write_text(json.dumps(manifest))
    filler = _fill(small_disk)
    (outcome,) = recover_all(db, settings)
    assert outcome.outcome == "failed" and "disk is full" in outcome.message
    with db.session() as s:
        assert get_session(s, session_id).status in UNFINISHED_STATUSES
    filler.unlink()
    (outcome,) = recover_all(db, settings)
    assert outcome.outcome == "recovered"
    assert outcome.duration_s == pytest.approx(4.0, abs=0.6)
    db.close()
