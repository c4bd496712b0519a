"""Errors that carry a message meant for a person (candidate, recruiter or IT).

The command line prints them as one line and exits non-zero; the GUI shows them in place.
Anything that is not a KioskError is a bug and keeps its traceback.
"""


class KioskError(Exception):
    """A problem the person running the kiosk can understand and act on."""


class ConfigError(KioskError):
    """The settings file or an environment override is wrong."""


class StorageError(KioskError):
    """The database or the data folder cannot be used."""


class DiskFullError(StorageError):
    """A write failed because the disk is full; what had reached the disk is kept."""


class UnsafePathError(KioskError):
    """A path read from the database or a file would leave the recordings folder."""


class NotFoundError(KioskError):
    """Something asked for by id does not exist."""


class InvalidInputError(KioskError):
    """A value typed by a person or read from a file is refused."""
