"""`kiosk bench --ui` runs end to end and reports every figure (the figures themselves are
the bench's business, never a test's: timing on a shared machine proves nothing)."""

from __future__ import annotations

from dataclasses import replace

from pytestqt.qtbot import QtBot

from kiosk.ui.tooling.ui_bench import run_ui_bench

FIGURES = ("list_first_paint_ms", "search_repaint_ms", "open_to_first_frame_ms",
           "seek_to_frame_ms")


def test_the_ui_bench_measures_each_figure(qtbot: QtBot, settings) -> None:
    small = replace(settings, recording=replace(settings.recording, width=320, height=180))
    said: list[str] = []
    figures = run_ui_bench(small, rows=300, progress=said.append)
    for key in FIGURES:
        assert isinstance(figures[key], float) and figures[key] > 0, key
    assert figures["rows"] == 300 and figures["video"] == "320x180"
    assert said[0].startswith("recording a 60 s interview at 320x180")
    # It worked in a throwaway booth: this one's database was never opened.
    assert not (settings.data_dir / "kiosk.db").exists()
