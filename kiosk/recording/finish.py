"""Finishing an interview: from its parts to a committed `interview.mp4`.

Takes that were cut off are rebuilt from what survives, the kept takes are merged (or the
file built answer by answer is taken, if it checks out), the file is verified, the poster
written, both synced to disk, and the session row committed through the store in one
transaction. Only then are the parts removed: if anything fails before the commit, they stay
for recovery.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import Settings
from kiosk.errors import DiskFullError, KioskError
from kiosk.media.ffmpeg import MediaError
from kiosk.media.merge import chapter_bounds_ms, merge_parts
from kiosk.media.poster import write_poster
from kiosk.media.probe import MediaInfo, probe
from kiosk.recording.disk import full_disk_is_an_error
from kiosk.recording.manifest import Manifest, TakeEntry
from kiosk.recording.rebuild import (
    WITHOUT_PICTURE,
    WITHOUT_SOUND,
    needs_rebuild,
    rebuild_take,
)
from kiosk.store import sessions
from kiosk.store.database import Database
from kiosk.store.files import (
    FILE_MODE,
    POSTER_FILE_NAME,
    RECORDING_FILE_NAME,
    file_sha256,
    relative_to_root,
    session_folder,
    sync_file,
    sync_folder,
)
from kiosk.store.models import IncidentKind, InterviewSession, SessionStatus
from kiosk.words import TakeStatus

log = logging.getLogger(__name__)

MERGE_TOLERANCE_S = 0.2


class NothingToMergeError(KioskError):
    """A session has no answer with anything usable in it."""


@dataclass(frozen=True)
class Finished:
    output: Path
    duration_s: float
    answers: int
    used_progressive: bool  # the file built along the way was good: no merge was needed


@dataclass(frozen=True)
class Extent:
    """How much of the interview there is, as the flow knew it."""

    questions_total: int | None = None  # of the question set; None where unknown (recovery)
    ended_early: bool = False


UNKNOWN_EXTENT = Extent()  # recovery: what the flow knew is gone


def finish_session(db: Database, settings: Settings, manifest: Manifest, *,
                   status: SessionStatus, premerged: Path | None = None,
                   extent: Extent = UNKNOWN_EXTENT) -> Finished:
    """Merge the kept takes into interview.mp4, verify, commit the row, then remove parts/.

    `premerged`, the file built along the way, is used if it checks out; otherwise the
    parts are merged now.
    """
    with full_disk_is_an_error("Saving the interview"):
        try:
            return _finish(db, settings, manifest, status=status, premerged=premerged,
                           extent=extent)
        except DiskFullError:
            raise
        except MediaError as exc:
            # A part that looked whole was not (damaged on disk): every take is rebuilt from
            # what its files really hold, and merged again.
            log.warning("merging %s failed (%s); rebuilding every answer from its files",
                        manifest.session_id, exc)
            return _finish(db, settings, manifest, status=status, premerged=None,
                           extent=extent, rebuild_all=True)


def _finish(db: Database, settings: Settings, manifest: Manifest, *,
            status: SessionStatus, premerged: Path | None, extent: Extent,
            rebuild_all: bool = False) -> Finished:
    session_id = manifest.session_id
    root = settings.recordings_dir
    folder = session_folder(root, session_id)
    for take in list(manifest.takes):
        # Without the file built along the way, the parts are merged: check them first.
        deep = premerged is None
        if needs_rebuild(manifest, take, deep=deep) or (
                rebuild_all and take.status is TakeStatus.DONE):
            rebuild_take(manifest, take)
    manifest.save()
    takes = manifest.kept_takes()
    if not takes:
        raise NothingToMergeError(f"The session {session_id} has no answer with a usable "
                                  f"recording.")
    sessions.start_merging(db, session_id)

    files = [manifest.files(take) for take in takes]
    output = folder / RECORDING_FILE_NAME
    expected_s = sum(f.duration_s for f in files)
    info = None
    used_premerged = False
    if premerged is not None:
        # Built while the interview went on (kiosk.media.progressive): check it like a merge.
        info = probe(premerged)
        if _checks_out(info, expected_s, len(files)):
            os.replace(premerged, output)
            used_premerged = True
        else:
            premerged.unlink(missing_ok=True)
            info = None
    if info is None:
        merge_parts(files, output, title=_candidate_name(db, session_id))
        info = probe(output)
    if not _checks_out(info, expected_s, len(files)):
        raise MediaError(
            f"The merged recording of {session_id} does not check out ({info}); the answers "
            f"are kept in {manifest.folder}."
        )
    os.chmod(output, FILE_MODE)
    poster = folder / POSTER_FILE_NAME
    write_poster(output, poster, at_s=min(2.0, expected_s / 2))
    os.chmod(poster, FILE_MODE)
    size, digest = output.stat().st_size, file_sha256(output)
    # On disk for good, not only in the page cache, before the parts may go.
    sync_file(output)
    sync_file(poster)
    sync_folder(folder)

    bounds = list(zip(takes, chapter_bounds_ms(files), strict=True))
    markers = [sessions.Marker(take.index, take.question, start, end)
               for take, (start, end) in bounds]
    sessions.finish(db, session_id, sessions.FinishedRecording(
        video=relative_to_root(root, output), thumbnail=relative_to_root(root, poster),
        duration_ms=round(expected_s * 1000), size_bytes=size, sha256=digest,
        markers=markers, incidents=_incidents(bounds), questions_total=extent.questions_total,
        ended_early=extent.ended_early), status=status)
    # Only now, with the row committed, is it safe to let the parts go.
    shutil.rmtree(manifest.folder, ignore_errors=True)
    sync_folder(folder)
    return Finished(output, expected_s, len(takes), used_premerged)


def _checks_out(info: MediaInfo, expected_s: float, answers: int) -> bool:
    """Both streams, the length the answers add up to, and one chapter per answer."""
    return (info.video_codec is not None and info.audio_codec is not None
            and info.duration_s is not None
            and abs(info.duration_s - expected_s) <= MERGE_TOLERANCE_S
            and len(info.chapters) == answers)



_LOST_STREAM = {WITHOUT_PICTURE: IncidentKind.NO_PICTURE, WITHOUT_SOUND: IncidentKind.NO_SOUND}


def _incidents(bounds: list[tuple[TakeEntry, tuple[int, int]]]) -> list[sessions.Incident]:
    """What the recruiter is told about the kept answers, in the interview's own time."""
    found = []
    for take, (start, end) in bounds:
        if (kind := _LOST_STREAM.get(str(take.reason))) is not None:
            found.append(sessions.Incident(kind, take.index, start, end - start))
        found.extend(sessions.Incident(IncidentKind.STALL, take.index,
                                       start + round(stall.at_s * 1000),
                                       round(stall.duration_s * 1000), stall.stream)
                     for stall in take.stalls)
    return found


def _candidate_name(db: Database, session_id: str) -> str | None:
    with db.session() as s:
        row = s.get(InterviewSession, session_id)
        return row.candidate_name if row else None
