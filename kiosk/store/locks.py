"""An exclusive lock on a file, held for as long as a process uses what the file guards.

The operating system drops the lock when the process dies, however it dies, so a lock never
outlives a crash. POSIX uses flock, Windows msvcrt.locking. On Linux a second lock attempt
fails even from the same process (another open file description), which `is_locked` uses.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from kiosk.store.files import FILE_MODE, RECORDING_LOCK_NAME


class FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock if nobody holds it; return whether we now hold it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            _lock(fd)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                _unlock(self._fd)
            os.close(self._fd)
            self._fd = None


def is_locked(path: Path) -> bool:
    """Whether some process (this one included) holds the lock on `path` right now."""
    if not path.exists():
        return False
    probe = FileLock(path)
    if probe.acquire():
        probe.release()
        return False
    return True


def is_being_recorded(session_folder: Path) -> bool:
    """Whether a running kiosk records this session now (recovery must leave it alone)."""
    return is_locked(session_folder / RECORDING_LOCK_NAME)


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
