"""Helpers for the recruiter's screens: operators, recorded sessions, waiting on the player."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from kiosk.config import Settings
from kiosk.store.database import Database
from kiosk.store.models import Role
from kiosk.store.operators import SignedInOperator, add_operator
from kiosk.store.sessions import create_session

RECRUITER_PIN = "2468"
ADMIN_PIN = "13579"


@dataclass(frozen=True)
class Staff:
    recruiter: SignedInOperator
    admin: SignedInOperator


def add_staff(db: Database) -> Staff:
    return Staff(recruiter=add_operator(db, "Rita Recruiter", Role.RECRUITER, RECRUITER_PIN),
                 admin=add_operator(db, "Ada Admin", Role.ADMIN, ADMIN_PIN))


def frames_of(qtbot: QtBot, player) -> list[int]:
    """Every valid frame the player's video widget receives from now on (start times, ms)."""
    shown: list[int] = []
    player.video_sink.videoFrameChanged.connect(
        lambda frame: shown.append(frame.startTime() // 1000) if frame.isValid() else None)
    return shown


def add_recorded_session(db: Database, settings: Settings, candidate: str = "Grace Hopper"
                         ) -> str:
    """A completed session whose interview.mp4 is on disk (not a real video: for the
    checks that compare files and rows, not for the player)."""
    with db.session() as s, s.begin():
        session = create_session(s, candidate)
        folder = settings.recordings_dir / session.id
        folder.mkdir(parents=True)
        (folder / "interview.mp4").write_bytes(b"\0" * 2048)
        session.recording_video = f"{session.id}/interview.mp4"
        session.recording_created_at = datetime(2026, 11, 2, 14, 5, tzinfo=UTC)
        return session.id
