"""A recording's sound as a speech recogniser takes it: 16 kHz mono float samples."""

from __future__ import annotations

from pathlib import Path

import ffmpeg
import numpy as np

from kiosk.media.ffmpeg import command, run

SPEECH_RATE = 16_000  # what Whisper models are trained on


def speech_samples(path: Path, start_ms: int = 0, end_ms: int | None = None) -> np.ndarray:
    """The first audio stream of `path` from start_ms to end_ms, as float32 in [-1, 1].

    Raises MediaError when the file has no sound or cannot be decoded.
    """
    options: dict[str, object] = {"ss": f"{start_ms / 1000:.3f}"}
    if end_ms is not None:
        options["t"] = f"{max(0, end_ms - start_ms) / 1000:.3f}"
    graph = (ffmpeg.input(str(path), **options)
             .output("pipe:", map="0:a:0", format="s16le", acodec="pcm_s16le", ac=1,
                     ar=SPEECH_RATE))
    done = run(command(graph), what=f"Reading the sound of {path.name}", timeout_s=None)
    pcm = np.frombuffer(done.stdout, dtype="<i2")
    return pcm.astype(np.float32) / 32768.0
