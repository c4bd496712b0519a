"""Starting the Qt application and its main window."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from kiosk.config import Settings
from kiosk.resources import resource_path
from kiosk.store.database import Database
from kiosk.ui.main_window import MainWindow


def application() -> QApplication:
    """The running QApplication, created with the kiosk's stylesheet if there is none yet."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("Interview Booth Kiosk")
        app.setStyleSheet(resource_path("style.qss").read_text(encoding="utf-8"))
    assert isinstance(app, QApplication)
    return app


def run(settings: Settings, db: Database) -> int:
    app = application()
    window = MainWindow(settings, database_display=db.display_url)
    window.show()
    return app.exec()
