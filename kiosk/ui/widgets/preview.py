"""The candidate's own picture: the newest camera frame, mirrored, at most 30 times a second.

It pulls the newest frame when its timer fires (latest wins): it never queues frames, and a
slow paint only skips pictures, never slows the recording, which reads its own feed. It is
as tall as the picture at its width (heightForWidth), so what a screen puts under it (the
microphone's meter) sits under the picture, not under empty space.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
from PySide6.QtCore import QEvent, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.capture.frames import VideoFrame

MAX_FPS = 30
BACKGROUND = QColor("#2b3440")
CORNER_RADIUS = 16


class CameraPreview(QWidget):
    def __init__(self, latest: Callable[[], VideoFrame | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._latest = latest
        self._shown: VideoFrame | None = None
        self._image: QImage | None = None
        self._aspect = 16 / 9  # the camera's, once a frame says
        self.frames_shown = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(self.tr("Your camera picture"))
        self._timer = QTimer(self, interval=1000 // MAX_FPS)
        self._timer.timeout.connect(self.pull)

    def sizeHint(self) -> QSize:
        return QSize(640, 360)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return round(width / self._aspect)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.setAccessibleName(self.tr("Your camera picture"))
        super().changeEvent(event)

    def showEvent(self, event) -> None:
        self._timer.start()
        self.pull()
        super().showEvent(event)

    def hideEvent(self, event) -> None:
        self._timer.stop()
        super().hideEvent(event)

    @property
    def shown_frame(self) -> VideoFrame | None:
        return self._shown

    @property
    def shown_image(self) -> QImage | None:
        """What is painted: the newest frame, scaled and mirrored."""
        return self._image

    def clear(self) -> None:
        self._shown, self._image = None, None
        self.update()

    def pull(self) -> None:
        frame = self._latest()
        if frame is None or frame is self._shown:
            return
        self._shown = frame
        aspect = frame.image.shape[1] / max(1, frame.image.shape[0])
        if abs(aspect - self._aspect) > 0.01:
            self._aspect = aspect
            self.updateGeometry()
        target = self._target_size(frame.image.shape[1], frame.image.shape[0])
        if target.isEmpty():
            return
        # Scale before mirroring and wrapping: a 720p frame becomes preview-sized at once.
        # INTER_AREA is the clean way to shrink a lot, but costs eight times as much (4 ms a
        # 720p frame); to more than half size, linear looks the same on a live preview.
        shrinks_a_lot = frame.image.shape[1] >= 2 * target.width()
        small = cv2.resize(frame.image, (target.width(), target.height()),
                           interpolation=cv2.INTER_AREA if shrinks_a_lot else cv2.INTER_LINEAR)
        mirrored = cv2.flip(small, 1)  # like a mirror; the recording is not flipped
        height, width = mirrored.shape[:2]
        self._image = QImage(mirrored.data, width, height, mirrored.strides[0],
                             QImage.Format.Format_BGR888).copy()
        self.frames_shown += 1
        self.update()

    def _target_size(self, width: int, height: int) -> QSize:
        ratio = self.devicePixelRatioF()
        return QSize(width, height).scaled(self.size() * ratio,
                                           Qt.AspectRatioMode.KeepAspectRatio)

    def paintEvent(self, event: QPaintEvent) -> None:
        paint_frame(self, self._image)


def paint_frame(widget: QWidget, image: QImage | None) -> tuple[QPainter, QRectF]:
    """Paint `image` as the live preview shows a picture: scaled to fit, top-aligned (level
    with the text beside it), centred across, with rounded corners; the dark background
    alone while there is none. Returns the painter, clipped to the picture, and its area,
    for what is drawn over it."""
    painter = QPainter(widget)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if image is None:
        area = QRectF(widget.rect())
    else:
        size = image.size().scaled(widget.size(), Qt.AspectRatioMode.KeepAspectRatio)
        area = QRectF((widget.width() - size.width()) / 2, 0, size.width(), size.height())
    path = QPainterPath()
    path.addRoundedRect(area, CORNER_RADIUS, CORNER_RADIUS)
    painter.setClipPath(path)
    painter.fillRect(area, BACKGROUND)
    if image is not None:
        painter.drawImage(area, image)
    return painter, area
