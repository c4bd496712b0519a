"""Qt Multimedia objects made from Python that Qt's media threads can touch without the GIL.

An object made from Python is a shiboken wrapper: each C++ virtual first asks, under the
GIL, whether Python overrides it. Qt's FFmpeg media threads call `disconnectNotify` on our
QAudioOutput when they delete their renderers, and they do it holding one of Qt's
signal-slot mutexes. Meanwhile QMediaPlayer.stop() or setSource() on the GUI thread holds
the GIL (PySide6 does not release it there) and waits for that mutex: a deadlock that froze
the recruiter's view about once in fifty closings (tests/test_player_teardown.py).

The wrapper remembers, per object, that a virtual has no Python override and from then on
calls Qt's own without the GIL. Asking once on the GUI thread, through one connect and one
disconnect, settles `connectNotify` and `disconnectNotify` before any media thread can ask.
"""

from __future__ import annotations

from PySide6.QtCore import QLoggingCategory, QObject
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoSink


def quiet_media_logs() -> None:
    """Qt's FFmpeg prints a stream dump at info level on every opening of a recording; its
    warnings stay. Call before the application is made."""
    QLoggingCategory.setFilterRules("qt.multimedia.ffmpeg*.info=false")


def _nothing() -> None:
    """A slot to connect and disconnect once."""


def _settle_notify_hooks(obj: QObject) -> None:
    obj.objectNameChanged.connect(_nothing)
    obj.objectNameChanged.disconnect(_nothing)


def media_player(parent: QObject | None = None) -> QMediaPlayer:
    player = QMediaPlayer(parent)
    _settle_notify_hooks(player)
    return player


def audio_output(parent: QObject | None = None) -> QAudioOutput:
    output = QAudioOutput(parent)
    _settle_notify_hooks(output)
    return output


def video_sink(parent: QObject | None = None) -> QVideoSink:
    sink = QVideoSink(parent)
    _settle_notify_hooks(sink)
    return sink
