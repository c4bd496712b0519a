"""The disk: whether an interview fits (checked before a session starts recording), and a
full disk met on the way said in one line that loses nothing."""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator

from sqlalchemy.exc import SQLAlchemyError

from kiosk.config import Settings
from kiosk.errors import DiskFullError, KioskError
from kiosk.store.files import format_size, free_bytes


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
            f"Not enough free disk to record an interview: {format_size(free)} free in "
            f"{settings.recordings_dir}, {format_size(needed)} needed (the longest interview "
            f"plus the reserve). Free some space or export and delete old recordings."
        )


_FULL_WORDS = ("database or disk is full", "No space left on device")


class DiskFullStop(DiskFullError):
    """A full disk met while recording or finishing, said with what is kept and what to do."""


@contextlib.contextmanager
def full_disk_is_an_error(what: str) -> Iterator[None]:
    """Turn the ways a full disk shows itself (ENOSPC, SQLite's SQLITE_FULL, PostgreSQL's
    "could not extend file") into one DiskFullError that says what is kept and what to do."""
    try:
        yield
    except DiskFullStop:
        raise  # said already, by an inner step
    except DiskFullError as exc:
        raise DiskFullStop(_full_message(what, str(exc))) from None
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        raise DiskFullStop(_full_message(what, exc.strerror or str(exc))) from None
    except SQLAlchemyError as exc:
        if not any(words in str(exc) for words in _FULL_WORDS):
            raise
        raise DiskFullStop(_full_message(what, "the database cannot be written")) from None


def _full_message(what: str, detail: str) -> str:
    return (f"{what} stopped because the disk is full ({detail}). Everything recorded up "
            f"to that moment is kept; free some space, then run 'kiosk recover' (starting "
            f"the kiosk does it too).")
