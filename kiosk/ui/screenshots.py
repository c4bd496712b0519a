"""`kiosk screenshots DIR`: every screen rendered offscreen at the booth sizes, for review."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from kiosk.config import Settings

SIZES = ((1280, 800), (1920, 1080))


def write_screenshots(settings: Settings, directory: str | Path) -> list[Path]:
    """Render each screen at each size to `DIR/<screen>-<W>x<H>.png`; return the files."""
    # Must be decided before Qt starts: screenshots never need (or open) a display.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QWidget

    from kiosk.ui.app import application
    from kiosk.ui.main_window import MainWindow
    from kiosk.ui.recruiter.demo import demo_booth, recruiter_screens

    app = application()
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    screens: dict[str, Callable[[], QWidget]] = {
        "home": lambda: MainWindow(settings, database_display=settings.database_url_for_display),
    }
    written = []
    # The recruiter's screens show demo rows from a throwaway booth, never this one's.
    with demo_booth() as (demo_settings, demo_db):
        screens.update(recruiter_screens(demo_settings, demo_db))
        for name, make in screens.items():
            for width, height in SIZES:
                widget = make()
                widget.resize(width, height)
                widget.show()
                app.processEvents()
                path = out / f"{name}-{width}x{height}.png"
                if not widget.grab().save(str(path)):
                    raise OSError(f"could not write {path}")
                widget.close()
                widget.deleteLater()
                written.append(path)
    return written
