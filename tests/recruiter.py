"""Helpers for the recruiter's screens: operators, and waiting on the player."""

from __future__ import annotations

from dataclasses import dataclass

from pytestqt.qtbot import QtBot

from kiosk.store.database import Database
from kiosk.store.models import Role
from kiosk.store.operators import SignedInOperator, add_operator

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
