"""One session in full: the "Interview Recording" section with the player, its questions,
transcript, notes and ratings, who watched it, export, and (for admins) deletion.

Under the candidate's name: the accommodations they were given (extra time, extra retakes,
aids) and the language they took the interview in, so a longer answer, a retake or an
answer in Spanish is read for what it is.

The recording plays from this booth's file, or, for one recorded on another booth sharing
the database, streamed from the object store once it is uploaded (kiosk.storage.playback
says which, or why neither).
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from kiosk.accommodations import Accommodations
from kiosk.config import Settings, StorageSettings
from kiosk.errors import KioskError, NotFoundError
from kiosk.storage.playback import RecordingSource, recording_source
from kiosk.storage.s3 import make_client
from kiosk.store.database import Database
from kiosk.store.deletion import delete_session
from kiosk.store.export import ExportResult
from kiosk.store.models import SessionStatus
from kiosk.store.operators import SignedInOperator
from kiosk.store.review import (
    SessionReview,
    add_note,
    delete_note,
    edit_note,
    load_review,
    set_rating,
    start_view,
    update_view,
)
from kiosk.store.transcripts import Transcript, load_transcript
from kiosk.ui.formatting import (
    NO_VALUE,
    clock,
    file_size,
    incident,
    local_datetime,
    status_text,
    watched,
)
from kiosk.ui.i18n import language_name
from kiosk.ui.recruiter.confirm_bar import confirm_bar
from kiosk.ui.recruiter.export_dialog import ExportDialog
from kiosk.ui.recruiter.export_job import ExportJob
from kiosk.ui.recruiter.notes_panel import NotesPanel
from kiosk.ui.recruiter.player import RecordingPlayer
from kiosk.ui.recruiter.preferences import captions_shown, remember_captions
from kiosk.ui.recruiter.questions_panel import QuestionsPanel
from kiosk.ui.recruiter.transcript_panel import TranscriptPanel

# How often the time watched is saved while a recording is open (a crash loses no more).
VIEW_SAVE_MS = 30_000
# How often a transcript still being made is looked for (it appears without reopening).
TRANSCRIPT_POLL_MS = 2_000

NOTHING_RECORDED = {
    SessionStatus.SCHEDULED: "Nothing has been recorded yet: this candidate is scheduled and "
                             "has not started the interview.",
    SessionStatus.IN_PROGRESS: "This interview is still going on. Its recording appears here "
                               "as soon as the candidate has finished.",
    SessionStatus.RECORDING: "This interview is being recorded right now. Its recording "
                             "appears here as soon as the candidate has finished.",
    SessionStatus.MERGING: "This interview is being finished. Its recording appears here in "
                           "a moment.",
    SessionStatus.DECLINED: "The candidate did not give consent, so nothing was recorded.",
    SessionStatus.FAILED: "The recording of this interview failed; nothing could be kept.",
}


class DetailsPane(QWidget):
    back = Signal()
    changed = Signal(str)  # a rating or note changed: the list should show it
    deleted = Signal(str, str)  # the session, and what went wrong with its files ("" if nothing)
    busy_changed = Signal(bool)  # playing or exporting: the view must not lock itself

    def __init__(self, settings: Settings, db: Database, operator: SignedInOperator,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("details")
        self._settings, self._db, self._operator = settings, db, operator
        self.session_id: str | None = None
        self.review: SessionReview | None = None
        self._view_id: int | None = None
        self.export_job: ExportJob | None = None
        self._playing = False
        self._pending_confirm = None
        self._transcript: Transcript | None = None
        self.source: RecordingSource | None = None  # where the open recording plays from
        # Made on the first interview streamed from the store and kept: boto3 loads once.
        self._storage_client: Any = None

        self.back_button = QPushButton("\u2039  All interviews", objectName="backButton")
        self.back_button.setToolTip("Back to the list (Alt+Left)")
        self.back_button.setAutoDefault(True)
        self.name_label = QLabel(objectName="candidateName")
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sub_label = QLabel(objectName="muted")
        self.fairness_label = QLabel(objectName="fairness", textFormat=Qt.TextFormat.PlainText)
        self.fairness_label.setWordWrap(True)
        self.fairness_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_button = QPushButton("Export…", objectName="primary")
        self.export_button.setToolTip("Copy the recording and its notes to a folder or a stick")
        self.export_button.setAutoDefault(True)
        self.delete_button = QPushButton("Delete…", objectName="danger")
        self.delete_button.setAutoDefault(True)
        self.delete_button.setVisible(operator.is_admin)

        self.confirm_bar, self.confirm_text, self.confirm_yes, self.confirm_no = confirm_bar()
        self.export_bar = QFrame(objectName="exportBar")
        self.export_text = QLabel()
        self.export_text.setWordWrap(True)
        self.export_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_progress = QProgressBar()
        self.export_progress.setRange(0, 1000)
        self.export_progress.setTextVisible(False)
        self.export_cancel = QPushButton("Cancel")
        self.export_close = QPushButton("Close")
        export_layout = QHBoxLayout(self.export_bar)
        export_layout.addWidget(self.export_text, stretch=2)
        export_layout.addWidget(self.export_progress, stretch=1)
        export_layout.addWidget(self.export_cancel)
        export_layout.addWidget(self.export_close)
        self.export_bar.hide()

        self.player = RecordingPlayer()
        self.player.set_captions_shown(captions_shown(settings))
        # Plain text: it holds names from the database (a file's, a booth's), never markup.
        self.meta_label = QLabel(objectName="muted", textFormat=Qt.TextFormat.PlainText)
        self.meta_label.setWordWrap(True)
        self.meta_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # What went wrong while it was recorded, so a gap or a frozen picture is explained.
        self.incidents_label = QLabel(objectName="notice")
        self.incidents_label.setWordWrap(True)
        self.incidents_label.hide()
        self.questions = QuestionsPanel()
        self.transcript = TranscriptPanel()
        self.notes = NotesPanel()
        self.views = QListWidget(objectName="viewsList")
        self.views.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.views.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.views.setWordWrap(True)
        self.views.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.views.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.views.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.tabs = QTabWidget(objectName="detailsTabs")
        # Every tab in sight, never behind scroll arrows: the tabs take the room their names
        # need (and the questions with their stars then fit too), the player the rest.
        self.tabs.setUsesScrollButtons(False)
        self.tabs.addTab(self.questions, "Questions")
        self.tabs.addTab(self.transcript, "Transcript")
        self.tabs.addTab(self.notes, "Notes")
        self.tabs.addTab(self.views, "Views")

        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.name_label)
        names.addWidget(self.sub_label)
        names.addSpacing(6)
        # The column's width, not its own: a word-wrapped label aligned shrinks to a stub.
        names.addWidget(self.fairness_label)
        header = QHBoxLayout()
        header.setSpacing(16)
        header.addWidget(self.back_button, alignment=Qt.AlignmentFlag.AlignTop)
        header.addLayout(names, stretch=1)
        header.addWidget(self.export_button)
        header.addWidget(self.delete_button)

        section = QVBoxLayout()
        section.setSpacing(8)
        section.addWidget(QLabel("Interview Recording", objectName="sectionTitle"))
        section.addWidget(self.player, stretch=1)
        section.addWidget(self.meta_label)
        section.addWidget(self.incidents_label)
        body = QHBoxLayout()
        body.setSpacing(20)
        body.addLayout(section, stretch=3)
        body.addWidget(self.tabs, stretch=2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addLayout(header)
        layout.addWidget(self.confirm_bar)
        layout.addWidget(self.export_bar)
        layout.addLayout(body, stretch=1)

        self._save_timer = QTimer(self)
        self._save_timer.setInterval(VIEW_SAVE_MS)
        self._save_timer.timeout.connect(self._save_view)
        self._transcript_timer = QTimer(self)
        self._transcript_timer.setInterval(TRANSCRIPT_POLL_MS)
        self._transcript_timer.timeout.connect(self._show_transcript)

        self.back_button.clicked.connect(self.back)
        back_key = QShortcut(QKeySequence("Alt+Left"), self)
        back_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        back_key.activated.connect(self.back)
        self.export_button.clicked.connect(self._choose_export_folder)
        self.delete_button.clicked.connect(self._ask_delete)
        self.confirm_yes.clicked.connect(self._confirmed)
        self.confirm_no.clicked.connect(self._hide_confirm)
        self.export_cancel.clicked.connect(self._cancel_export)
        self.export_close.clicked.connect(self.export_bar.hide)
        self.player.position_changed.connect(self.notes.set_position)
        self.player.position_changed.connect(self.transcript.set_position)
        self.player.captions_toggled.connect(lambda shown: remember_captions(settings, shown))
        self.transcript.seek.connect(self.player.seek)
        self.player.playing_changed.connect(self._on_playing)
        self.questions.jump.connect(self.jump_to)
        self.questions.rated.connect(self._rate)
        self.notes.jump.connect(self.jump_to)
        self.notes.add_requested.connect(self._add_note)
        self.notes.edit_requested.connect(self._edit_note)
        self.notes.delete_requested.connect(self._ask_delete_note)

    # --- what the view asks --------------------------------------------------------------

    def show_session(self, session_id: str) -> None:
        """Load a session and its recording (paused on the first frame)."""
        self.close_session()
        self.session_id = session_id
        self._hide_confirm()
        self.export_bar.hide()
        review = self._reload()
        data = review.data
        self.name_label.setText(data["candidate_name"])
        status = SessionStatus(data["status"])
        position = data["position"] or "No position given"
        said = status_text(status, ended_early=data["ended_early"],
                           answered=data["questions_answered"], total=data["questions_total"])
        self.sub_label.setText(f"{position}  ·  {said}")
        self.fairness_label.setText(fairness_text(data))
        playable = False
        if data["recording_error"]:
            self.player.show_message(f"This recording cannot be shown.\n\n"
                                     f"{data['recording_error']}")
        elif not data["recording_video"]:
            self.player.show_message(NOTHING_RECORDED.get(
                status, "No recording is stored for this interview."))
        else:
            self.source = recording_source(self._db, self._settings, session_id,
                                           client_for=self._client_for)
            if self.source.path is not None:
                playable = self.player.load(self.source.path, chapters=self._chapters(),
                                            notes=self._note_times())
            elif self.source.url is not None:
                # Strict: the URL as signed, byte for byte (a re-encoded one is refused).
                url = QUrl.fromEncoded(self.source.url.encode(), QUrl.ParsingMode.StrictMode)
                playable = self.player.load(url, chapters=self._chapters(),
                                            notes=self._note_times())
            else:
                self.player.show_message(self.source.reason)
        # An export copies the file byte for byte and checks the copy against it; one only
        # in the bucket is downloaded (and checked) first.
        self.export_button.setEnabled(playable)
        self.notes.set_recording_available(playable)
        # A rating is of something recorded (even if its file is gone now).
        self.questions.set_review(review, self._operator.id, playable=playable,
                                  rateable=bool(data["recording_video"]))
        self._show_meta(data)
        self._show_transcript()
        if playable:
            self._view_id = start_view(self._db, session_id, self._operator)
            self._save_timer.start()
            self._reload()  # the history now includes this opening

    def close_session(self) -> None:
        """Stop playing, save how long it was watched, and let go of the file."""
        self._save_view()
        self._save_timer.stop()
        self._transcript_timer.stop()
        self._transcript = None
        self.transcript.show_nothing()
        self._view_id = None
        self.player.unload()
        self.session_id = None
        self.source = None

    def jump_to(self, ms: int) -> None:
        self.player.seek(ms)
        self.player.video.setFocus()

    def play_moment(self, ms: int, words: str = "") -> None:
        """Play from `ms`, with the transcript in view (`words` found in it, marked)."""
        self.tabs.setCurrentWidget(self.transcript)
        self.transcript.search.setText(words)
        self.player.play_from(ms)

    def export_to(self, folder: Path) -> ExportJob | None:
        """Start exporting the open session into `folder`; the job, to follow it."""
        if self.session_id is None or (self.export_job and self.export_job.isRunning()):
            return None
        job = ExportJob(self._db, self._settings, self.session_id, folder,
                        self._operator.name, self)
        job.progress.connect(self._export_progress)
        job.exported.connect(self._exported)
        job.failed.connect(self._export_failed)
        job.finished.connect(lambda: self.busy_changed.emit(self._playing))
        self.export_job = job
        self.export_text.setText(f"Exporting to {folder}…")
        self.export_progress.setValue(0)
        self.export_progress.show()
        self.export_cancel.show()
        self.export_close.hide()
        self.export_bar.show()
        self.busy_changed.emit(True)
        job.start()
        return job

    def shutdown(self) -> None:
        """Before the view goes: no export thread, no open file, the watch time saved."""
        if self.export_job is not None and self.export_job.isRunning():
            self.export_job.stop()
        self.close_session()

    # --- inside: loading -------------------------------------------------------------------

    def _reload(self) -> SessionReview:
        assert self.session_id is not None
        self.review = load_review(self._db, self.session_id, self._settings.recordings_dir)
        self.notes.set_notes(self.review.notes, self._operator.id)
        self._show_views()
        return self.review

    def _show_transcript(self) -> None:
        """Show the transcript as it now stands; look again later until it is done."""
        if self.session_id is None:
            return
        try:
            transcript = load_transcript(self._db, self.session_id)
        except SQLAlchemyError as exc:  # the database went away: try again at the next look
            print(f"kiosk: the transcript could not be read: {exc}", file=sys.stderr)
            if not self._transcript_timer.isActive():
                self._transcript_timer.start()
            return
        if transcript != self._transcript:
            self._transcript = transcript
            questions = ({q["index"]: q["question"] for q in self.review.data["questions"]}
                         if self.review else {})
            self.transcript.set_transcript(transcript, questions)
            self.player.set_captions(transcript.segments)
            self.transcript.set_position(self.player.position)
        if transcript.done:
            self._transcript_timer.stop()
        elif not self._transcript_timer.isActive():
            self._transcript_timer.start()

    def _client_for(self, storage: StorageSettings) -> Any:
        if self._storage_client is None:
            self._storage_client = make_client(storage)
        return self._storage_client

    def _chapters(self) -> list[int]:
        return [q["start_ms"] for q in self.review.data["questions"]] if self.review else []

    def _note_times(self) -> list[int]:
        return [n.time_ms for n in self.review.notes] if self.review else []

    def _show_meta(self, data: dict) -> None:
        said = [incident(found) for found in data["incidents"]]
        self.incidents_label.setText("\n".join(said))
        self.incidents_label.setVisible(bool(said))
        if not data["recording_video"]:
            self.meta_label.setText(f"Session created {local_datetime(_dt(data['created_at']))}")
            return
        where = data["file_name"] or data["recording_video"]
        source = self.source
        if source is not None and source.remote:
            where += (f", in the object store (recorded on booth {source.booth_name})"
                      if source.booth_name else ", in the object store")
        elif (source is not None and not source.playable and source.booth_name
              and source.booth_name != self._settings.booth_name):
            where += f", on booth {source.booth_name}"
        parts = [f"Recorded {local_datetime(_dt(data['recording_created_at']))}",
                 f"{clock(data['duration_ms'])} long", file_size(data["file_size"]), where]
        self.meta_label.setText("  ·  ".join(parts))

    def _show_views(self) -> None:
        self.views.clear()
        if self.review is None:
            return
        for view in self.review.views:
            self.views.addItem(f"{view.operator_name}  ·  watched {watched(view.watched_ms)}\n"
                               f"{local_datetime(view.opened_at)}")
        if not self.review.views:
            self.views.addItem("Nobody has opened this recording yet.")
        self.tabs.setTabText(self.tabs.indexOf(self.views), f"Views ({len(self.review.views)})")

    def _save_view(self) -> None:
        if self._view_id is not None:
            try:
                update_view(self._db, self._view_id, self.player.watched_ms)
            except SQLAlchemyError as exc:  # the database went away: keep the screen going
                print(f"kiosk: the time watched could not be saved: {exc}", file=sys.stderr)

    def _on_playing(self, playing: bool) -> None:
        self._playing = playing
        running = self.export_job is not None and self.export_job.isRunning()
        self.busy_changed.emit(playing or running)
        if not playing:
            self._save_view()

    # --- inside: notes and ratings -----------------------------------------------------

    def _add_note(self, text: str) -> None:
        if self.session_id is None or not self.player.loaded:
            return
        self._store(lambda: add_note(self._db, self.session_id, self._operator,
                                     self.player.position, text))

    def _edit_note(self, note_id: int, text: str) -> None:
        self._store(lambda: edit_note(self._db, note_id, self._operator, text))

    def _ask_delete_note(self, note_id: int) -> None:
        note = next((n for n in self.review.notes if n.id == note_id), None) if self.review \
            else None
        if note is None:
            return
        self._ask(f"Delete your note at {clock(note.time_ms)}?", "Delete note",
                  lambda: self._store(lambda: delete_note(self._db, note_id, self._operator)))

    def _store(self, change) -> None:
        try:
            change()
        except KioskError as exc:
            self.notes.show_error(str(exc))
            return
        self.notes.clear_entry()
        self._reload()
        self.player.set_note_marks(self._chapters(), self._note_times())
        self.changed.emit(self.session_id)

    def _rate(self, question_index: int | None, score: int) -> None:
        if self.session_id is None:
            return
        try:
            set_rating(self._db, self.session_id, self._operator, question_index, score)
        except KioskError as exc:
            self.notes.show_error(str(exc))
            return
        self.review = load_review(self._db, self.session_id, self._settings.recordings_dir)
        self.questions.show_means(self.review)
        self.changed.emit(self.session_id)

    # --- inside: export and deletion -------------------------------------------------------

    def _choose_export_folder(self) -> None:
        dialog = ExportDialog(self)
        try:
            if dialog.exec() == ExportDialog.DialogCode.Accepted and dialog.folder is not None:
                self.export_to(dialog.folder)
        finally:
            dialog.deleteLater()

    def _export_progress(self, done: int, total: int) -> None:
        self.export_progress.setValue(round(1000 * done / total) if total else 0)

    def _exported(self, result: ExportResult) -> None:
        self.export_text.setText(f"Exported and verified: {result.video.name} and "
                                 f"{result.sidecar.name} in {result.video.parent}")
        self._export_done()

    def _export_failed(self, message: str) -> None:
        self.export_text.setText(message)
        self._export_done()

    def _export_done(self) -> None:
        self.export_progress.hide()
        self.export_cancel.hide()
        self.export_close.show()

    def _cancel_export(self) -> None:
        if self.export_job is not None:
            self.export_job.cancel()

    def _ask_delete(self) -> None:
        if self.review is None or not self._operator.is_admin:
            return
        name = self.review.data["candidate_name"]
        self._ask(f"Delete the interview of {name}, its recording, notes and ratings for "
                  f"good? This cannot be undone.", "Delete for good", self._delete)

    def _delete(self) -> None:
        session_id = self.session_id
        if session_id is None:
            return
        self.close_session()
        try:
            delete_session(self._db, self._settings, session_id,
                           deleted_by=self._operator.name)
        except KioskError as exc:
            try:
                self.show_session(session_id)
            except NotFoundError:  # the rows went; only its folder stayed behind
                self.deleted.emit(session_id, str(exc))
                return
            self._ask(str(exc), "", None)
            return
        self.deleted.emit(session_id, "")

    def _ask(self, question: str, confirm: str, action) -> None:
        """The inline confirmation (no dialog to hunt for on a touch screen)."""
        self.confirm_text.setText(question)
        self.confirm_yes.setText(confirm)
        self.confirm_yes.setVisible(action is not None)
        self.confirm_no.setText("Keep it" if action is not None else "OK")
        self._pending_confirm = action
        self.confirm_bar.show()
        self.confirm_no.setFocus()

    def _confirmed(self) -> None:
        action, self._pending_confirm = self._pending_confirm, None
        self._hide_confirm()
        if action is not None:
            action()

    def _hide_confirm(self) -> None:
        self._pending_confirm = None
        self.confirm_bar.hide()


def accommodations_text(data: dict[str, Any]) -> str:
    """"2x time, 1 extra retake, questions read aloud", or "None" (`data`: the session as
    session_to_dict gives it)."""
    return Accommodations.from_json(data.get("accommodations")).in_words() or "None"


def interview_language_text(data: dict[str, Any]) -> str:
    """The language the candidate chose, in its own name ("Español")."""
    code = data.get("language")
    if code:
        name = language_name(code)
        return name[:1].upper() + name[1:]  # Qt's own names are in lower case ("español")
    if data["status"] == SessionStatus.SCHEDULED.value:
        return "not chosen yet"
    return NO_VALUE  # recorded before the candidate could choose, or never begun


def fairness_text(data: dict[str, Any]) -> str:
    return (f"Accommodations: {accommodations_text(data)}  \u00b7  "
            f"Language: {interview_language_text(data)}")


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
