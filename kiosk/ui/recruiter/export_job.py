"""Running an export on a worker thread, so a large copy never freezes the screen."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QThread, Signal

from kiosk.config import Settings
from kiosk.errors import KioskError
from kiosk.storage.fetch import export_from_here_or_the_store
from kiosk.store.database import Database


class ExportJob(QThread):
    """Signals arrive queued on the GUI thread: progress(done, total), exported(result),
    failed(message). `cancel()` stops it at the next chunk; nothing is left behind."""

    progress = Signal(int, int)
    exported = Signal(object)
    failed = Signal(str)

    def __init__(self, db: Database, settings: Settings, session_id: str, destination: Path,
                 exported_by: str, parent=None) -> None:
        super().__init__(parent)
        self._args = (db, settings, session_id, destination)
        self._exported_by = exported_by
        self._cancel = threading.Event()

    def run(self) -> None:
        db, settings, session_id, destination = self._args
        try:
            # An interview only in the bucket is downloaded (and checked) first.
            result = export_from_here_or_the_store(
                db, settings, session_id, destination, exported_by=self._exported_by,
                cancel=self._cancel, progress=self.progress.emit)
        except KioskError as exc:
            self.failed.emit(str(exc))
        else:
            self.exported.emit(result)

    def cancel(self) -> None:
        self._cancel.set()

    def stop(self) -> None:
        """Cancel and wait for the thread to end (before the window goes away)."""
        self.cancel()
        self.wait()
