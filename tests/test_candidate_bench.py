"""`kiosk bench --preview` runs the real kiosk end to end and reports each figure (the
figures themselves are the bench's business, never a test's)."""

from __future__ import annotations

from dataclasses import replace

from pytestqt.qtbot import QtBot

from kiosk.ui.tooling.preview_bench import run_preview_bench


def test_the_preview_bench_records_with_and_without_the_preview(qtbot: QtBot, settings) -> None:
    small = replace(settings, recording=replace(settings.recording, width=320, height=180))
    said: list[str] = []
    figures = run_preview_bench(small, seconds=1.5, progress=said.append)
    assert figures["video"] == "320x180"
    assert 0 < figures["preview_fps_with_preview"] <= 31  # it painted, never above 30 a second
    assert figures["preview_fps_without_preview"] == 0  # the baseline really had no preview
    for side in ("with_preview", "without_preview"):
        assert 0 <= figures[f"dropped_frame_pct_{side}"] <= 100
        assert 0 <= figures[f"repeated_frame_pct_{side}"] <= 100
        assert figures[f"process_cpu_pct_{side}"] > 0
        assert figures[f"presets_{side}"], side  # an answer really was encoded
    assert said == ["answering 1.5 s at 320x180 with the preview on screen",
                    "answering 1.5 s at 320x180 with nothing on screen"]
    # It worked in a throwaway booth: this one's database was never opened.
    assert not (settings.data_dir / "kiosk.db").exists()
