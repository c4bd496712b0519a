"""The embedded player: QMediaPlayer + QVideoWidget + QAudioOutput, with its controls.

As in Qt's player example, the player and its audio output are parented to this widget;
`durationChanged` sets the seek bar's range, `positionChanged` moves it unless the person
holds it, and errors and invalid media show a message in place of the video. A missing
file is caught before Qt sees it. A recording recorded on another booth is streamed from the
object store through a presigned URL (`load` takes a QUrl): seeking, chapters and captions
work on positions in ms, as for a file. That URL carries a signature, so no message shows
it. Shortcuts (space and K play/pause, arrows 5 s, J/L 10 s,
F full screen, M mute, C captions, Esc leaves full screen) work wherever the player is on
screen, except while someone types in a text field (which keeps its keys).

Captions are a strip under the picture, not drawn over it: QVideoWidget shows the video in
a native window of its own, which covers any widget laid over it (and a grab does not see
it), so a caption painted on top is there on one platform and gone on the next. The strip
sits on the player's dark screen, where the letterboxed picture's own black bar would be.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtMultimedia import QAudio, QMediaPlayer, QVideoSink
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.store.transcripts import Segment
from kiosk.ui.formatting import clock
from kiosk.ui.media_objects import audio_output, media_player
from kiosk.ui.recruiter.icons import player_icon
from kiosk.ui.recruiter.seek_bar import SeekBar
from kiosk.ui.recruiter.transcript_text import segment_at

SPEEDS = (0.5, 1.0, 1.25, 1.5, 2.0)
SKIP_MS = 5_000
JUMP_MS = 10_000
# A URL's query, which for a presigned URL holds the signature: cut from any message shown.
_URL_QUERY = re.compile(r"(https?://[^\s?'\"]*)\?[^\s'\"]*")


class RecordingPlayer(QWidget):
    playing_changed = Signal(bool)
    position_changed = Signal(int)
    captions_toggled = Signal(bool)  # by the person (button or C): theirs to remember

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("player")
        self._player = media_player(self)
        self._audio = audio_output(self)
        self._player.setAudioOutput(self._audio)
        self.video = QVideoWidget()
        self.video.setMinimumSize(320, 180)
        self._player.setVideoOutput(self.video)
        self._source: Path | QUrl | None = None  # a file here, or the store's copy
        self._watched = QElapsedTimer()
        self._watched_ms = 0
        self._segments: tuple[Segment, ...] = ()
        self._segment_starts: list[int] = []
        self._opened = False  # the file's first frame is decoded: a position set now holds
        self._start_at: int | None = None  # play from here once the file has opened

        self.caption = QLabel(objectName="caption", alignment=Qt.AlignmentFlag.AlignCenter)
        self.caption.setWordWrap(True)
        self.caption.setAccessibleName("Captions")
        self.caption.hide()
        self.picture = QWidget(objectName="playerPicture")
        picture = QVBoxLayout(self.picture)
        picture.setContentsMargins(0, 0, 0, 0)
        picture.setSpacing(0)
        picture.addWidget(self.video, stretch=1)
        picture.addWidget(self.caption)

        # Plain text: a message may hold a path, a booth's name or a server's words.
        self.message = QLabel(objectName="playerMessage", alignment=Qt.AlignmentFlag.AlignCenter,
                              textFormat=Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.screen_area = QStackedWidget(objectName="playerScreen")
        self.screen_area.addWidget(self.picture)
        self.screen_area.addWidget(self.message)

        self.seek_bar = SeekBar()
        self.play_button = self._tool_button("Play (space or K)", "play")
        self.time_label = QLabel("0:00 / 0:00", objectName="playerTime")
        self.speed = QComboBox(accessibleName="Playback speed")
        self.speed.setToolTip("Playback speed")
        for rate in SPEEDS:
            self.speed.addItem(f"{rate:g}x", rate)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.mute_button = self._tool_button("Mute (M)", "volume")
        self.mute_button.setCheckable(True)
        self.volume = QSlider(Qt.Orientation.Horizontal, accessibleName="Volume")
        self.volume.setRange(0, 100)
        self.volume.setValue(80)
        # Gives way first when the details pane is narrow (1280 px with long tab names).
        self.volume.setMinimumWidth(70)
        self.volume.setMaximumWidth(120)
        self.volume.setToolTip("Volume")
        self.captions_button = QToolButton(objectName="captionsButton", text="CC")
        self.captions_button.setCheckable(True)
        self.captions_button.setToolTip("Captions (C)")
        self.captions_button.setAccessibleName("Captions")
        self.full_screen_button = self._tool_button("Full screen (F)", "full_screen")

        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.play_button)
        buttons.addWidget(self.time_label)
        buttons.addStretch(1)
        buttons.addWidget(QLabel("Speed", objectName="muted"))
        buttons.addWidget(self.speed)
        buttons.addSpacing(8)
        buttons.addWidget(self.mute_button)
        buttons.addWidget(self.volume)
        buttons.addSpacing(8)
        buttons.addWidget(self.captions_button)
        buttons.addWidget(self.full_screen_button)
        self.controls = QWidget(objectName="playerControls")
        controls = QVBoxLayout(self.controls)
        controls.setContentsMargins(12, 4, 12, 8)
        controls.setSpacing(2)
        controls.addWidget(self.seek_bar)
        controls.addLayout(buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.screen_area, stretch=1)
        layout.addWidget(self.controls)

        self._player.durationChanged.connect(self._on_duration)
        self._player.positionChanged.connect(self._on_position)
        self._player.playbackStateChanged.connect(self._on_state)
        self._player.mediaStatusChanged.connect(self._on_status)
        self._player.errorOccurred.connect(self._on_error)
        self.seek_bar.seek_requested.connect(self.seek)
        self.play_button.clicked.connect(self.toggle_play)
        self.speed.currentIndexChanged.connect(
            lambda index: self._player.setPlaybackRate(SPEEDS[index]))
        self.mute_button.toggled.connect(self._set_muted)
        self.volume.valueChanged.connect(self._set_volume)
        self.full_screen_button.clicked.connect(self.toggle_full_screen)
        self.captions_button.toggled.connect(self._show_captions)
        # clicked, not toggled: a choice made by the person, not one restored for them.
        self.captions_button.clicked.connect(self.captions_toggled)
        self._set_volume(self.volume.value())
        for keys, action in (
            (("Space", "K"), self.toggle_play),
            (("Left",), lambda: self.skip(-SKIP_MS)), (("Right",), lambda: self.skip(SKIP_MS)),
            (("J",), lambda: self.skip(-JUMP_MS)), (("L",), lambda: self.skip(JUMP_MS)),
            (("F",), self.toggle_full_screen), (("M",), self.mute_button.toggle),
            (("C",), self.captions_button.click),
            (("Escape",), self.leave_full_screen),
        ):
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self)
                shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
                shortcut.activated.connect(action)
        self._enable_controls(False)

    # --- what the details pane asks --------------------------------------------------

    @property
    def media(self) -> QMediaPlayer:
        return self._player

    @property
    def video_sink(self) -> QVideoSink:
        return self.video.videoSink()

    @property
    def loaded(self) -> bool:
        return self._source is not None

    @property
    def position(self) -> int:
        return self._player.position()

    @property
    def captions_shown(self) -> bool:
        return self.captions_button.isChecked()

    def set_captions_shown(self, shown: bool) -> None:
        """Captions on or off as remembered (not a choice of the person's: no signal)."""
        self.captions_button.setChecked(shown)

    def set_captions(self, segments: Sequence[Segment]) -> None:
        """The lines to caption the recording with (none: the strip says why it is empty)."""
        self._segments = tuple(segments)
        self._segment_starts = [segment.start_ms for segment in self._segments]
        self._show_caption(self._player.position())

    @property
    def remote(self) -> bool:
        """Streamed from the object store, not read from a file here."""
        return isinstance(self._source, QUrl)

    def load(self, source: Path | QUrl, *, chapters: list[int], notes: list[int]) -> bool:
        """Show the recording's first frame, paused: a file here, or a URL it streams (the
        store's presigned copy). False (and a message) if the file is missing."""
        self.unload()
        if isinstance(source, Path) and not source.is_file():
            self.show_message(f"The recording file is missing.\n\n{source}\n\nIt may have "
                              f"been deleted or moved. IT can check the booth with “kiosk "
                              f"doctor”.")
            return False
        self._source = source
        self._watched_ms = 0
        self.seek_bar.set_marks(chapters, notes)
        self.screen_area.setCurrentWidget(self.picture)
        self.controls.show()
        self._enable_controls(True)
        self._player.setSource(source if isinstance(source, QUrl)
                               else QUrl.fromLocalFile(str(source)))
        self._player.pause()  # decodes and shows the first frame without starting
        return True

    def set_note_marks(self, chapters: list[int], notes: list[int]) -> None:
        self.seek_bar.set_marks(chapters, notes)

    def show_message(self, text: str) -> None:
        """Say something in place of the video (no recording, missing, cannot be played)."""
        self.unload()
        self.message.setText(text)
        self.screen_area.setCurrentWidget(self.message)
        self.controls.hide()  # nothing to play: no buttons that do nothing

    def unload(self) -> None:
        """Stop and let go of the file (the media backend keeps it open otherwise)."""
        self.leave_full_screen()
        self._player.stop()
        self._player.setSource(QUrl())
        self._source = None
        self._opened, self._start_at = False, None
        self.set_captions(())
        self.seek_bar.setRange(0, 0)
        self.seek_bar.set_marks([], [])
        self.time_label.setText("0:00 / 0:00")
        self._enable_controls(False)

    @property
    def watched_ms(self) -> int:
        """How long it has played since it was loaded, in milliseconds of wall time."""
        if self._watched.isValid():
            return self._watched_ms + self._watched.elapsed()
        return self._watched_ms

    # --- controls ------------------------------------------------------------------------

    def toggle_play(self) -> None:
        if not self.loaded:
            return
        if self._player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self._player.pause()
        else:
            self._player.play()

    def play(self) -> None:
        if self.loaded:
            self._player.play()

    def pause(self) -> None:
        if self.loaded:
            self._player.pause()

    def seek(self, ms: int) -> None:
        if not self.loaded:
            return
        duration = self._player.duration()
        target = max(0, min(int(ms), duration if duration > 0 else int(ms)))
        self._player.setPosition(target)
        if self._player.playbackState() == QMediaPlayer.PlaybackState.StoppedState:
            self._player.pause()  # after the end: show the frame there, ready to play on

    def play_from(self, ms: int) -> None:
        """Play from `ms`; just after `load`, as soon as the file has opened (until then,
        the backend's own pause for the first frame would undo a play)."""
        if not self.loaded:
            return
        if not self._opened:
            self._start_at = ms
            return
        self.seek(ms)
        self._player.play()

    def skip(self, delta_ms: int) -> None:
        self.seek(self._player.position() + delta_ms)

    def toggle_full_screen(self) -> None:
        if self.isWindow():
            self.leave_full_screen()
        elif self.loaded:
            self.setWindowFlag(Qt.WindowType.Window, True)
            self.showFullScreen()

    def leave_full_screen(self) -> None:
        if self.isWindow() and self.parentWidget() is not None:
            # Back into the details pane's layout, where it came from.
            self.setWindowFlag(Qt.WindowType.Window, False)
            self.show()

    # --- inside --------------------------------------------------------------------------

    @staticmethod
    def _tool_button(tip: str, icon: str) -> QToolButton:
        button = QToolButton()
        button.setIcon(player_icon(icon))
        button.setIconSize(QSize(26, 26))
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0])
        button.setObjectName("playerButton")
        return button

    def _enable_controls(self, enabled: bool) -> None:
        for widget in (self.seek_bar, self.play_button, self.speed, self.full_screen_button):
            widget.setEnabled(enabled)

    def _set_volume(self, value: int) -> None:
        # The slider reads as loudness; the output wants a linear factor.
        self._audio.setVolume(QAudio.convertVolume(value / 100,
                                                   QAudio.VolumeScale.LogarithmicVolumeScale,
                                                   QAudio.VolumeScale.LinearVolumeScale))

    def _set_muted(self, muted: bool) -> None:
        self._audio.setMuted(muted)
        self.mute_button.setIcon(player_icon("muted" if muted else "volume"))

    def _on_duration(self, duration: int) -> None:
        self.seek_bar.setRange(0, max(0, duration))
        self._show_time(self._player.position())

    def _on_position(self, position: int) -> None:
        if not self.seek_bar.isSliderDown():
            self.seek_bar.setValue(position)
        self._show_time(position)
        self._show_caption(position)
        self.position_changed.emit(position)

    def _show_time(self, position: int) -> None:
        self.time_label.setText(f"{clock(position)} / {clock(self._player.duration())}")

    def _on_state(self, state: QMediaPlayer.PlaybackState) -> None:
        playing = state == QMediaPlayer.PlaybackState.PlayingState
        if playing and not self._watched.isValid():
            self._watched.start()
        elif not playing and self._watched.isValid():
            self._watched_ms += self._watched.elapsed()
            self._watched.invalidate()
        self.play_button.setIcon(player_icon("pause" if playing else "play"))
        self.play_button.setToolTip("Pause (space or K)" if playing else "Play (space or K)")
        self.playing_changed.emit(playing)

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.InvalidMedia and self.loaded:
            self._cannot_play(self._player.errorString())
        elif status == QMediaPlayer.MediaStatus.BufferedMedia and not self._opened:
            self._opened = True
            if self._start_at is not None:
                start, self._start_at = self._start_at, None
                self.play_from(start)

    def _show_captions(self, shown: bool) -> None:
        self.caption.setVisible(shown)
        self._show_caption(self._player.position())

    def _show_caption(self, position: int) -> None:
        if not self.captions_button.isChecked():
            return
        waiting = not self._segments
        if waiting:
            text = "Captions appear here once the transcript is made."
        else:
            at = segment_at(self._segments, self._segment_starts, position)
            text = "" if at is None else self._segments[at].text
        if text != self.caption.text():
            self.caption.setText(text)
        if self.caption.property("waiting") != waiting:
            self.caption.setProperty("waiting", waiting)
            # The style's [waiting] rule is looked at again only when asked.
            self.caption.style().unpolish(self.caption)
            self.caption.style().polish(self.caption)

    def _on_error(self, error: QMediaPlayer.Error, message: str) -> None:
        if error != QMediaPlayer.Error.NoError and self.loaded:
            self._cannot_play(message)

    def _cannot_play(self, reason: str) -> None:
        why = _URL_QUERY.sub(r"\1", reason) or "unknown error"
        if self.remote:
            self.show_message(f"This recording cannot be played from the object store.\n\n"
                              f"{why}\n\nThe network or the store may be down: open it again "
                              f"in a moment. If it stays so, IT can check the store with "
                              f"“kiosk storage check”.")
            return
        name = self._source.name if isinstance(self._source, Path) else "The recording"
        self.show_message(f"This recording cannot be played.\n\n{name}: {why}\n\nThe file "
                          f"may be damaged or incomplete. IT can check the booth with "
                          f"“kiosk doctor”.")
