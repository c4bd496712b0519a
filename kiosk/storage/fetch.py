"""A copy of an interview that lives only in the bucket, for what needs a file on this booth:
an export (the CLI's and the recruiter's) and `kiosk sessions verify`.

The copy is downloaded into the data folder (owner-only, like the recordings: it is
personal data, never a shared temporary folder), its SHA-256 checked against the one the
session row kept when it was recorded, and removed when the caller is done.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kiosk.config import Settings
from kiosk.errors import KioskError
from kiosk.storage.s3 import explain, make_client
from kiosk.store.database import Database
from kiosk.store.export import ExportResult, Progress, export_session
from kiosk.store.files import resolve_recording_path
from kiosk.store.models import InterviewSession, Upload, UploadState

CHUNK = 1 << 20


def export_from_here_or_the_store(db: Database, settings: Settings, session_id: str,
                                  destination: Path, *, exported_by: str,
                                  progress: Progress | None = None,
                                  cancel: threading.Event | None = None) -> ExportResult:
    """`export_session`, from the booth's own file, or from a checked download of it."""
    if not needs_fetching(db, settings, session_id):
        return export_session(db, settings, session_id, destination, exported_by=exported_by,
                              progress=progress, cancel=cancel)
    with fetched_recording(db, settings, session_id) as copy:
        return export_session(db, settings, session_id, destination, exported_by=exported_by,
                              progress=progress, cancel=cancel, source=copy)


def needs_fetching(db: Database, settings: Settings, session_id: str) -> bool:
    """The recording is not on this booth, but verified in the bucket."""
    with db.session() as s:
        stored = s.scalar(select(Upload.key).where(Upload.session_id == session_id,
                                                   Upload.name == "interview.mp4",
                                                   Upload.state == UploadState.VERIFIED))
        row = s.get(InterviewSession, session_id)
        video = row.recording_video if row is not None else None
    if stored is None or video is None or settings.storage.kind != "s3":
        return False
    return not resolve_recording_path(settings.recordings_dir, video).is_file()


@contextmanager
def fetched_recording(db: Database, settings: Settings, session_id: str, *,
                      client: Any = None) -> Iterator[Path]:
    """The interview's MP4, downloaded and checked; removed afterwards. KioskError (the
    store's words) when it cannot be had."""
    with db.session() as s:
        upload = s.scalars(select(Upload).where(Upload.session_id == session_id,
                                                Upload.name == "interview.mp4")).first()
        if upload is None or upload.state is not UploadState.VERIFIED:
            raise KioskError(f"The recording of {session_id} is neither on this booth nor "
                             f"uploaded: it is on the booth that recorded it.")
        key, size, sha256 = upload.key, upload.size, upload.sha256
    folder = Path(tempfile.mkdtemp(prefix="fetched-", dir=settings.data_dir))
    try:
        target = folder / "interview.mp4"
        try:
            client = client or make_client(settings.storage)
            answer = client.get_object(Bucket=settings.storage.bucket, Key=key)
            digest = hashlib.sha256()
            with target.open("wb") as out:
                for chunk in answer["Body"].iter_chunks(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
        except OSError:
            raise  # this booth's disk: its own error says what
        except Exception as exc:
            raise KioskError(explain(exc, settings.storage)) from None
        if target.stat().st_size != size or digest.hexdigest() != sha256:
            raise KioskError(f"The copy of {key} in the bucket does not match the recording "
                             f"(its size or SHA-256 differs): it was changed or damaged there.")
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)
