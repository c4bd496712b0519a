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
    file_present: bool = False
    recorded_size: int | None = None  # what the row says, whether or not the file is there
    recorded_sha256: str | None = None
    size_matches: bool | None = None  # None: not compared (not recorded, or no file)
    sha256_matches: bool | None = None  # None: not compared (not recorded, or no file)
    poster: str | None = None  # None: the row names no poster
    poster_present: bool = False
    video_codec: str | None = None
    audio_codec: str | None = None
    duration_ms: int | None = None  # as the player found it
    frames_shown: int = 0
    plays_to_end: bool = False
    problems: list[str] = field(default_factory=list)

    def report_lines(self) -> list[str]:
        """What `kiosk sessions verify` prints: one line per fact, then the verdict."""
        missing = self.file is not None and not self.file_present
        lines = [_line("Recording", self.file or "-")]
        size = (f"{self.recorded_size} bytes recorded" if self.recorded_size is not None
                else None)
        checksum = (f"recorded (sha256 {self.recorded_sha256[:12]}…)" if self.recorded_sha256
                    else None)
        for label, recorded, matches in (("Size", size, self.size_matches),
                                         ("Checksum", checksum, self.sha256_matches)):
            if recorded is None:
                verdict = "not recorded"
            elif missing:
                verdict = f"{recorded}; the file is missing"
            else:
                verdict = {True: "matches", False: "DIFFERS", None: "not checked"}[matches]
            lines.append(_line(label, verdict))
        if self.poster is not None:
            lines.append(_line("Poster", "present" if self.poster_present
                               else f"MISSING ({self.poster})"))
        if missing:
            lines.append(_line("Plays", "NO (the file is missing)"))
        else:
            duration = _format_ms(self.duration_ms)
            lines.append(_line("Plays", f"{'to its end' if self.plays_to_end else 'NO'} "
                                        f"({self.frames_shown} frames shown, {duration})"))
        lines += ["All good."] if self.ok else [f"Problem: {p}" for p in self.problems]
        return lines


def _line(label: str, value: str) -> str:
    return f"{label + ':':<15}{value}"


def _format_ms(ms: int | None) -> str:
    if ms is None:
        return "-"
    seconds = ms // 1000
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def verify_recording(settings: Settings, db: Database, session_id: str,
                     play: PlayToEnd, *, fetched: Path | None = None) -> RecordingCheck:
    """Check one session's recording; NotFoundError if there is no such session.

    `fetched`: the recording downloaded from the object store, checked in its place (the
    poster is then the store's business: `kiosk storage check`)."""
    with db.session() as session:
        row = get_session(session, session_id)
        check = RecordingCheck(session_id=row.id, recorded_size=row.size_bytes,
                               recorded_sha256=row.sha256)
        stored, thumbnail = row.recording_video, row.thumbnail
        size, sha256, duration_ms = row.size_bytes, row.sha256, row.duration_ms
    if not stored:
        check.problems.append("The session has no recording.")
        return check
    try:
        path = fetched or resolve_recording_path(settings.recordings_dir, stored)
    except UnsafePathError as exc:
        check.problems.append(str(exc))
        return check
    check.file = str(path) if fetched is None else f"{stored} (from the object store)"
    check.file_present = path.is_file()
    if not check.file_present:
        check.problems.append(f"The recording {path} is missing.")
    if fetched is None:
        _check_poster(check, settings, thumbnail)
    if not check.file_present:
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


def _check_poster(check: RecordingCheck, settings: Settings, thumbnail: str | None) -> None:
    if not thumbnail:
        return
    try:
        poster = resolve_recording_path(settings.recordings_dir, thumbnail)
    except UnsafePathError as exc:
        check.problems.append(f"The poster: {exc}")
        return
    check.poster = str(poster)
    check.poster_present = poster.is_file()
    if not check.poster_present:
        check.problems.append(f"The poster {poster} is missing: the recruiter's list and "
                              f"details show no picture for this interview.")

