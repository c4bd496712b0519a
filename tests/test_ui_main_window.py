"""The main window and the screenshot command, offscreen through pytest-qt."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from kiosk.config import load_settings
from kiosk.ui.main_window import MainWindow
from kiosk.ui.screenshots import SIZES, write_screenshots


def test_the_window_says_where_data_lives_and_hides_passwords(
    qtbot: QtBot, tmp_path: Path
) -> None:
    settings = load_settings({
        "KIOSK_DATA_DIR": str(tmp_path / "data"),
        "KIOSK_DATABASE_URL": "postgresql://booth:s3cret@db.example/kiosk",
    })
    window = MainWindow(settings, database_display=settings.database_url_for_display)
    qtbot.addWidget(window)
    window.show()
    assert str(tmp_path / "data") in window.data_dir_label.text()
    assert "db.example/kiosk" in window.database_label.text()
    assert "s3cret" not in window.database_label.text()
    assert str(tmp_path / "data" / "recordings") in window.recordings_label.text()


def test_the_details_use_the_width_of_a_wide_screen(qtbot: QtBot, tmp_path: Path) -> None:
    """A wrapped label in a centred card once shrank to a few words and clipped the paths."""
    settings = load_settings({"KIOSK_DATA_DIR": str(tmp_path / "data")})
    window = MainWindow(settings, database_display=settings.database_url_for_display)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    qtbot.waitExposed(window)
    for label in (window.data_dir_label, window.database_label, window.recordings_label):
        assert label.width() >= 900


def test_screenshots_are_written_at_both_booth_sizes(qtbot: QtBot, tmp_path: Path) -> None:
    settings = load_settings({"KIOSK_DATA_DIR": str(tmp_path / "data")})
    written = write_screenshots(settings, tmp_path / "shots")
    screens = ("home", "pin", "sessions", "details", "setup")
    assert sorted(p.name for p in written) == sorted(
        f"{screen}-{w}x{h}.png" for screen in screens for w, h in SIZES
    )
    for path in written:
        image = QImage(str(path))
        width, height = (int(n) for n in path.stem.split("-")[-1].split("x"))
        assert (image.width(), image.height()) == (width, height)
        # Not a blank page: the title's dark text stands on the light background.
        colours = {image.pixel(x, y) for x in range(0, width, 7) for y in range(0, height, 7)}
        assert len(colours) > 10
