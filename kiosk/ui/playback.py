"""Playing a recording to its end in QMediaPlayer, headless: proof that a file really plays.

Used by the tests and the self-test. No audio output is attached (there may be no sound
card, and the audio clock would hold playback to real time); video frames are counted
through a QVideoSink, at a raised playback rate so a long file takes little time.

Qt Multimedia is imported inside the functions, not here: loading it prints its device
probing (no PipeWire, say) at once, and play_offscreen must quiet Qt's logging before that.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QLoggingCategory, QTimer, QUrl
from PySide6.QtGui import QGuiApplication

_own_application: QGuiApplication | None = None  # kept alive for as long as the process runs
# A command's report says what is wrong with a file; Qt Multimedia's own lines (the missing
# hardware decoder, the sound server it probed) would only bury it. QT_LOGGING_RULES still wins.
_COMMAND_LINE_LOG_RULES = "qt.multimedia*=false"
_quiet_decoders = False  # set by play_offscreen: FFmpeg's decoder messages are kept off stderr


@dataclass
class PlaybackReport:
    reached_end: bool
    frames_shown: int
    duration_ms: int
    error: str = ""


def play_to_end(path: Path, *, rate: float = 8.0, timeout_s: float = 60.0) -> PlaybackReport:
    """Play `path` in a QMediaPlayer until EndOfMedia, an error, or the time limit."""
    from PySide6.QtMultimedia import QMediaPlayer

    from kiosk.ui.media_objects import media_player, quiet_decoders, video_sink

    player = media_player()
    if _quiet_decoders:
        quiet_decoders()  # the player has loaded FFmpeg by now
    sink = video_sink()
    player.setVideoSink(sink)
    loop = QEventLoop()
    report = PlaybackReport(reached_end=False, frames_shown=0, duration_ms=0)

    def on_frame(frame) -> None:
        if frame.isValid():
            report.frames_shown += 1

    def on_status(status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.EndOfMedia:
            report.reached_end = True
            loop.quit()
        elif status == QMediaPlayer.MediaStatus.InvalidMedia:
            report.error = player.errorString() or "invalid media"
            loop.quit()

    def on_error(_error, message: str) -> None:
        report.error = message
        loop.quit()

    sink.videoFrameChanged.connect(on_frame)
    player.mediaStatusChanged.connect(on_status)
    player.errorOccurred.connect(on_error)
    player.durationChanged.connect(lambda ms: setattr(report, "duration_ms", ms))
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    player.setSource(QUrl.fromLocalFile(str(path)))
    player.setPlaybackRate(rate)
    player.play()
    loop.exec()
    player.stop()
    player.setSource(QUrl())
    player.deleteLater()
    return report


def play_offscreen(path: Path, timeout_s: float = 60.0) -> PlaybackReport:
    """play_to_end from a command line, where no application exists yet.

    Nothing is shown, so the platform is offscreen unless QT_QPA_PLATFORM says otherwise:
    this works over SSH and on a booth with no one logged in.
    """
    global _own_application, _quiet_decoders
    if QCoreApplication.instance() is None:
        if not os.environ.get("QT_QPA_PLATFORM"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        QLoggingCategory.setFilterRules(_COMMAND_LINE_LOG_RULES)
        _quiet_decoders = True
        _own_application = QGuiApplication(sys.argv[:1])
    return play_to_end(path, timeout_s=timeout_s)
