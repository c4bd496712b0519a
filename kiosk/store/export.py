"""Exporting one interview to a folder (a USB stick, say): the MP4, a JSON sidecar and, once
the interview is transcribed, its captions as `<name>.vtt` (WebVTT) beside the MP4.

The copy is byte for byte, so its SHA-256 is the one taken when the interview was recorded:
whoever receives it can check it against the sidecar, and the booth checks it twice, as it
reads the original (is the original still what was recorded?) and by reading the copy back
from the device after it was forced to disk (did the stick store what was written?). The
file is written under a temporary name and renamed only once verified, so a half-written or
wrong copy never carries the final name. That temporary name is the export's own name plus
`.partial`: one left by an export that was killed is this session's, and the next export of
it clears it away.

The sidecar also carries the audit chain's head as it stood, so a later truncation of the
audit log shows against it (docs/deploy.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.config import Settings
from kiosk.errors import KioskError
from kiosk.store.audit import Action, append_event, read_head
from kiosk.store.database import Database
from kiosk.store.files import format_size, resolve_recording_path, sync_folder
from kiosk.store.review import load_review
from kiosk.store.transcripts import load_transcript, transcript_to_dict, transcript_webvtt

CHUNK = 1 << 20
FILE_NAME_CHARS = 60
# Characters no file system on a USB stick (FAT, exFAT, NTFS) accepts in a name.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
# Bidirectional controls: in a file name they make "gnp.exe" show as "exe.png".
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)


class ExportError(KioskError):
    """The interview could not be exported; nothing with the final name was left behind."""


@dataclass(frozen=True)
class ExportResult:
    video: Path
    sidecar: Path
    sha256: str
    size: int
    captions: Path | None = None  # the WebVTT file, once the interview is transcribed


def export_session(
    db: Database,
    settings: Settings,
    session_id: str,
    destination: Path,
    *,
    exported_by: str,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    source: Path | None = None,
) -> ExportResult:
    """Copy the recording and write its sidecar into `destination`; verify; audit.

    `source`: a copy of the recording fetched from the object store (the booth has none of
    its own); it is checked against the session's SHA-256 like the booth's own file."""
    review = load_review(db, session_id, settings.recordings_dir)
    data = review.data
    if data["recording_error"]:
        raise ExportError(data["recording_error"])
    if not data["recording_video"]:
        raise ExportError("This session has no recording to export.")
    source = source or resolve_recording_path(settings.recordings_dir, data["recording_video"])
    if not source.is_file():
        raise ExportError(f"The recording file {source} is missing; nothing was exported.")
    root = settings.recordings_dir.resolve()
    if destination.resolve().is_relative_to(root):
        # A copy there would be a file that belongs to no session (doctor would say so).
        raise ExportError(f"{destination} is in the recordings folder {root}: an export goes "
                          f"to a stick or a folder outside it. Nothing was exported.")
    if not destination.is_dir():
        raise ExportError(f"The folder {destination} does not exist (is the stick plugged in?).")
    size = source.stat().st_size
    free = shutil.disk_usage(destination).free
    if free < size + CHUNK:
        raise ExportError(f"Not enough space in {destination}: {format_size(free)} free, "
                          f"{format_size(size + CHUNK)} needed.")

    recorded = data["recording_created_at"] or data["created_at"]
    stem = _free_stem(destination, export_stem(data["candidate_name"], recorded, session_id))
    video = destination / f"{stem}.mp4"
    sidecar = destination / f"{stem}.json"
    captions = destination / f"{stem}.vtt"
    partial = destination / f"{stem}.mp4.partial"
    _clear_leftovers(partial, sidecar, captions)
    transcript = load_transcript(db, session_id)
    report = progress or (lambda done, total: None)
    try:
        digest = _copy(source, partial, size, report, cancel)
        if data["sha256"] and digest != data["sha256"]:
            raise ExportError(
                f"The recording {source.name} no longer matches the checksum taken when it "
                f"was recorded: it was changed or damaged on this disk. Nothing was exported.")
        if _read_back(partial, size, report, cancel) != digest:
            raise ExportError(f"The copy in {destination} does not read back as written: the "
                              f"stick may be failing. Nothing was exported.")
        with db.session() as s:
            head = read_head(s)
        sidecar_data = {**review.to_export_dict(), "export": {
            "file_name": video.name, "sha256": digest, "size": size,
            "captions_file": captions.name if transcript.done else None,
            "exported_by": exported_by, "exported_at": datetime.now().astimezone().isoformat(),
            # Not counting this export's own event, which is written after the files.
            "audit_head": head.to_dict(),
        }, "transcript": transcript_to_dict(transcript)}
        os.replace(partial, video)
        if transcript.done:
            _write_text(captions, transcript_webvtt(transcript))
        _write_json(sidecar, sidecar_data)
        sync_folder(destination)
    except BaseException as exc:
        # A video without its sidecar would look like a whole export: neither stays.
        for leftover in (partial, video, captions, sidecar):
            with contextlib.suppress(OSError):  # a stick pulled out mid-way
                leftover.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ExportError(f"Writing to {destination} failed: {_os_reason(exc)}. "
                              f"Nothing was exported.") from None
        raise
    with db.session() as s, s.begin():
        # The folder, not the file name: that holds the candidate's name, and the audit log
        # outlives the retention period.
        append_event(s, Action.EXPORTED, operator_name=exported_by, session_id=session_id,
                     detail={"folder": str(destination), "sha256": digest, "size": size})
    return ExportResult(video=video, sidecar=sidecar, sha256=digest, size=size,
                        captions=captions if transcript.done else None)


def export_stem(candidate_name: str, created_at: str, session_id: str) -> str:
    """`<candidate>-<local date>-<id start>`, safe on any stick's file system."""
    name = _FORBIDDEN.sub("_", _BIDI.sub("", candidate_name))
    name = "-".join(name.split()).strip(". ")[:FILE_NAME_CHARS] or "interview"
    day = datetime.fromisoformat(created_at).astimezone().strftime("%Y-%m-%d")
    return f"{name}-{day}-{session_id[:8]}"


