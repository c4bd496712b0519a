"""`kiosk sessions verify ID`: does a stored recording still match its row, and does it play?

Used after an upgrade or a move of the recordings folder, and by the self-test. The playing
itself is Qt's (kiosk.ui.playback), so it is handed in: this module stays Qt-free.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from kiosk.config import Settings
from kiosk.errors import UnsafePathError
from kiosk.findings import Findings
from kiosk.media.ffmpeg import MediaError
from kiosk.media.probe import probe
from kiosk.store.database import Database
from kiosk.store.files import file_sha256, resolve_recording_path
from kiosk.store.sessions import get_session

DURATION_TOLERANCE_MS = 200  # the container and the player round the last frame differently
PLAYBACK_RATE = 8.0  # what kiosk.ui.playback plays at: a 10-minute file takes 75 s


class Playback(Protocol):
    """What playing a file to its end found (kiosk.ui.playback.PlaybackReport)."""

    reached_end: bool
    frames_shown: int
    duration_ms: int
    error: str


# Plays `path` to its end within `timeout_s` seconds and reports how it went.
PlayToEnd = Callable[[Path, float], Playback]


@dataclass
class RecordingCheck(Findings):
    session_id: str
    file: str | None = None
    size_matches: bool | None = None  # None: the row does not record the size
    sha256_matches: bool | None = None  # None: the row does not record a checksum
    video_codec: str | None = None
    audio_codec: str | None = None
    duration_ms: int | None = None  # as the player found it
    frames_shown: int = 0
    plays_to_end: bool = False
    problems: list[str] = field(default_factory=list)


def verify_recording(settings: Settings, db: Database, session_id: str,
                     play: PlayToEnd) -> RecordingCheck:
    """Check one session's recording; NotFoundError if there is no such session."""
    with db.session() as session:
        row = get_session(session, session_id)
        check = RecordingCheck(session_id=row.id)
        stored = row.recording_video
        size, sha256, duration_ms = row.size_bytes, row.sha256, row.duration_ms
    if not stored:
        check.problems.append("The session has no recording.")
        return check
    try:
        path = resolve_recording_path(settings.recordings_dir, stored)
    except UnsafePathError as exc:
        check.problems.append(str(exc))
        return check
    check.file = str(path)
    if not path.is_file():
        check.problems.append(f"The recording {path} is missing.")
        return check

    if size is not None:
        check.size_matches = path.stat().st_size == size
        if not check.size_matches:
            check.problems.append(f"The recording is {path.stat().st_size} bytes; the session "
                                  f"says {size}.")
    if sha256 is not None:
        check.sha256_matches = file_sha256(path) == sha256
        if not check.sha256_matches:
            check.problems.append("The recording's checksum differs from the one stored when "
                                  "it was recorded: the file was changed or damaged.")

    try:
        info = probe(path)
    except MediaError as exc:
        check.problems.append(str(exc))
        return check
    check.video_codec, check.audio_codec = info.video_codec, info.audio_codec
    if info.video_codec is None or info.audio_codec is None:
        check.problems.append(f"The recording lacks a stream: video {info.video_codec or 'none'}, "
                              f"audio {info.audio_codec or 'none'}.")
    length_s = info.duration_s or (duration_ms or 0) / 1000
    report = play(path, 30 + 1.5 * length_s / PLAYBACK_RATE)
    check.frames_shown = report.frames_shown
    check.duration_ms = report.duration_ms or None
    check.plays_to_end = report.reached_end and not report.error and report.frames_shown > 0
    if not check.plays_to_end:
        why = report.error or ("no picture was shown" if report.reached_end
                               else "it did not reach its end in time")
        check.problems.append(f"The recording does not play to its end in Qt Multimedia: {why}.")
    elif duration_ms is not None and abs(report.duration_ms - duration_ms) > DURATION_TOLERANCE_MS:
        check.problems.append(f"The player finds {report.duration_ms} ms; the session says "
                              f"{duration_ms} ms.")
    return check

