"""A recording made by the engine plays to its end in Qt Multimedia (offscreen)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from kiosk.media.merge import merge_parts
from kiosk.ui.playback import play_to_end
from tests.engine import record_parts


def test_the_merged_recording_plays_to_its_end(qtbot: QtBot, tmp_path: Path) -> None:
    parts = record_parts(tmp_path / "parts", [3.0, 6.2])
    movie = tmp_path / "interview.mp4"
    merge_parts([p.files for p in parts], movie)
    total_frames = sum(p.files.frames for p in parts)
    report = play_to_end(movie)
    assert report.error == ""
    assert report.reached_end
    assert abs(report.duration_ms - 1000 * total_frames / 30) < 50
    # At 8x some frames are skipped, but a real share of the picture was decoded and shown.
    assert report.frames_shown >= total_frames // 8


def test_a_broken_file_is_reported_not_hung(qtbot: QtBot, tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 500)
    report = play_to_end(broken, timeout_s=10)
    assert not report.reached_end
    assert report.error != ""
