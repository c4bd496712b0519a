"""Starting the Qt application and the kiosk's window."""

from __future__ import annotations

import signal
import socket
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QSocketNotifier, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.capture.devices import SYNTHETIC, open_sources
from kiosk.config import Settings
from kiosk.interview.booth import OpenSources
from kiosk.interview.question_sets import QuestionSetError, configured_question_sets
from kiosk.resources import resource_path
from kiosk.storage.worker import UploadWorker
from kiosk.store.database import Database
from kiosk.transcripts.worker import TranscriptWorker
from kiosk.ui.media_objects import quiet_media_logs

if TYPE_CHECKING:
    from kiosk.ui.main_window import MainWindow

# The screens are imported where the window is built, not here: they load Qt Multimedia
# (the recruiter's player, a candidate's take played back), whose first lines on stderr
# must find application()'s logging rules in place (tests/test_staff_hands.py).


def application() -> QApplication:
    """The running QApplication, created with the kiosk's stylesheet if there is none yet."""
    app = QApplication.instance()
    if app is None:
        quiet_media_logs()
        app = QApplication(sys.argv[:1])
        app.setApplicationName("Interview Booth Kiosk")
        app.setStyleSheet(resource_path("style.qss").read_text(encoding="utf-8"))
    assert isinstance(app, QApplication)
    return app


def sources_opener(settings: Settings, *, demo: bool) -> OpenSources:
    return lambda: open_sources(settings.recording, demo=demo)


def build_window(settings: Settings, db: Database, *, demo: bool = False,
                 locked: bool = True, transcripts: TranscriptWorker | None = None,
                 uploads: UploadWorker | None = None) -> MainWindow:
    """The kiosk's window; with a question set that cannot be used, a page that says why."""
    from kiosk.ui.candidate.kiosk import CandidateKiosk
    from kiosk.ui.candidate.screens import OutOfServiceScreen
    from kiosk.ui.main_window import MainWindow

    if demo:
        # The whole window, the admin's device check included, then speaks of the devices
        # it really uses: the synthetic pair.
        settings = replace(settings, recording=replace(settings.recording, camera=SYNTHETIC,
                                                       microphone=SYNTHETIC))
    candidate: QWidget
    try:
        questions = configured_question_sets(settings)
    except QuestionSetError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        candidate = OutOfServiceScreen(str(exc))
    else:
        candidate = CandidateKiosk(settings, db, questions, sources_opener(settings, demo=demo),
                                   transcripts=transcripts, uploads=uploads)
    return MainWindow(candidate, settings, db, locked=locked)


def run(settings: Settings, db: Database, *, demo: bool = False, locked: bool = True) -> int:
    app = application()
    # Interviews are transcribed in the background, while no candidate is recording.
    transcripts = TranscriptWorker(db, settings) if settings.transcripts.enabled else None
    if transcripts is not None:
        transcripts.start()
    # And uploaded, with [storage] kind = "s3": the backlog first, then each new interview.
    uploads = UploadWorker(db, settings) if settings.storage.kind == "s3" else None
    if uploads is not None:
        uploads.start()
    window = build_window(settings, db, demo=demo, locked=locked, transcripts=transcripts,
                          uploads=uploads)
    # A service manager stops the kiosk with SIGTERM (a terminal with Ctrl+C): end the
    # answer, keep it, then exit.
    wakeup = _SignalWakeup(app)
    def stop() -> None:
        window.unlock_and_close()
        app.quit()

    for number in (signal.SIGTERM, signal.SIGINT):
        # Through the event loop: a signal that lands before exec() has started would
        # otherwise close the window and ask a loop that is not yet running to quit.
        signal.signal(number, lambda *_: QTimer.singleShot(0, stop))
    if locked:
        # Full screen is a request to the window manager; a booth session may have none,
        # so the window also takes the whole screen itself.
        window.setGeometry(app.primaryScreen().geometry())
        window.showFullScreen()
    else:
        window.resize(1280, 800)
        window.show()
    try:
        return app.exec()
    finally:
        wakeup.close()
        if transcripts is not None:
            transcripts.stop()  # an unfinished job goes back to the queue
        if uploads is not None:
            uploads.stop()  # an unfinished upload resumes from its parts at the next start


class _SignalWakeup:
    """Python runs a signal handler only when it next gets control, which Qt's event loop may
    not give it for a long time; the signal's byte on this socket wakes the loop at once."""

    def __init__(self, app: QApplication) -> None:
        self._receiver, self._sender = socket.socketpair()
        self._sender.setblocking(False)
        signal.set_wakeup_fd(self._sender.fileno())
        self._notifier = QSocketNotifier(self._receiver.fileno(), QSocketNotifier.Type.Read, app)
        # Reading returns to Python, which then runs the handler.
        self._notifier.activated.connect(lambda *_: self._receiver.recv(64))

    def close(self) -> None:
        signal.set_wakeup_fd(-1)
        self._notifier.setEnabled(False)
        self._receiver.close()
        self._sender.close()
