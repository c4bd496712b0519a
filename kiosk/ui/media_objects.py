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

Qt Multimedia is imported inside the functions, not here: loading it prints its probing of
optional libraries at once, and the kiosk quiets that (quiet_media_logs) before it loads.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLoggingCategory, QObject

if TYPE_CHECKING:
    from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoSink

# What the kiosk keeps out of its stderr (the log a service manager keeps for IT); Qt
# Multimedia's other warnings stay, and QT_LOGGING_RULES still wins.
KIOSK_MEDIA_LOG_RULES = "\n".join((
    # The stream dump Qt's FFmpeg prints at info level on every opening of a recording.
    "qt.multimedia.ffmpeg*.info=false",
    # "No HW decoder found", at info level, on every opening on a PC without VA-API.
    "qt.multimedia.playbackengine*.info=false",
    # The optional libraries it looks for as it loads: "Couldn't load pipewire-0.3 library"
    # on every start of a booth without PipeWire (Qt then plays through PulseAudio). These
    # are Qt's words, not PipeWire's: PIPEWIRE_DEBUG does not reach them.
    "qt.multimedia.symbolsresolver.warning=false",
))


def quiet_media_logs() -> None:
    """Keep Qt Multimedia's chatter (KIOSK_MEDIA_LOG_RULES) off the kiosk's stderr. Call
    before anything imports PySide6.QtMultimedia: it reports what it probed as it loads."""
    QLoggingCategory.setFilterRules(KIOSK_MEDIA_LOG_RULES)


# FFmpeg's av_log levels (libavutil/log.h): only what makes a decoder give up stays.
_AV_LOG_FATAL = 8


def quiet_decoders() -> None:
    """Keep FFmpeg's own decoder messages (a line per broken packet of a damaged file) off
    stderr, for headless checks whose report already says the file is damaged.

    They do not go through Qt's logging, so the rules above cannot reach them: the level is
    set in the libavutil that Qt's FFmpeg plugin loaded, which it does when the first
    QMediaPlayer is made; call this after that. Where that library is not found (another
    platform's layout), the messages stay: they are noise, not a failure.
    """
    library = _loaded_avutil()
    if library is None:
        return
    try:
        # RTLD_NOLOAD: the plugin's copy or nothing; a second copy would have its own level.
        avutil = ctypes.CDLL(str(library), mode=getattr(os, "RTLD_NOLOAD", 0))
        avutil.av_log_set_level(_AV_LOG_FATAL)
    except (OSError, AttributeError):
        return


def _loaded_avutil() -> Path | None:
    if sys.platform.startswith("linux"):
        try:
            maps = Path("/proc/self/maps").read_text()
        except OSError:
            return None
        for line in maps.splitlines():
            fields = line.split(maxsplit=5)  # the sixth, the path, may hold spaces
            if len(fields) == 6 and Path(fields[5]).name.startswith("libavutil.so"):
                return Path(fields[5])
        return None
    import PySide6

    package = Path(PySide6.__file__).parent
    found = sorted([*package.glob("avutil-*.dll"), *package.glob("Qt/lib/libavutil.*.dylib")])
    return found[0] if found else None


def _nothing() -> None:
    """A slot to connect and disconnect once."""


def _settle_notify_hooks(obj: QObject) -> None:
    obj.objectNameChanged.connect(_nothing)
    obj.objectNameChanged.disconnect(_nothing)


def media_player(parent: QObject | None = None) -> QMediaPlayer:
    from PySide6.QtMultimedia import QMediaPlayer

    player = QMediaPlayer(parent)
    _settle_notify_hooks(player)
    return player


def audio_output(parent: QObject | None = None) -> QAudioOutput:
    from PySide6.QtMultimedia import QAudioOutput

    output = QAudioOutput(parent)
    _settle_notify_hooks(output)
    return output


def video_sink(parent: QObject | None = None) -> QVideoSink:
    from PySide6.QtMultimedia import QVideoSink

    sink = QVideoSink(parent)
    _settle_notify_hooks(sink)
    return sink
