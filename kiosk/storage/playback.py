"""Where an interview can be played from: this booth's file, or the object store's copy.

Several booths share one database, so the recruiter's list holds interviews recorded on
other booths, whose files are not in this booth's recordings folder. Such an interview
plays from the bucket through a presigned GET URL, which the player streams (the MP4's
index is at its front, and the store answers Range requests), once its upload was read
back and checked (VERIFIED): an object still being uploaded is not whole yet.

A presigned URL carries a signature that lets whoever holds it read the object until it
expires: it is handed to the player only, never put in a message, a log or a repr. Making
one is a local computation with the booth's credentials (no request is sent), so it costs
nothing on the screen's thread; the player finds out whether the store answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kiosk.config import Settings, StorageSettings
from kiosk.errors import UnsafePathError
from kiosk.storage.s3 import explain, make_client
from kiosk.store.database import Database
from kiosk.store.files import POSTER_FILE_NAME, RECORDING_FILE_NAME, resolve_recording_path
from kiosk.store.models import InterviewSession, Upload, UploadState
from kiosk.store.sessions import get_session

# Long enough for a recruiter to watch, pause, take a call and come back to seek; short
# enough that a URL copied out of a process's memory is soon worth nothing. Reopening the
# interview makes a new one.
URL_EXPIRES_S = 6 * 3600

ClientFactory = Callable[[StorageSettings], Any]


@dataclass(frozen=True)
class RecordingSource:
    """One file of an interview as this booth can reach it: exactly one of `path` (a file
    here), `url` (the store's copy, presigned) or `reason` (why neither, in words for the
    recruiter)."""

    path: Path | None = None
    # Secret until it expires: kept out of repr, so a logged source cannot leak it.
    url: str | None = field(default=None, repr=False)
    reason: str = ""
    booth_name: str | None = None  # the booth that recorded it, as its row says
    name: str = RECORDING_FILE_NAME

    @property
    def playable(self) -> bool:
        return self.path is not None or self.url is not None

    @property
    def remote(self) -> bool:
        return self.url is not None


def recording_source(db: Database, settings: Settings, session_id: str, *,
                     client_for: ClientFactory = make_client) -> RecordingSource:
    """Where `session_id`'s interview.mp4 plays from: the file here if there is one, else
    the store's verified copy ([storage] kind = "s3"), else a reason. `client_for` makes the
    S3 client (a screen passes one that keeps its client, so boto3 loads once)."""
    return _source(db, settings, session_id, RECORDING_FILE_NAME, client_for)


def poster_source(db: Database, settings: Settings, session_id: str, *,
                  client_for: ClientFactory = make_client) -> RecordingSource:
    """The same for the interview's poster.jpg (the list's thumbnail)."""
    return _source(db, settings, session_id, POSTER_FILE_NAME, client_for)


def _source(db: Database, settings: Settings, session_id: str, name: str,
            client_for: ClientFactory) -> RecordingSource:
    with db.session() as s:
        session = get_session(s, session_id)
        relative = session.recording_video if name == RECORDING_FILE_NAME else session.thumbnail
        booth = session.booth_name
        upload = s.execute(select(Upload.key, Upload.state).where(
            Upload.session_id == session.id, Upload.name == name)).one_or_none()
        here = _local_path(settings, session, relative)
    if isinstance(here, str):
        return RecordingSource(reason=here, booth_name=booth, name=name)
    if here.is_file():
        return RecordingSource(path=here, booth_name=booth, name=name)
    if (upload is not None and upload.state == UploadState.VERIFIED
            and settings.storage.kind == "s3"):
        # The row's key, not one made from this booth's [storage] prefix: it is where the
        # recording booth put it.
        return _presigned(settings.storage, upload.key, booth, name, client_for)
    elsewhere = booth is not None and booth != settings.booth_name
    return RecordingSource(reason=_why_not_here(settings, here, booth if elsewhere else None,
                                                upload.state if upload else None),
                           booth_name=booth, name=name)


def _local_path(settings: Settings, session: InterviewSession,
                relative: str | None) -> Path | str:
    """The file's path here, or (a str) why there is none to look for."""
    if not relative:
        return "No recording is stored for this interview."
    try:
        return resolve_recording_path(settings.recordings_dir, relative)
    except UnsafePathError as exc:
        return f"This recording cannot be shown.\n\n{exc}"


def _presigned(storage: StorageSettings, key: str, booth: str | None, name: str,
               client_for: ClientFactory) -> RecordingSource:
    try:
        url = client_for(storage).generate_presigned_url(
            "get_object", Params={"Bucket": storage.bucket, "Key": key},
            ExpiresIn=URL_EXPIRES_S)
    except Exception as exc:
        where = f"booth {booth}" if booth else "another booth"
        return RecordingSource(
            reason=f"This interview was recorded on {where} and is in the object store, but "
                   f"this booth cannot read it from there now.\n\n{explain(exc, storage)}",
            booth_name=booth, name=name)
    return RecordingSource(url=str(url), booth_name=booth, name=name)


def _why_not_here(settings: Settings, path: Path, other_booth: str | None,
                  state: UploadState | None) -> str:
    if other_booth is None:
        # Recorded here (or before booths were named): its file should be here.
        return (f"The recording file is missing.\n\n{path}\n\nIt may have been deleted or "
                f"moved. IT can check the booth with “kiosk doctor”.")
    if state == UploadState.VERIFIED:  # uploaded, but this booth does not use the store
        return (f"This interview was recorded on booth {other_booth}. It is in the object "
                f"store, but this booth is not set up to read from it ([storage] kind = "
                f"\"{settings.storage.kind}\"): it plays on {other_booth}.")
    if state == UploadState.FAILED:
        return (f"This interview was recorded on booth {other_booth} and could not be "
                f"uploaded: it plays there. IT can see why with “kiosk storage status” on "
                f"{other_booth}.")
    return (f"This interview was recorded on booth {other_booth} and is not uploaded yet: it "
            f"plays there, or here once it is uploaded.")
