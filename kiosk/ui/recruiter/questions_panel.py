"""The questions of an interview, each a jump to its answer, with 1-5 ratings."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.store.review import SessionReview
from kiosk.ui.formatting import clock
from kiosk.ui.recruiter.rating import StarRating


class QuestionsPanel(QScrollArea):
    """`jump(ms)` when a question is chosen; `rated(question_index or None, score)`."""

    jump = Signal(int)
    rated = Signal(object, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("questionsPanel")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Never sideways: the texts wrap to the panel's width instead.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.jump_buttons: list[QPushButton] = []
        self.ratings: dict[int | None, StarRating] = {}
        self._mean_labels: dict[int | None, QLabel] = {}

    def set_review(self, review: SessionReview, operator_id: int, *, playable: bool,
                   rateable: bool) -> None:
        page = QWidget(objectName="panelPage")
        grid = QGridLayout(page)
        grid.setContentsMargins(4, 8, 8, 8)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(14)
        grid.setColumnStretch(1, 1)
        self.jump_buttons, self.ratings, self._mean_labels = [], {}, {}

        grid.addWidget(QLabel("Overall", objectName="strong"), 0, 0)
        grid.addLayout(self._rating_row(None, review, operator_id, "Overall rating"), 0, 1)
        questions = review.data["questions"]
        if not questions:
            grid.addWidget(QLabel("No questions were recorded.", objectName="muted"), 1, 0, 1, 2)
        for row, question in enumerate(questions, start=1):
            number = question["index"] + 1
            button = QPushButton(clock(question["start_ms"]), objectName="jumpButton")
            button.setToolTip(f"Play the answer to question {number}")
            button.setAccessibleName(f"Jump to question {number}")
            button.setAutoDefault(True)  # Enter presses it, for keyboard-only use
            button.setEnabled(playable)
            button.clicked.connect(lambda _=False, ms=question["start_ms"]: self.jump.emit(ms))
            self.jump_buttons.append(button)
            text = QLabel(f"<b>{number}.</b> {_escape(question['question'])}",
                          objectName="questionText")
            text.setWordWrap(True)
            text.setTextFormat(Qt.TextFormat.RichText)
            # The rating sits under its question, so the text keeps the panel's width.
            cell = QVBoxLayout()
            cell.setSpacing(4)
            cell.addWidget(text)
            cell.addLayout(self._rating_row(question["index"], review, operator_id,
                                            f"Rating of question {number}"))
            grid.addWidget(button, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addLayout(cell, row, 1)
        grid.setRowStretch(max(2, len(questions) + 1), 1)
        for stars in self.ratings.values():
            stars.setEnabled(rateable)
        self.setWidget(page)

    def show_means(self, review: SessionReview) -> None:
        """After a rating changed: everyone's mean, as it now stands."""
        for index, label in self._mean_labels.items():
            label.setText(_mean_text(*review.mean_rating(index)))

    def _rating_row(self, index: int | None, review: SessionReview, operator_id: int,
                    name: str) -> QHBoxLayout:
        stars = StarRating(name)
        stars.set_score(review.my_rating(operator_id, index))
        stars.rated.connect(lambda score, i=index: self.rated.emit(i, score))
        mean, count = review.mean_rating(index)
        mean_label = QLabel(_mean_text(mean, count), objectName="muted")
        mean_label.setToolTip("The mean of everyone's ratings, and how many there are")
        self.ratings[index] = stars
        self._mean_labels[index] = mean_label
        row = QHBoxLayout()
        row.setSpacing(12)
        row.addWidget(stars)
        row.addWidget(mean_label)
        row.addStretch(1)
        return row


def _mean_text(mean: float | None, count: int) -> str:
    if mean is None:
        return "not rated yet"
    return f"mean {mean:.1f} ({count})"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
