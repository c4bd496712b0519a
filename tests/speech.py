"""Known spoken English for the transcript tests: espeak-ng (Debian) says it.

`speak_into` plays a sentence into the PulseAudio null sink that tests/pulse.py starts, so
the booth's real microphone path hears it; `interview_file` makes a long interview MP4 whose
sound is speech, fast, for the tests that need a transcription to take a while.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from kiosk.media.ffmpeg import ffmpeg_exe
from kiosk.store.database import Database
from kiosk.store.models import QuestionMarker, SessionStatus
from kiosk.store.sessions import create_session
from kiosk.store.transcripts import queue


def spoken_wav(text: str, path: Path, *, words_per_minute: int = 150) -> Path:
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", str(words_per_minute), "-w", str(path),
                    text], check=True, capture_output=True)
    return path


def speak_into(env: dict[str, str], text: str, folder: Path) -> None:
    """Say `text` into the null sink (the booth's microphone hears it); returns when said."""
    wav = spoken_wav(text, folder / f"said-{abs(hash(text))}.wav")
    subprocess.run(["paplay", str(wav)], env=env, check=True, timeout=60)


def interview_file(path: Path, speech: Path, *, seconds: float) -> Path:
    """A small-picture interview MP4 of `seconds`, its sound `speech` said over and over."""
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "color=c=gray:size=160x90:rate=5",
         "-stream_loop", "-1", "-i", str(speech), "-t", f"{seconds:.1f}",
         "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast",
         "-c:a", "aac", "-ar", "48000", "-ac", "1", str(path)],
        check=True, capture_output=True)
    return path


def committed_interview(db: Database, recordings: Path, speech: Path, *, seconds: float,
                        answers: int = 2, name: str = "Long Talker") -> str:
    """A completed session with a spoken recording of `seconds` in `answers` equal answers,
    its transcript job pending (as a finished interview leaves it)."""
    with db.session() as s, s.begin():
        row = create_session(s, name, status=SessionStatus.COMPLETED)
        s.flush()
        folder = recordings / row.id
        folder.mkdir(parents=True)
        interview_file(folder / "interview.mp4", speech, seconds=seconds)
        row.recording_video = f"{row.id}/interview.mp4"
        row.duration_ms = round(seconds * 1000)
        step = row.duration_ms // answers
        for index in range(answers):
            row.markers.append(QuestionMarker(index=index, question=f"Question {index + 1}",
                                              start_ms=index * step,
                                              end_ms=(index + 1) * step))
        queue(s, row.id)
        return row.id
