"""Speech to text with faster-whisper (CTranslate2, int8 on the CPU), from a local folder.

Nothing here reaches a network: the model is a folder path (faster-whisper then asks no hub,
tokenizer.json being in it), and the hub's offline switch is set before it is imported.
The sound is decoded by our own ffmpeg (kiosk.media.speech), so faster-whisper's PyAV
decoder is neither used nor shipped; its voice-activity filter (onnxruntime) is not used
either: an answer is transcribed whole.
"""

from __future__ import annotations

import importlib.machinery
import os
import sys
import threading
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from kiosk.media.speech import SPEECH_RATE
from kiosk.store.transcripts import Segment, Word
from kiosk.transcripts.model import ModelFolder

# Greedy decoding at temperature 0 only: the default fallback ladder re-decodes a window at
# up to five temperatures and was 8 to 15 times slower on booth speech, with no fewer errors.
BEAM_SIZE = 1
_import_lock = threading.Lock()


@dataclass(frozen=True)
class Spoken:
    """What one stretch of sound held, timed from the start of that stretch."""

    segments: tuple[Segment, ...]
    language: str | None


def load_whisper(folder: ModelFolder, *, threads: int = 1) -> Any:
    """A faster_whisper.WhisperModel for `folder`, offline."""
    with _import_lock:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        if "av" not in sys.modules:
            # faster_whisper imports PyAV at its top to decode files, which the booth does
            # with ffmpeg: a stand-in, so PyAV (about 100 MB, and 30 MB of memory) is never
            # loaded, here as in the bundle that leaves it out.
            stand_in = types.ModuleType("av")
            stand_in.__spec__ = importlib.machinery.ModuleSpec("av", None)
            sys.modules["av"] = stand_in
        from faster_whisper import WhisperModel
    return WhisperModel(str(folder.path), device="cpu", compute_type="int8",
                        cpu_threads=threads, num_workers=1, local_files_only=True)


class SpeechToText:
    """One loaded model. `transcribe` is called from one thread at a time."""

    def __init__(self, folder: ModelFolder, *, threads: int = 1) -> None:
        self.folder = folder
        self._model = load_whisper(folder, threads=threads)

    @property
    def name(self) -> str:
        return self.folder.name

    def transcribe(self, samples: np.ndarray, *, offset_ms: int = 0,
                   question_index: int | None = None, language: str | None = None,
                   between: Callable[[int], None] | None = None) -> Spoken:
        """The segments of `samples` (16 kHz mono), timed from offset_ms.

        `between(done_ms)` is called after each segment with how far into `samples` it got:
        it may block (the worker waits there while a candidate records) or raise to stop.
        The model decodes 30 s at a time, so that is how long a stop may wait.
        """
        if self.folder.english_only:
            language = "en"
        if samples.size < SPEECH_RATE // 10:
            return Spoken(segments=(), language=language)
        pieces, info = self._model.transcribe(
            samples, language=language, beam_size=BEAM_SIZE, temperature=0.0,
            word_timestamps=True, condition_on_previous_text=False, vad_filter=False)
        segments = []
        for piece in pieces:  # lazy: each window is decoded as it is asked for
            words = tuple(Word(offset_ms + _ms(w.start), offset_ms + _ms(w.end),
                               w.word.strip()) for w in (piece.words or ()) if w.word.strip())
            text = piece.text.strip()
            if text:
                start = offset_ms + _ms(piece.start)
                segments.append(Segment(question_index=question_index, start_ms=start,
                                        end_ms=max(start, offset_ms + _ms(piece.end)),
                                        text=text, words=words))
            if between is not None:
                between(_ms(piece.end))
        return Spoken(segments=tuple(segments), language=info.language or language)


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))
