"""A booth's data folder from the first release opens in this one: migrated, backed up, playing.

The data folder is made of two fixtures: `data/kiosk-0001.db` (a database at the first
migration) and `data/kiosk-0001-recordings/` (the recording its one session names). The same
test runs the kiosk from the source tree and, under scripts/bundle, from the bundle.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

DATA = Path(__file__).parent / "data"
FIRST_RELEASE_SESSION = "6f1c1f9e-2b7a-4c39-9a53-3f4f0d1f0c01"
RECORDING = DATA / "kiosk-0001-recordings" / FIRST_RELEASE_SESSION / "interview.mp4"
RECORDING_SHA256 = "3dc181109ec9684eca73b4eed422a839f6ad56c4c49f8f446fe0def13f27d1e8"


def first_release_booth(folder: Path) -> Path:
    """A data folder as the first release left it: its database and its recordings."""
    folder.mkdir(parents=True)
    shutil.copy(DATA / "kiosk-0001.db", folder / "kiosk.db")
    shutil.copytree(DATA / "kiosk-0001-recordings", folder / "recordings")
    return folder


def _kiosk(command: list[str], booth: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KIOSK_DATA_DIR": str(booth), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([*command, *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


def test_the_fixture_is_the_recording_the_first_release_made() -> None:
    assert hashlib.sha256(RECORDING.read_bytes()).hexdigest() == RECORDING_SHA256


def test_a_first_release_booth_opens_migrates_and_plays(
    kiosk_command: list[str], tmp_path: Path
) -> None:
    booth = first_release_booth(tmp_path / "booth")

    before = _kiosk(kiosk_command, booth, "doctor", "--json")
    assert json.loads(before.stdout)["schema_revision"] == "0001"  # doctor never migrates

    shown = _kiosk(kiosk_command, booth, "sessions", "show", FIRST_RELEASE_SESSION, "--json")
    assert shown.returncode == 0, shown.stderr
    session = json.loads(shown.stdout)
    assert session["candidate_name"] == 'Amélie "Ami" Dupont 🎬'
    assert session["status"] == "completed"
    assert session["recording_created_at"] == "2026-10-01T08:20:00+00:00"
    recording = booth / "recordings" / FIRST_RELEASE_SESSION / "interview.mp4"
    assert session["recording_url"] == recording.as_uri()
    # Columns the first release did not have are there now, empty.
    assert session["duration_ms"] is None and session["sha256"] is None
    assert session["questions"] == []

    after = json.loads(_kiosk(kiosk_command, booth, "doctor", "--json").stdout)
    assert after["schema_revision"] == after["schema_head"] != "0001"
    assert after["ok"], after["problems"]

    backups = list(booth.glob("kiosk.db.before-*.bak"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as old:
        assert old.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]

    verified = _kiosk(kiosk_command, booth, "sessions", "verify", FIRST_RELEASE_SESSION,
                      "--json")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    check = json.loads(verified.stdout)
    assert check["plays_to_end"] and check["frames_shown"] > 0
    assert (check["video_codec"], check["audio_codec"]) == ("h264", "aac")
    assert abs(check["duration_ms"] - 3200) <= 100
    # The upgrade left the recording exactly as it was.
    assert hashlib.sha256(recording.read_bytes()).hexdigest() == RECORDING_SHA256
