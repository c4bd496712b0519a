""""Watch it" on the retake choice: the take just recorded, played in the preview's place.

A take is two part files (picture .mkv, sound .m4a); they are joined by stream copy
(kiosk.media.merge.merge_parts) into one small MP4 in a private temporary folder, off the GUI
thread, and played from there: one file, one player, in sync. The booth hands over the
take's files only once the answer has ended (Booth.newest_take runs after EndAnswer on its
worker). The copy is removed as soon as playback stops.

The player is made with kiosk.ui.media_objects' factories (a deadlock otherwise, see there),
on the first "Watch it" (so a kiosk that nobody uses it on never loads Qt's media backend),
and let go of (stop, then an empty source) whenever the candidate leaves the choice. Its
pictures come through a QVideoSink and are painted here, like the live preview, so a grab
(the screenshots) sees them. While it plays, the candidate is watching: that is activity,
so the retake choice's idle time cannot reset them mid-playback.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEvent,
    QObject,
    QRectF,
    QSize,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QHideEvent, QImage, QPainter, QPaintEvent
from PySide6.QtMultimedia import QMediaPlayer, QVideoFrame, QVideoSink
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.interview import flow
from kiosk.interview.flow import FlowState, Screen
from kiosk.media.merge import PartFiles, merge_parts
from kiosk.ui.formatting import clock
from kiosk.ui.media_objects import audio_output, media_player, video_sink
from kiosk.ui.widgets.buttons import KioskButton
from kiosk.ui.widgets.preview import paint_frame

log = logging.getLogger(__name__)

NewestTake = Callable[[], Future[PartFiles | None]]
# Ending the answer (flushing the encoders) comes first; it is over in well under this.
LOAD_TIMEOUT_S = 60.0
ACTIVITY_MS = 1000  # far inside the shortest idle warning
# The button's words, translated when shown (TakeReview.retranslate).
WATCH = QT_TRANSLATE_NOOP("TakeReview", "Watch it")
STOP = QT_TRANSLATE_NOOP("TakeReview", "Stop watching")
AGAIN = QT_TRANSLATE_NOOP("TakeReview", "Watch it again")
LOADING = QT_TRANSLATE_NOOP("TakeReview", "Getting it ready…")
BROKEN = QT_TRANSLATE_NOOP("TakeReview", "It did not play: try again")


class TakePlayer(QWidget):
    """One file's picture (painted from a video sink) and sound, with its time."""

    ended = Signal()
    failed = Signal(str)
    hidden = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._player: QMediaPlayer | None = None
        self._sink: QVideoSink | None = None
        self._image: QImage | None = None
        self.frames_shown = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(self.tr("Your answer, playing"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.setAccessibleName(self.tr("Your answer, playing"))
        super().changeEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(640, 360)

    @property
    def media(self) -> QMediaPlayer:
        if self._player is None:
            self._make_player()
        assert self._player is not None
        return self._player

    @property
    def video_sink(self) -> QVideoSink:
        self.media  # noqa: B018 (made with the player)
        assert self._sink is not None
        return self._sink

    @property
    def playing(self) -> bool:
        return (self._player is not None and self._player.playbackState()
                == QMediaPlayer.PlaybackState.PlayingState)

    def play(self, path: Path) -> None:
        self._image, self.frames_shown = None, 0
        self.media.setSource(QUrl.fromLocalFile(str(path)))
        self.media.play()
        self.update()

    def stop(self) -> None:
        """Stop and let go of the file (the backend keeps it open otherwise)."""
        if self._player is not None:
            self._player.stop()
            self._player.setSource(QUrl())
        self._image = None

    def hideEvent(self, event: QHideEvent) -> None:
        # Also when the screen it is on is left: nothing plays behind another screen.
        self.hidden.emit()
        super().hideEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        # Painted like the live preview it stands in for.
        painter, area = paint_frame(self, self._image)
        self._paint_time(painter, area)

    def _paint_time(self, painter: QPainter, area: QRectF) -> None:
        if self._player is None:
            return
        text = f"▶  {clock(self._player.position())} / {clock(self._player.duration())}"
        font = QFont(self.font())
        font.setPixelSize(max(16, round(area.height() / 14)))
        font.setBold(True)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        pad = font.pixelSize() // 2
        box = QRectF(area.left() + pad, area.bottom() - pad - metrics.height() - pad,
                     metrics.horizontalAdvance(text) + 2 * pad, metrics.height() + pad)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 150))
        painter.drawRoundedRect(box, pad, pad)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _make_player(self) -> None:
        player, sound, sink = media_player(self), audio_output(self), video_sink(self)
        player.setAudioOutput(sound)
        player.setVideoSink(sink)
        sink.videoFrameChanged.connect(self._on_frame)
        player.mediaStatusChanged.connect(self._on_status)
        player.errorOccurred.connect(lambda _error, message: self.failed.emit(message))
        player.positionChanged.connect(lambda _ms: self.update())
        self._player, self._sink = player, sink

    def _on_frame(self, frame: QVideoFrame) -> None:
        if not frame.isValid() or self._player is None or self._player.source().isEmpty():
            return
        self._image = frame.toImage()
        self.frames_shown += 1
        self.update()

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.EndOfMedia:
            self.ended.emit()
        elif status == QMediaPlayer.MediaStatus.InvalidMedia:
            self.failed.emit(self.media.errorString() or "invalid media")


