"""Where the kiosk keeps files: the data folder, the recordings root, and paths inside it.

A path read from the database (or any file) is only ever used through
`resolve_recording_path`, which refuses anything that would leave the recordings root.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath, PureWindowsPath

from kiosk.config import Settings
from kiosk.errors import StorageError, UnsafePathError

# Owner-only: recordings are personal data.
FOLDER_MODE = 0o700
FILE_MODE = 0o600

RECORDING_FILE_NAME = "interview.mp4"
POSTER_FILE_NAME = "poster.jpg"
PARTS_FOLDER_NAME = "parts"
# Held (kiosk.store.locks) by the process recording a session, for as long as it records.
RECORDING_LOCK_NAME = ".recording.lock"
# What a person is told when something needs to write where the disk only reads.
READ_ONLY_STILL_WORKS = ("Recording, recovery, deleting and adding sessions or operators need "
                         "it writable; 'kiosk sessions list', 'show', 'verify' and 'export' and "
                         "'kiosk operators list' only read and still work.")


def prepare_folders(settings: Settings) -> None:
    """Create the data folder and the recordings root if needed, and prove both are writable."""
    for what, folder in _folders(settings):
        ensure_writable_folder(folder, what)


def prepare_folders_for_reading(settings: Settings) -> None:
    """prepare_folders for a command that only reads.

    A folder that exists but cannot be written (its disk remounted read-only after errors)
    is good enough to read from; one that can be neither written nor read is StorageError.
    """
    for what, folder in _folders(settings):
        try:
            ensure_writable_folder(folder, what)
        except StorageError:
            if not _readable_folder(folder):
                raise


def _folders(settings: Settings) -> tuple[tuple[str, Path], ...]:
    return (("data folder", settings.data_dir), ("recordings folder", settings.recordings_dir))


def _readable_folder(folder: Path) -> bool:
    try:
        with os.scandir(folder) as entries:
            next(entries, None)
    except OSError:
        return False
    return True


def ensure_writable_folder(folder: Path, what: str) -> None:
    """Create `folder` (owner-only) if missing; raise StorageError if it cannot be written."""
    try:
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        # os.access lies for root and on network shares; writing a file is the only real proof.
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.errno == errno.EROFS and folder.is_dir():
            # Usually a failing disk that the kernel remounted: moving the folder is not the fix,
            # and IT needs to know that the interviews can still be read and exported.
            raise StorageError(
                f"The {what} {folder} cannot be written: it is on a read-only file system. "
                f"{READ_ONLY_STILL_WORKS}"
            ) from None
        if exc.errno == errno.EROFS:
            raise StorageError(f"The {what} {folder} does not exist and cannot be made: it "
                               f"would be on a read-only file system.") from None
        if exc.errno in (errno.ENOTDIR, errno.EEXIST):
            reason = "a file is in the way where the folder should be"
        raise StorageError(
            f"The {what} {folder} cannot be written: {reason}. Choose a folder this user can "
            f"write (KIOSK_DATA_DIR or KIOSK_RECORDINGS_DIR)."
        ) from None


def resolve_recording_path(root: Path, relative: str) -> Path:
    """The absolute path of `relative` inside the recordings `root`, or UnsafePathError.

    Refused: empty paths, absolute paths (POSIX or Windows, drive letters and UNC shares),
    any `..` part, and anything a symbolic link would take outside the root.
    """
    if not relative or "\x00" in relative:
        raise UnsafePathError(f"The recording path {relative!r} is empty or not a path.")
    posix, windows = PurePosixPath(relative), PureWindowsPath(relative)
    if posix.is_absolute() or windows.is_absolute() or windows.drive or windows.root:
        raise UnsafePathError(
            f"The recording path {relative!r} is absolute; paths must be relative to the "
            f"recordings folder."
        )
    if ".." in posix.parts or ".." in windows.parts:
        raise UnsafePathError(f"The recording path {relative!r} climbs out with '..'.")
    real_root = root.resolve()
    candidate = (real_root / Path(*windows.parts)).resolve()
    if not candidate.is_relative_to(real_root):
        raise UnsafePathError(
            f"The recording path {relative!r} leads outside the recordings folder {real_root}."
        )
    return candidate


def session_folder(root: Path, session_id: str) -> Path:
    """The folder that holds one session's files: `<root>/<session-id>/`."""
    return resolve_recording_path(root, session_id)


def relative_to_root(root: Path, path: Path) -> str:
    """The form stored in the database: POSIX separators, relative to the root."""
    return path.resolve().relative_to(root.resolve()).as_posix()


def free_bytes(folder: Path) -> int:
    """Free space, in bytes, on the disk that holds `folder`."""
    return shutil.disk_usage(folder).free


def format_size(size: int) -> str:
    """A disk size for a person: "15 MB" below a gigabyte ("0.0 GB" hides 15 MB), "1.9 GB"
    from there on. Binary units, as the recorder counts `disk_reserve_mb` and the rest."""
    if size < 2**30:
        return f"{size / 2**20:.0f} MB"
    return f"{size / 2**30:.1f} GB"


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's content, in hex (read in 1 MiB pieces: recordings are large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sync_file(path: Path) -> None:
    """Force a file's data to disk (whoever wrote it: fsync works through any descriptor)."""
    # On Windows fsync needs a writable handle; its writes go through on close anyway.
    _fsync(path)


def sync_folder(folder: Path) -> None:
    """Force a folder's entries (new names, renames, deletions) to disk, where possible."""
    if os.name == "posix":  # Windows has no directory fsync; NTFS journals its metadata
        _fsync(folder)


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def make_private_file(path: Path) -> None:
    """Create an empty owner-only file if it does not exist yet (its content comes later)."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE)
    os.close(fd)
