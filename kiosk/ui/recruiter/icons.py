"""The player's icons, drawn in the light colour of its dark control strip.

The style's standard media icons are dark glyphs meant for light buttons: on the player's
dark strip they all but disappear. These are plain shapes, sharp at any size.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

SIZE = 64  # drawn large, shown smaller: Qt scales an icon down cleanly
INK = QColor("#f4f1ea")


@cache
def player_icon(name: str) -> QIcon:
    pixmap = QPixmap(SIZE, SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(INK)
        _SHAPES[name](painter)
    finally:
        painter.end()
    return QIcon(pixmap)


def _pen(width: float) -> QPen:
    pen = QPen(INK, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _play(p: QPainter) -> None:
    path = QPainterPath(QPointF(18, 10))
    path.lineTo(54, 32)
    path.lineTo(18, 54)
    path.closeSubpath()
    p.drawPath(path)


def _pause(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(15, 10, 12, 44), 3, 3)
    p.drawRoundedRect(QRectF(37, 10, 12, 44), 3, 3)


def _speaker(p: QPainter) -> None:
    path = QPainterPath(QPointF(8, 24))
    for x, y in ((20, 24), (34, 10), (34, 54), (20, 40), (8, 40)):
        path.lineTo(x, y)
    path.closeSubpath()
    p.drawPath(path)


def _volume(p: QPainter) -> None:
    _speaker(p)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(_pen(4))
    p.drawArc(QRectF(28, 20, 16, 24), -50 * 16, 100 * 16)
    p.drawArc(QRectF(28, 12, 28, 40), -50 * 16, 100 * 16)


def _muted(p: QPainter) -> None:
    _speaker(p)
    p.setPen(_pen(5))
    p.drawLine(QPointF(42, 24), QPointF(56, 40))
    p.drawLine(QPointF(56, 24), QPointF(42, 40))


def _full_screen(p: QPainter) -> None:
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(_pen(5))
    for (x, y), (dx, dy) in (((10, 10), (1, 1)), ((54, 10), (-1, 1)), ((10, 54), (1, -1)),
                             ((54, 54), (-1, -1))):
        path = QPainterPath(QPointF(x, y + 14 * dy))
        path.lineTo(x, y)
        path.lineTo(x + 14 * dx, y)
        p.drawPath(path)


_SHAPES = {"play": _play, "pause": _pause, "volume": _volume, "muted": _muted,
           "full_screen": _full_screen}