class TakeReview(QObject):
    """The "Watch it" button and the player, for the question screen's retake choice.

    `instead_of` (the live preview) is hidden while the take plays. `intent` carries
    Activity while it plays.
    """

    intent = Signal(object)
    _ready = Signal(int, object)  # a load's number, and its MP4 (or None: it failed)

    def __init__(self, newest_take: NewestTake | None, *, instead_of: QWidget,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._newest_take, self._preview = newest_take, instead_of
        self.player = TakePlayer()
        self.player.hide()
        self.watch = KioskButton("")
        self._watch_words = WATCH
        self.watch.clicked.connect(self._toggle)
        self.watch.hide()
        self._load = 0  # each "Watch it" is a new load; an older one's result is dropped
        self._loading = False
        self._shown = False  # the player stands in the preview's place
        self._folder: Path | None = None
        self._entered_at: float | None = None
        self._activity = QTimer(self, interval=ACTIVITY_MS)
        self._activity.timeout.connect(self._still_watching)
        self._ready.connect(self._on_ready, Qt.ConnectionType.QueuedConnection)
        self.player.ended.connect(self._on_ended)
        self.player.failed.connect(self._on_failed)
        self.player.hidden.connect(self.stop)
        self.retranslate()

    def retranslate(self) -> None:
        self.watch.setAccessibleName(self.tr("Watch your answer"))
        self._say(self._watch_words)

    def _say(self, words: str) -> None:
        """The button's words: one of WATCH, STOP, AGAIN, LOADING, BROKEN."""
        self._watch_words = words
        self.watch.setText(QCoreApplication.translate("TakeReview", words))

    @property
    def watching(self) -> bool:
        """Getting the take ready, or playing it."""
        return self._loading or self._shown

    def show_state(self, state: FlowState) -> None:
        """Shows the button on the retake choice; stops playback once the choice is left
        (or begun again: another take)."""
        deciding = state.screen is Screen.RETAKE
        if not deciding or state.entered_at != self._entered_at:
            self.stop()
            self._say(WATCH)
        self._entered_at = state.entered_at if deciding else None
        self.watch.setVisible(deciding and self._newest_take is not None)

    def stop(self) -> None:
        if not self.watching:
            return
        self._load += 1
        self._loading = False
        self._activity.stop()
        self.player.stop()
        if self._shown:
            self._shown = False
            self.player.hide()  # (its hideEvent comes back here: nothing left to do)
            self._preview.show()
        self._say(AGAIN)
        self._remove_copy()

    def _toggle(self) -> None:
        if self.watching:
            self.stop()
        else:
            self._start()

    def _start(self) -> None:
        if self._newest_take is None:
            return
        self.stop()
        try:
            take = self._newest_take()
        except RuntimeError:  # the booth is shutting down
            return
        self._loading = True
        # Not disabled: the focus would jump to "Try again" under a keyboard user's Enter.
        self._say(LOADING)
        load = self._load
        threading.Thread(target=self._copy, args=(load, take), name="take-review",
                         daemon=True).start()

    def _copy(self, load: int, take: Future[PartFiles | None]) -> None:
        """On its own thread: the take's two files joined into one MP4 to play."""
        try:
            files = take.result(LOAD_TIMEOUT_S)
            if files is None:
                raise LookupError("the booth has no whole take to show")
            folder = Path(tempfile.mkdtemp(prefix="kiosk-take-"))  # owner-only
            out = folder / "take.mp4"
            try:
                merge_parts([files], out)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
        except Exception as exc:
            log.warning("the take cannot be played back: %s", exc)
            out = None
        try:
            self._ready.emit(load, out)
        except RuntimeError:  # the kiosk closed meanwhile: nobody to play it to
            if out is not None:
                shutil.rmtree(out.parent, ignore_errors=True)

    def _on_ready(self, load: int, out: Path | None) -> None:
        if load != self._load:  # the candidate moved on meanwhile
            if out is not None:
                shutil.rmtree(out.parent, ignore_errors=True)
            return
        self._loading = False
        if out is None:
            self._on_failed("")
            return
        self._folder = out.parent
        self._shown = True
        self._preview.hide()
        self.player.show()
        self.player.play(out)
        self._say(STOP)
        self._activity.start()
        self.intent.emit(flow.Activity())

    def _on_ended(self) -> None:
        self.intent.emit(flow.Activity())  # the idle time counts from the end of it
        self.stop()

    def _on_failed(self, message: str) -> None:
        if message:
            log.warning("the take does not play: %s", message)
        self.stop()
        self._say(BROKEN)  # pressed again, it tries again

    def _still_watching(self) -> None:
        if self.player.playing:
            self.intent.emit(flow.Activity())

    def _remove_copy(self) -> None:
        folder, self._folder = self._folder, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
