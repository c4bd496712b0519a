"""The `kiosk` command, as IT and programs use it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import load_settings
from kiosk.store.database import open_configured
from kiosk.store.sessions import create_session

FIRST_RELEASE_DB = Path(__file__).parent / "data" / "kiosk-0001.db"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def add_recorded_session(data_dir: Path, recording_video: str | None = None) -> str:
    """A completed session whose interview.mp4 exists on disk, as the recorder leaves it."""
    settings = load_settings()
    db = open_configured(settings)
    try:
        with db.session() as s, s.begin():
            session = create_session(s, "Grace Hopper", position="Engineer")
            folder = settings.recordings_dir / session.id
            folder.mkdir(parents=True)
            (folder / "interview.mp4").write_bytes(b"\0" * 2048)
            session.recording_video = recording_video or f"{session.id}/interview.mp4"
            session.recording_created_at = datetime(2026, 11, 2, 14, 5, tzinfo=UTC)
            session.size_bytes = 2048
            session.duration_ms = 95_000
            return session.id
    finally:
        db.close()


def test_python_dash_m_kiosk_runs(data_dir: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "kiosk", "sessions", "list", "--json"],
                          capture_output=True, text=True, env=os.environ, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_add_then_list_then_show(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    added = run_json(capsys, "sessions", "add", "Zoë \"Z\" O'Neil 🎤", "--position", "Analyst")
    assert isinstance(added, dict)
    assert added["candidate_name"] == "Zoë \"Z\" O'Neil 🎤"
    assert added["status"] == "scheduled"
    listed = run_json(capsys, "sessions", "list")
    assert [row["session_id"] for row in listed] == [added["session_id"]]
    shown = run_json(capsys, "sessions", "show", added["session_id"])
    assert shown == added
    code, out, _ = run(capsys, "sessions", "list")
    assert code == 0 and "Zoë \"Z\" O'Neil 🎤" in out
    header, line = out.splitlines()
    assert header.split() == ["SESSION", "CREATED", "STATUS", "LENGTH", "CANDIDATE"]
    assert line.index("scheduled") == header.index("STATUS")


def test_show_gives_the_seed_recording_fields(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session_id = add_recorded_session(data_dir)
    shown = run_json(capsys, "sessions", "show", session_id)
    recording = data_dir.resolve() / "recordings" / session_id / "interview.mp4"
    assert shown["session_id"] == session_id
    assert shown["candidate_name"] == "Grace Hopper"
    assert shown["status"] == "scheduled"
    assert shown["recording_url"] == recording.as_uri()
    assert shown["recording_created_at"] == "2026-11-02T14:05:00+00:00"
    assert datetime.fromisoformat(shown["recording_created_at"]).tzinfo is not None
    assert shown["file_size"] == 2048
    assert shown["file_name"] == "interview.mp4"
    assert shown["duration_ms"] == 95_000
    code, out, _ = run(capsys, "sessions", "show", session_id)
    assert code == 0 and "0:01:35" in out and recording.as_uri() in out


def test_an_unknown_id_exits_1_with_one_line(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "sessions", "show", "nope", "--json")
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and "nope" in err


@pytest.mark.parametrize(
    ("name", "message"),
    [("Ada\nLovelace", "single line"), ("x" * 10_000, "at most 200 characters")],
)
def test_a_refused_name_exits_1_and_stores_nothing(
    data_dir: Path, capsys: pytest.CaptureFixture[str], name: str, message: str
) -> None:
    code, _, err = run(capsys, "sessions", "add", name)
    assert code == 1 and message in err and err.count("\n") == 1
    assert run_json(capsys, "sessions", "list") == []


def test_a_row_outside_the_recordings_root_is_refused(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session_id = add_recorded_session(data_dir, recording_video="../../../etc/passwd")
    shown = run_json(capsys, "sessions", "show", session_id)
    assert shown["recording_url"] is None
    assert "climbs out" in shown["recording_error"]
    code, out, _ = run(capsys, "sessions", "show", session_id)
    assert code == 0 and "Problem:" in out and "file://" not in out


def test_doctor_is_happy_with_a_consistent_booth(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_recorded_session(data_dir)
    code, out, _ = run(capsys, "doctor", "--json")
    report = json.loads(out)
    assert code == 0
    assert report["ok"] is True
    assert report["database_reachable"] is True
    assert report["schema_revision"] == report["schema_head"]
    assert report["recordings_writable"] is True
    assert report["free_bytes"] > 0
    assert report["files_without_rows"] == [] and report["rows_without_files"] == []


def test_doctor_lists_files_without_rows_and_rows_without_files(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = add_recorded_session(data_dir)
    lost = add_recorded_session(data_dir)
    settings = load_settings()
    (settings.recordings_dir / lost / "interview.mp4").unlink()
    (settings.recordings_dir / "stray-folder").mkdir()
    (settings.recordings_dir / kept / "old-copy.mp4").write_bytes(b"x")
    code, out, _ = run(capsys, "doctor", "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False
    assert report["files_without_rows"] == sorted(["stray-folder", f"{kept}/old-copy.mp4"])
    assert [row["session_id"] for row in report["rows_without_files"]] == [lost]
    code, out, _ = run(capsys, "doctor")
    assert code == 1 and "stray-folder" in out and lost in out


def test_doctor_reports_an_old_schema_without_migrating_it(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir.mkdir(parents=True)
    shutil.copy(FIRST_RELEASE_DB, data_dir / "kiosk.db")
    before = (data_dir / "kiosk.db").read_bytes()
    code, out, _ = run(capsys, "doctor", "--json")
    report = json.loads(out)
    assert code == 1
    assert report["schema_revision"] == "0001" and report["schema_head"] != "0001"
    assert (data_dir / "kiosk.db").read_bytes() == before


def test_a_corrupt_database_exits_1_and_is_left_untouched(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "kiosk.db").write_bytes(b"garbage" * 100)
    code, out, err = run(capsys, "sessions", "list")
    assert code == 1 and out == ""
    assert "not a SQLite database" in err and err.count("\n") == 1
    assert (data_dir / "kiosk.db").read_bytes() == b"garbage" * 100
    code, out, _ = run(capsys, "doctor", "--json")
    assert code == 1 and json.loads(out)["database_reachable"] is False


def test_a_bad_config_value_exits_1_naming_key_and_file(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "kiosk.toml").write_text("recordings_dir = 5\n")
    code, _, err = run(capsys, "sessions", "list")
    assert code == 1
    assert "'recordings_dir'" in err and str(data_dir / "kiosk.toml") in err


def test_an_unwritable_data_folder_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "blocker").write_text("a file, not a folder")
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "blocker" / "data"))
    code, _, err = run(capsys, "sessions", "list")
    assert code == 1 and "data folder" in err and "cannot be written" in err
