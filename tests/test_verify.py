"""`kiosk sessions verify ID`: a recording that no longer matches its row, or is gone, is named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.test_upgrade import FIRST_RELEASE_SESSION, RECORDING_SHA256, first_release_booth


def _verify(booth: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KIOSK_DATA_DIR": str(booth), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "kiosk", "sessions", "verify", *args],
                          capture_output=True, text=True, env=env, timeout=120, check=False)


def _record_size_and_checksum(booth: Path) -> None:
    """What a recording made by this release has in its row (the fixture predates it)."""
    assert _verify(booth, FIRST_RELEASE_SESSION).returncode == 0  # migrates the database
    recording = booth / "recordings" / FIRST_RELEASE_SESSION / "interview.mp4"
    engine = create_engine(f"sqlite:///{booth / 'kiosk.db'}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE sessions SET size_bytes = :size, sha256 = :sha, "
                          "duration_ms = 3200 WHERE id = :id"),
                     {"size": recording.stat().st_size, "sha": RECORDING_SHA256,
                      "id": FIRST_RELEASE_SESSION})
    engine.dispose()


def test_a_matching_recording_is_all_good(tmp_path: Path) -> None:
    booth = first_release_booth(tmp_path / "booth")
    _record_size_and_checksum(booth)
    done = _verify(booth, FIRST_RELEASE_SESSION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Size:          matches" in done.stdout
    assert "Checksum:      matches" in done.stdout
    assert done.stdout.rstrip().endswith("All good.")


def test_a_changed_recording_is_reported_and_exits_1(tmp_path: Path) -> None:
    booth = first_release_booth(tmp_path / "booth")
    _record_size_and_checksum(booth)
    recording = booth / "recordings" / FIRST_RELEASE_SESSION / "interview.mp4"
    data = bytearray(recording.read_bytes())
    data[len(data) // 2] ^= 0xFF
    recording.write_bytes(bytes(data))
    done = _verify(booth, FIRST_RELEASE_SESSION, "--json")
    assert done.returncode == 1
    check = json.loads(done.stdout)
    assert check["size_matches"] is True and check["sha256_matches"] is False
    assert any("checksum differs" in problem for problem in check["problems"])


def test_a_missing_recording_is_reported_and_exits_1(tmp_path: Path) -> None:
    booth = first_release_booth(tmp_path / "booth")
    (booth / "recordings" / FIRST_RELEASE_SESSION / "interview.mp4").unlink()
    done = _verify(booth, FIRST_RELEASE_SESSION)
    assert done.returncode == 1
    assert "Problem: The recording" in done.stdout and "is missing" in done.stdout


def test_a_file_that_is_not_a_recording_does_not_play(tmp_path: Path) -> None:
    booth = first_release_booth(tmp_path / "booth")
    recording = booth / "recordings" / FIRST_RELEASE_SESSION / "interview.mp4"
    recording.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 500)
    done = _verify(booth, FIRST_RELEASE_SESSION, "--json")
    assert done.returncode == 1
    check = json.loads(done.stdout)
    assert check["plays_to_end"] is False
    assert any("does not play" in problem for problem in check["problems"])


def test_an_unknown_session_exits_1_with_one_line(tmp_path: Path) -> None:
    booth = first_release_booth(tmp_path / "booth")
    done = _verify(booth, "no-such-session")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "kiosk: No interview session has the id 'no-such-session'."]