def _free_stem(folder: Path, stem: str) -> str:
    """`stem`, or `stem-2`, `stem-3`...: an export never overwrites an earlier one."""
    candidate, number = stem, 1
    while any((folder / f"{candidate}{ext}").exists() for ext in (".mp4", ".json", ".vtt")):
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


def _clear_leftovers(partial: Path, *written: Path) -> None:
    """Remove what an export of this same session left when it was killed mid-way: its
    temporary files carry this export's own name. Anything else (a folder, a link) is not
    ours and stays; the copy then fails naming it."""
    for leftover in (partial, *(path.with_name(path.name + ".partial") for path in written)):
        if leftover.is_file() and not leftover.is_symlink():
            with contextlib.suppress(OSError):  # then the copy says what is in the way
                leftover.unlink()


def _os_reason(exc: OSError) -> str:
    """What went wrong, naming the file it happened to."""
    reason = exc.strerror or str(exc)
    if not exc.filename:
        return reason
    name = Path(os.fsdecode(exc.filename)).name
    if isinstance(exc, FileExistsError | IsADirectoryError):
        return f"{name} is in the way ({reason}); move it aside or choose another folder"
    return f"{name}: {reason}"


def _copy(source: Path, target: Path, size: int, progress: Progress,
          cancel: threading.Event | None) -> str:
    digest = hashlib.sha256()
    done = 0
    with open(source, "rb") as reader, open(target, "xb") as writer:
        while chunk := reader.read(CHUNK):
            _check(cancel)
            digest.update(chunk)
            writer.write(chunk)
            done += len(chunk)
            progress(done, 2 * size)
        writer.flush()
        os.fsync(writer.fileno())
        if hasattr(os, "posix_fadvise"):
            # Drop the cached pages so the read-back comes from the device itself.
            os.posix_fadvise(writer.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    return digest.hexdigest()


def _read_back(path: Path, size: int, progress: Progress,
               cancel: threading.Event | None) -> str:
    digest = hashlib.sha256()
    done = size
    with open(path, "rb") as reader:
        while chunk := reader.read(CHUNK):
            _check(cancel)
            digest.update(chunk)
            done += len(chunk)
            progress(done, 2 * size)
    return digest.hexdigest()


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise ExportError("The export was cancelled; nothing was exported.")


def _write_json(path: Path, data: dict) -> None:
    _write_text(path, json.dumps(data, ensure_ascii=False, indent=2))


def _write_text(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
