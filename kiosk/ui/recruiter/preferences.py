"""What the recruiter's view remembers between sessions and restarts (captions on or off).

Kept in the data folder, not in the user's Qt settings: a booth's choices belong to the
booth, and a test with a data folder of its own starts from the defaults."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from kiosk.config import Settings

FILE_NAME = "recruiter-view.ini"
CAPTIONS = "player/captions"


def _preferences(settings: Settings) -> QSettings:
    return QSettings(str(settings.data_dir / FILE_NAME), QSettings.Format.IniFormat)


def captions_shown(settings: Settings) -> bool:
    """Off until someone turns them on."""
    return bool(_preferences(settings).value(CAPTIONS, False, type=bool))


def remember_captions(settings: Settings, shown: bool) -> None:
    preferences = _preferences(settings)
    preferences.setValue(CAPTIONS, shown)
    preferences.sync()  # written now: the booth may be switched off rather than closed
