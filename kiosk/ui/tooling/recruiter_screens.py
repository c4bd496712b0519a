"""The recruiter's screens ready-made on demo data, for `kiosk screenshots`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.accommodations import Accommodations
from kiosk.capture.devices import SYNTHETIC
from kiosk.config import Settings
from kiosk.demo_data import populate, sign_ins_and_a_lockout
from kiosk.store.database import Database
from kiosk.store.schedule import schedule_candidate
from kiosk.ui.recruiter.admin_setup import AdminSetup
from kiosk.ui.recruiter.pin_prompt import PinPrompt
from kiosk.ui.recruiter.recruiter_view import RecruiterView
from kiosk.ui.recruiter.transcript_panel import SEGMENT_START
from kiosk.ui.tooling.waiting import wait_until

PLAYED_TO_MS = 9_000  # into the second answer, past a note mark
CAPTIONED_AT_MS = 13_000  # the third answer's first line
SEARCHED = "team"  # said in the demo recording and in several listed interviews
WAIT_S = 20.0
# Today's candidates on the Schedule page: name, position, accommodations.
SCHEDULED_TODAY = (
    ("Ana Müller", "Support engineer", Accommodations()),
    ("Kwame Mensah", "Warehouse operative",
     Accommodations(extra_time=1.5, extra_retakes=1, read_aloud=True)),
    ("Zoë O'Brien", "Team lead", Accommodations(larger_text=True, high_contrast=True)),
    ("Lucía Pérez", "Cashier", Accommodations(extra_time=2.0)),
)


def recruiter_screens(settings: Settings, db: Database) -> dict[str, Callable[[], QWidget]]:
    """The recruiter's screens with demo data, built on demand: `pin`, `sessions`,
    `sessions-search` (words said, found), `details` (playing the demo recording),
    `transcript` (its lines, the one said marked), `transcript-search` (a search inside
    it), `captions` (over the player), `setup` (the first start), `booth` (the admin's
    page) and `schedule` (today's candidates, a form open with a refusal). The demo
    recording's candidate had accommodations (kiosk.demo_data), which `details` shows.

    Fills `db` with demo rows: give it a throwaway booth (`kiosk.demo_data.demo_booth`)."""
    demo = populate(settings, db)

    def pin() -> QWidget:
        prompt = PinPrompt(db)
        prompt.operators.setCurrentRow(2)  # Rita Recruiter
        prompt.pin.setText("0000")
        prompt.submit()  # a wrong PIN: the message is part of what to look at
        prompt.pin.setText("24")
        return prompt

    def sessions() -> QWidget:
        return RecruiterView(settings, db, demo.recruiter)

    def details() -> QWidget:
        view = RecruiterView(settings, db, demo.recruiter)
        view.open_session(demo.recorded)
        player = view.details.player
        player.play()
        wait_until(lambda: player.position >= PLAYED_TO_MS, timeout_s=WAIT_S,
                   stuck=lambda: f"the demo recording played only to {player.position} ms "
                                 f"of {PLAYED_TO_MS} in {WAIT_S:g} s")
        return VideoShot(view)

    def sessions_search() -> QWidget:
        view = RecruiterView(settings, db, demo.recruiter)
        view.sessions.search.setText(SEARCHED)
        return view

    def opened() -> RecruiterView:
        view = RecruiterView(settings, db, demo.recruiter)
        view.open_session(demo.recorded)
        media = view.details.player.media
        # A position asked for before the first frame is decoded is lost.
        wait_until(lambda: media.mediaStatus() == QMediaPlayer.MediaStatus.BufferedMedia,
                   timeout_s=WAIT_S, stuck=lambda: "the demo recording did not open")
        return view

    def played_to(view: RecruiterView, ms: int) -> None:
        player = view.details.player
        wait_until(lambda: player.position >= ms, timeout_s=WAIT_S,
                   stuck=lambda: f"the demo recording played only to {player.position} ms "
                                 f"of {ms} in {WAIT_S:g} s")

    def transcript() -> QWidget:
        view = opened()
        view.details.tabs.setCurrentWidget(view.details.transcript)
        view.details.player.play_from(PLAYED_TO_MS - 1_500)
        played_to(view, PLAYED_TO_MS)
        return VideoShot(view)

    def transcript_search() -> QWidget:
        view = opened()
        panel = view.details.transcript
        view.details.tabs.setCurrentWidget(panel)
        panel.search.setText(SEARCHED)
        panel.next_match()  # the first line with the word: the player goes there
        start = panel.list.item(panel.list.currentRow()).data(SEGMENT_START)
        view.details.player.play()
        played_to(view, start + 600)
        return VideoShot(view)

    def captions() -> QWidget:
        view = opened()
        view.details.player.set_captions_shown(True)  # as if C was pressed (not remembered)
        view.details.player.play_from(CAPTIONED_AT_MS - 1_500)
        played_to(view, CAPTIONED_AT_MS)
        return VideoShot(view)

    def setup() -> QWidget:
        screen = AdminSetup(db)  # as at the first start (it asks the database on submit)
        screen.name.setText("Amelia Admin")
        screen.pin.setText("2580")
        return screen

    signed_in: list[bool] = []

    def booth() -> QWidget:
        if not signed_in:  # once: the page is shot at two sizes
            sign_ins_and_a_lockout(db, demo)
            signed_in.append(True)
        # The demo booth records from the synthetic sources, so those are its devices.
        demo_settings = replace(settings, recording=replace(
            settings.recording, camera=SYNTHETIC, microphone=SYNTHETIC))
        view = RecruiterView(demo_settings, db, demo.admin)
        view.open_booth()
        view.booth.operators.choose(demo.recruiter.name)
        wait_until(lambda: not view.booth.health.checking and not view.booth.voice.checking,
                   timeout_s=WAIT_S,
                   stuck=lambda: f"the booth page's device check ran over {WAIT_S:g} s")
        return view

    scheduled: list[str] = []

    def schedule() -> QWidget:
        if not scheduled:  # once: the page is shot at two sizes
            scheduled.extend(schedule_candidate(db, name, position=position,
                                                accommodations=given, by=demo.recruiter.name)
                             for name, position, given in SCHEDULED_TODAY)
        view = RecruiterView(settings, db, demo.recruiter)
        view.open_schedule()
        page = view.schedule
        page.choose("Kwame Mensah")
        page.open_edit()
        page.extra_time.setCurrentIndex(page.extra_time.findData(2.0))
        page.name.clear()  # saved without a name: the refusal is part of what to look at
        page.submit()
        return view

    return {"pin": pin, "sessions": sessions, "sessions-search": sessions_search,
            "details": details, "transcript": transcript,
            "transcript-search": transcript_search, "captions": captions, "setup": setup,
            "booth": booth, "schedule": schedule}


class VideoShot(QWidget):
    """Screenshots only: holds a screen and, when grabbed, paints in the video frames that
    a grab cannot see (QVideoWidget draws in a window of its own)."""

    def __init__(self, screen: QWidget) -> None:
        super().__init__()
        self.screen_widget = screen
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(screen)

    def grab(self, rectangle: QRect | None = None) -> QPixmap:
        shot = super().grab() if rectangle is None else super().grab(rectangle)
        painter = QPainter(shot)
        for video in self.findChildren(QVideoWidget):
            frame = video.videoSink().videoFrame()
            if not video.isVisible() or not frame.isValid():
                continue
            image = frame.toImage().scaled(video.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation)
            corner = video.mapTo(self, QPoint(0, 0))
            painter.drawImage(corner + QPoint((video.width() - image.width()) // 2,
                                              (video.height() - image.height()) // 2), image)
        painter.end()
        return shot

    def closeEvent(self, event) -> None:
        self.screen_widget.close()
        super().closeEvent(event)
