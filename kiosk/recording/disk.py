"""Whether an interview fits on the disk: checked before a session starts recording."""

from __future__ import annotations

from kiosk.config import Settings
from kiosk.errors import KioskError
from kiosk.store.files import free_bytes


class DiskSpaceError(KioskError):
    """Not enough free disk to start (or go on) recording."""


def required_free_bytes(settings: Settings) -> int:
    recording = settings.recording
    interview = recording.longest_interview_minutes * recording.mb_per_minute
    return (interview + recording.disk_reserve_mb) * 1024 * 1024


def check_disk_for_new_session(settings: Settings) -> None:
    """Refuse to start an interview that might not fit (DiskSpaceError with the numbers)."""
    needed, free = required_free_bytes(settings), free_bytes(settings.recordings_dir)
    if free < needed:
        raise DiskSpaceError(
            f"Not enough free disk to record an interview: {free / 2**30:.1f} GB free in "
            f"{settings.recordings_dir}, {needed / 2**30:.1f} GB needed (the longest interview "
            f"plus the reserve). Free some space or export and delete old recordings."
        )
