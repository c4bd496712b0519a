"""Text on the candidate's screens that can never make a window wider than it was given.

A word-wrapped QLabel breaks lines only between words, so one long word (an e-mail address
typed as a name, a web address in a question) is the label's minimum width, and so that of
every layout and window around it: with no window manager to pull it back, the window grows
to fit it and stays so. TextLabel breaks inside a word only where the word is wider than the
line, and can stop after a few lines with an ellipsis (a name in a headline), so the space it
is given sets its size, never the other way round. TextField is the one-line field a
candidate types in.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QPainter, QPaintEvent, QTextLayout, QTextOption
from PySide6.QtWidgets import QLabel, QLineEdit, QStyle, QWidget

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# Without a width of its own a label offers about this many characters in one line (its
# size hint); the layout may give it any width down to a few characters.
PREFERRED_CHARACTERS, FEWEST_CHARACTERS = 60, 4
_CACHED_LAYOUTS = 8


class TextLabel(QLabel):
    """Plain text, wrapped to the width it is given, breaking a too-long word anywhere;
    with `max_lines`, the rest of the text after that many lines is elided ("…").

    It paints the text itself (QLabel's own painting wraps only at word boundaries); the
    frame, the stylesheet's box and the alignment are QLabel's. `text()` is the text as set.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None, *,
                 max_lines: int = 0) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)  # also marks the size policy as height-for-width
        self._max_lines = max_lines
        self._layouts: dict[tuple[str, str, int, bool, int], list[str]] = {}

    @property
    def max_lines(self) -> int:
        """0: every line of the text is shown; else at most that many, then "…"."""
        return self._max_lines

    def lines_at(self, width: int) -> list[str]:
        """The lines shown when the text has `width` pixels: wrapped, the last one elided if
        the text goes on past `max_lines` (or, unwrapped, past the width)."""
        self.ensurePolished()
        font = self.font()
        key = (self.text(), font.key(), max(1, width), self.wordWrap(), self._max_lines)
        cached = self._layouts.get(key)
        if cached is None:
            cached = self._lay_out(key[0], key[2])
            if len(self._layouts) >= _CACHED_LAYOUTS:
                self._layouts.clear()
            self._layouts[key] = cached
        return cached

    def _lay_out(self, text: str, width: int) -> list[str]:
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere
                           if self.wordWrap() else QTextOption.WrapMode.NoWrap)
        # (paragraph, where its line starts): the last line shown may need the rest of it.
        starts: list[tuple[str, int]] = []
        lines: list[str] = []
        for paragraph in text.split("\n"):
            layout = QTextLayout(paragraph, self.font())
            layout.setTextOption(option)
            layout.beginLayout()
            made = len(lines)
            while True:
                line = layout.createLine()
                if not line.isValid():
                    break
                line.setLineWidth(width)
                start, length = line.textStart(), line.textLength()
                starts.append((paragraph, start))
                lines.append(paragraph[start:start + length].rstrip())
            layout.endLayout()
            if len(lines) == made:  # an empty line between paragraphs still takes its height
                starts.append((paragraph, 0))
                lines.append("")
        metrics = self.fontMetrics()
        elide = Qt.TextElideMode.ElideRight
        if self._max_lines and len(lines) > self._max_lines:
            paragraph, start = starts[self._max_lines - 1]
            lines = lines[:self._max_lines]
            # The rest of the text does not fit: what fits of it, then "…".
            lines[-1] = metrics.elidedText(paragraph[start:].rstrip() + " …", elide, width)
        return [metrics.elidedText(line, elide, width)
                if metrics.horizontalAdvance(line) > width else line for line in lines]

    def _margins(self) -> tuple[int, int, int, int]:
        # A QFrame keeps its frame (a stylesheet's border and padding) in its contents
        # margins; inside a frame QLabel indents by half an "x", and so does this.
        inner, pad = self.contentsMargins(), self.margin()
        indent = self.fontMetrics().horizontalAdvance("x") // 2 if self.frameWidth() else 0
        return (inner.left() + pad + indent, inner.top() + pad,
                inner.right() + pad + indent, inner.bottom() + pad)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        left, top, right, bottom = self._margins()
        lines = len(self.lines_at(width - left - right)) if self.text() else 1
        return lines * self.fontMetrics().lineSpacing() + top + bottom

    def sizeHint(self) -> QSize:
        self.ensurePolished()
        left, _top, right, _bottom = self._margins()
        metrics = self.fontMetrics()
        longest = max((metrics.horizontalAdvance(line) for line in self.text().split("\n")),
                      default=0)
        width = min(longest, metrics.averageCharWidth() * PREFERRED_CHARACTERS) + left + right
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        self.ensurePolished()
        left, top, right, bottom = self._margins()
        metrics = self.fontMetrics()
        width = min(self.sizeHint().width(),
                    metrics.averageCharWidth() * FEWEST_CHARACTERS + left + right)
        return QSize(width, metrics.lineSpacing() + top + bottom)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.drawFrame(painter)
        left, top, right, bottom = self._margins()
        area = self.rect().adjusted(left, top, -right, -bottom)
        lines = self.lines_at(area.width())
        spacing = self.fontMetrics().lineSpacing()
        alignment = self.alignment()
        top = area.top()
        if alignment & Qt.AlignmentFlag.AlignVCenter:
            top += (area.height() - len(lines) * spacing) // 2
        elif alignment & Qt.AlignmentFlag.AlignBottom:
            top += area.height() - len(lines) * spacing
        # Left is the start of a line: the right in a right-to-left language.
        across = QStyle.visualAlignment(self.layoutDirection(), alignment
                                        ) & Qt.AlignmentFlag.AlignHorizontal_Mask
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.setFont(self.font())
        for n, line in enumerate(lines):
            painter.drawText(QRect(area.left(), top + n * spacing, area.width(), spacing),
                             across | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextSingleLine,
                             line)


class TextField(QLineEdit):
    """The candidate's one-line text field (their name).

    Enter acts once, when it is let go, like the kiosk's buttons: the key that sends the
    candidate on is over before the next screen is there, and one held down (repeating)
    acts once. There is no Cut/Copy/Paste menu, by mouse or by the menu key.
    """

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)
        self._enter_down = False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in ENTER_KEYS:
            if not event.isAutoRepeat():
                self._enter_down = True
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() in ENTER_KEYS:
            event.accept()
            if not event.isAutoRepeat() and self._enter_down:
                self._enter_down = False
                self.submitted.emit()
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._enter_down = False  # a press the field never saw let go of
        super().focusOutEvent(event)
