"""Carrying a finished interview's files to the object store, resumable, verified.

Each file is an `Upload` row; the open multipart upload's id and each part the store
acknowledged are rows too, committed as they happen. After a kill, a power cut or a dropped
network the store's own list of parts is asked again and only the missing parts are sent
(a part the client gave up on may still have landed: the list, not the client's error, says
what is there). Every part carries its SHA-256, so the store refuses one that did not arrive
as it was sent; the finished object is read back (its size, the whole file's SHA-256 kept
as metadata, and the store's checksum of the parts) before the upload counts as done.

Some S3-compatible stores list a part number sent twice twice, newest first, and none lists
the parts' checksums: a listed part is taken once, and only when its ETag is the MD5 of the
bytes this booth has for it; its SHA-256 is then made again from the file.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import json
import math
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, update

from kiosk.config import Settings, StorageSettings
from kiosk.store.database import Database
from kiosk.store.files import session_folder, sync_folder
from kiosk.store.locks import is_being_recorded
from kiosk.store.models import (
    InterviewSession,
    JobState,
    SessionStatus,
    TranscriptJob,
    Upload,
    UploadPart,
    UploadState,
)
from kiosk.store.transcripts import load_transcript, transcript_to_dict

MIN_PART_BYTES = 8 * 2**20  # S3's floor is 5 MiB for every part but the last
MAX_PARTS = 10_000  # S3's ceiling
UPLOADED_FILES = ("interview.mp4", "poster.jpg")
TRANSCRIPT_FILE = "transcript.json"  # written from the database once the transcript is whole
CONTENT_TYPES = {"interview.mp4": "video/mp4", "poster.jpg": "image/jpeg",
                 TRANSCRIPT_FILE: "application/json"}
FIRST_RETRY_S = 5.0
LONGEST_RETRY_S = 600.0
HASH_CHUNK = 2**20
WAITING = (UploadState.PENDING, UploadState.UPLOADING)
ABANDONED_AFTER = timedelta(days=7)  # no booth leaves its own upload open that long


class Outcome(enum.StrEnum):
    VERIFIED = "verified"
    FAILED = "failed"  # for good: the file is gone or changed since it was recorded
    STOPPED = "stopped"  # the booth asked it to stop: it resumes from its parts


@dataclass(frozen=True)
class UploadResult:
    session_id: str
    name: str
    outcome: Outcome
    parts_sent: int = 0
    bytes_sent: int = 0
    message: str = ""


def object_key(storage: StorageSettings, session_id: str, name: str) -> str:
    return f"{storage.prefix}/{session_id}/{name}"


def part_size_for(size: int) -> int:
    """Parts of at least 8 MiB, larger for a file that would need more than 10,000."""
    needed = math.ceil(size / MAX_PARTS)
    return max(MIN_PART_BYTES, math.ceil(needed / 2**20) * 2**20)


def queue_missing(db: Database, settings: Settings) -> list[str]:
    """Queue the files of this booth's finished interviews that have no upload yet, oldest
    first: after each interview, at start (a backlog, or a booth just switched to "s3")."""
    queued = []
    with db.session() as s:
        waiting = s.scalars(
            select(InterviewSession)
            .where(InterviewSession.status.in_((SessionStatus.COMPLETED,
                                                SessionStatus.RECOVERED)),
                   InterviewSession.recording_video.is_not(None),
                   InterviewSession.uploaded_at.is_(None),
                   or_(InterviewSession.booth_name == settings.booth_name,
                       InterviewSession.booth_name.is_(None)),
                   ~exists().where(Upload.session_id == InterviewSession.id))
            .order_by(InterviewSession.created_at)).all()
    for session in waiting:
        folder = session_folder(settings.recordings_dir, session.id)
        files = [folder / name for name in UPLOADED_FILES if (folder / name).is_file()]
        if not files:
            continue  # recorded on another booth before booths were named
        rows = [Upload(session_id=session.id, name=path.name,
                       key=object_key(settings.storage, session.id, path.name),
                       size=path.stat().st_size,
                       sha256=(session.sha256 if path.name == "interview.mp4" and session.sha256
                               else file_sha256(path)),
                       state=UploadState.PENDING, attempts=0, bytes_sent=0)
                for path in files]
        with db.session() as s, s.begin():
            s.add_all(rows)
        queued.append(session.id)
    _queue_transcripts(db, settings)
    return queued


def _queue_transcripts(db: Database, settings: Settings) -> None:
    """A transcript made after its interview was queued goes up too, as transcript.json
    (what the export's sidecar holds of it) beside the interview's other objects."""
    with db.session() as s:
        done = s.scalars(
            select(TranscriptJob.session_id)
            .join(InterviewSession, InterviewSession.id == TranscriptJob.session_id)
            .where(TranscriptJob.state == JobState.DONE,
                   or_(InterviewSession.booth_name == settings.booth_name,
                       InterviewSession.booth_name.is_(None)),
                   exists().where(Upload.session_id == InterviewSession.id),
                   ~exists().where(Upload.session_id == InterviewSession.id,
                                   Upload.name == TRANSCRIPT_FILE))).all()
    for session_id in done:
        folder = session_folder(settings.recordings_dir, session_id)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / TRANSCRIPT_FILE
        text = json.dumps(transcript_to_dict(load_transcript(db, session_id)),
                          ensure_ascii=False, indent=2)
        path.write_text(text, encoding="utf-8")
        with db.session() as s, s.begin():
            s.add(Upload(session_id=session_id, name=TRANSCRIPT_FILE,
                         key=object_key(settings.storage, session_id, TRANSCRIPT_FILE),
                         size=path.stat().st_size, sha256=file_sha256(path),
                         state=UploadState.PENDING, attempts=0, bytes_sent=0))


def next_upload(db: Database, now: datetime | None = None, *,
                session_id: str | None = None) -> int | None:
    """The oldest interview's next file that is due (its retry time, if any, has come)."""
    now = now or datetime.now(UTC)
    query = (select(Upload.id).join(InterviewSession, InterviewSession.id == Upload.session_id)
             .where(Upload.state.in_(WAITING),
                    or_(Upload.next_try_at.is_(None), Upload.next_try_at <= now))
             .order_by(InterviewSession.created_at, Upload.id).limit(1))
    if session_id is not None:
        query = query.where(Upload.session_id == session_id)
    with db.session() as s:
        return s.scalar(query)


def next_retry_at(db: Database) -> datetime | None:
    """When the soonest postponed upload is due again."""
    with db.session() as s:
        return s.scalar(select(func.min(Upload.next_try_at))
                        .where(Upload.state.in_(WAITING), Upload.next_try_at.is_not(None)))


def send(db: Database, settings: Settings, client: Any, upload_id: int, *,
         pace: Callable[[int, float], None] = lambda sent, seconds: None,
         stop: Callable[[], bool] = lambda: False) -> UploadResult:
    """Send one file (resuming its multipart upload), complete it and read it back.

    Raises the client's error when the store cannot be reached or refuses a request: the
    caller postpones the upload (`postpone`). `pace(bytes, seconds)` is told of every part
    sent, and may sleep to keep a bandwidth limit.
    """
    storage = settings.storage
    with db.session() as s:
        row = s.get(Upload, upload_id)
        assert row is not None, "an upload is only asked for by its id, from next_upload"
        parts = {p.number: _Part(p.number, p.etag, p.sha256_b64) for p in row.parts}
        upload = _Snapshot.of(row)
    path = session_folder(settings.recordings_dir, upload.session_id) / upload.name
    bucket = storage.bucket
    if not path.is_file():
        return _give_up(db, client, bucket, upload,
                        f"The file {path} is missing: nothing can be uploaded.")
    if path.stat().st_size != upload.size:
        return _give_up(db, client, bucket, upload,
                        f"The file {path} changed since it was recorded "
                        f"({path.stat().st_size} bytes, not {upload.size}).")
    if upload.upload_id is not None:
        listed = _listed_parts(client, bucket, upload)
        if listed is None:  # the store no longer knows it (aborted, expired): start again
            upload = _reset(db, upload)
            parts = {}
        else:
            parts = _reconcile(db, upload, path, parts, listed)
    if upload.upload_id is None:
        upload = _open(db, client, bucket, upload, settings.booth_name)
    assert upload.upload_id is not None and upload.part_size is not None
    part_size = upload.part_size
    count = max(1, math.ceil(upload.size / part_size))
    missing = [number for number in range(1, count + 1) if number not in parts]
    # A fresh upload reads the whole file, in order: its SHA-256 is taken on the way, and
    # checked against the recording's before the upload is completed.
    whole = hashlib.sha256() if len(missing) == count else None
    sent_parts = sent_bytes = 0
    with path.open("rb") as handle, ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="upload-reader") as reader:

        def prepared(number: int) -> tuple[bytes, str]:
            # On its own thread: the next part is read and hashed while this one is sent.
            handle.seek((number - 1) * part_size)
            data = handle.read(part_size)
            if whole is not None:
                whole.update(data)
            return data, base64.b64encode(hashlib.sha256(data).digest()).decode()

        upcoming = reader.submit(prepared, missing[0]) if missing else None
        for position, number in enumerate(missing):
            assert upcoming is not None
            data, digest = upcoming.result()
            if position + 1 < len(missing):
                upcoming = reader.submit(prepared, missing[position + 1])
            if stop():
                return UploadResult(upload.session_id, upload.name, Outcome.STOPPED,
                                    sent_parts, sent_bytes)
            _count_sent(db, upload.id, len(data))
            started = time.monotonic()
            answer = client.upload_part(Bucket=bucket, Key=upload.key,
                                        UploadId=upload.upload_id, PartNumber=number,
                                        Body=data, ChecksumSHA256=digest)
            parts[number] = _keep_part(db, upload.id, number, len(data), answer["ETag"], digest)
            sent_parts, sent_bytes = sent_parts + 1, sent_bytes + len(data)
            pace(len(data), time.monotonic() - started)
    recorded = whole.hexdigest() if whole is not None else file_sha256(path)
    if recorded != upload.sha256:
        return _give_up(db, client, bucket, upload,
                        f"The file {path} no longer matches the checksum taken when it was "
                        f"recorded: it was changed or damaged.")
    ordered = [parts[number] for number in range(1, count + 1)]
    client.complete_multipart_upload(
        Bucket=bucket, Key=upload.key, UploadId=upload.upload_id,
        MultipartUpload={"Parts": [{"PartNumber": p.number, "ETag": p.etag,
                                    "ChecksumSHA256": p.sha256_b64} for p in ordered]})
    problem = _read_back(client, bucket, upload, ordered)
    if problem is not None:
        # What the store holds is not what was sent: send it again, whole.
        client.delete_object(Bucket=bucket, Key=upload.key)
        _reset(db, upload)
        raise _Mismatch(problem)
    _verified(db, upload)
    return UploadResult(upload.session_id, upload.name, Outcome.VERIFIED, sent_parts,
                        sent_bytes)


def postpone(db: Database, upload_id: int, message: str, *, attempts: int | None = None
             ) -> datetime:
    """Try again later, waiting longer after each failure (5 s doubling, at most 10 min)."""
    with db.session() as s, s.begin():
        row = s.get(Upload, upload_id)
        assert row is not None
        row.attempts = (row.attempts if attempts is None else attempts) + 1
        delay = min(LONGEST_RETRY_S, FIRST_RETRY_S * 2 ** (row.attempts - 1))
        row.next_try_at = datetime.now(UTC) + timedelta(seconds=delay)
        row.last_error = message
        return row.next_try_at


def abort_abandoned(db: Database, storage: StorageSettings, client: Any) -> list[str]:
    """Abort the multipart uploads under our prefix that no upload row holds (a row deleted
    with its session, a reset): the store would keep their parts, and bill them, for ever."""
    with db.session() as s:
        held = set(s.scalars(select(Upload.upload_id).where(
            Upload.upload_id.is_not(None), Upload.state.in_(WAITING))))
        known = set(s.scalars(select(InterviewSession.id)))
    cutoff = datetime.now(UTC) - ABANDONED_AFTER
    prefix = f"{storage.prefix}/"
    aborted = []
    paginator = client.get_paginator("list_multipart_uploads")
    for page in paginator.paginate(Bucket=storage.bucket, Prefix=prefix):
        for item in page.get("Uploads", []):
            session_id = item["Key"][len(prefix):].split("/", 1)[0]
            # Booths may share a bucket without sharing a database: another booth's upload
            # in progress is held by a row this booth cannot see. Only an upload of one of
            # this database's sessions is surely abandoned now; any other after a week.
            if item["UploadId"] not in held and (session_id in known
                                                 or item["Initiated"] < cutoff):
                client.abort_multipart_upload(Bucket=storage.bucket, Key=item["Key"],
                                              UploadId=item["UploadId"])
                aborted.append(item["Key"])
    return aborted


def remove_local_copies(db: Database, settings: Settings, client: Any,
                        now: datetime | None = None) -> list[str]:
    """Remove this booth's copy of interviews uploaded and verified `keep_local_days` ago,
    each object read back once more first; the ids of those removed. Nothing that is not
    verified in the store is ever removed, never a folder being recorded, and never one
    whose transcript is still to be made."""
    storage = settings.storage
    cutoff = (now or datetime.now(UTC)) - timedelta(days=storage.keep_local_days)
    query = (select(InterviewSession.id)
             .where(InterviewSession.uploaded_at.is_not(None),
                    InterviewSession.uploaded_at <= cutoff,
                    InterviewSession.local_removed_at.is_(None),
                    or_(InterviewSession.booth_name == settings.booth_name,
                        InterviewSession.booth_name.is_(None)),
                    ~exists().where(Upload.session_id == InterviewSession.id,
                                    Upload.state != UploadState.VERIFIED))
             .order_by(InterviewSession.uploaded_at))
    if settings.transcripts.enabled:
        # The transcription reads the booth's own copy: it stays until the transcript is
        # made (and uploaded with the rest), or could not be.
        query = query.where(~exists().where(
            TranscriptJob.session_id == InterviewSession.id,
            TranscriptJob.state.in_((JobState.PENDING, JobState.RUNNING))))
    with db.session() as s:
        due = s.scalars(query).all()
    removed = []
    for session_id in due:
        folder = session_folder(settings.recordings_dir, session_id)
        if is_being_recorded(folder) or not _still_in_store(db, storage, client, session_id):
            continue
        if folder.exists():
            shutil.rmtree(folder)
            sync_folder(settings.recordings_dir)
        with db.session() as s, s.begin():
            s.execute(update(InterviewSession).where(InterviewSession.id == session_id)
                      .values(local_removed_at=datetime.now(UTC)))
        removed.append(session_id)
    return removed


def _still_in_store(db: Database, storage: StorageSettings, client: Any,
                    session_id: str) -> bool:
    with db.session() as s:
        files = s.execute(select(Upload.key, Upload.size, Upload.sha256)
                          .where(Upload.session_id == session_id)).all()
    for key, size, sha256 in files:
        head = client.head_object(Bucket=storage.bucket, Key=key)
        if head.get("ContentLength") != size or head.get("Metadata", {}).get("sha256") != sha256:
            return False
    return bool(files)


@dataclass(frozen=True)
class Backlog:
    files: int
    bytes: int
    sessions: int
    oldest: datetime | None  # when the oldest interview waiting was recorded
    failed: int
    last_verified: datetime | None
    last_error: str | None


def backlog(db: Database) -> Backlog:
    waiting = Upload.state.in_(WAITING)
    with db.session() as s:
        files, size, sessions = s.execute(
            select(func.count(Upload.id), func.coalesce(func.sum(Upload.size), 0),
                   func.count(func.distinct(Upload.session_id))).where(waiting)).one()
        oldest = s.scalar(select(func.min(InterviewSession.created_at))
                          .join(Upload, Upload.session_id == InterviewSession.id).where(waiting))
        failed = s.scalar(select(func.count(Upload.id))
                          .where(Upload.state == UploadState.FAILED)) or 0
        last = s.scalar(select(func.max(Upload.verified_at)))
        error = s.scalar(select(Upload.last_error).where(waiting, Upload.last_error.is_not(None))
                         .order_by(Upload.next_try_at.desc()).limit(1))
    return Backlog(files=files, bytes=int(size), sessions=sessions, oldest=oldest,
                   failed=failed, last_verified=last, last_error=error)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _Mismatch(Exception):
    """The object read back is not what was sent (it is sent again)."""


@dataclass(frozen=True)
class _Snapshot:
    """The upload row as read, so no ORM object outlives its session."""

    id: int
    session_id: str
    name: str
    key: str
    size: int
    sha256: str
    upload_id: str | None
    part_size: int | None

    @classmethod
    def of(cls, row: Upload) -> _Snapshot:
        return cls(row.id, row.session_id, row.name, row.key, row.size, row.sha256,
                   row.upload_id, row.part_size)


@dataclass(frozen=True)
class _Part:
    number: int
    etag: str
    sha256_b64: str


def _open(db: Database, client: Any, bucket: str, upload: _Snapshot, booth: str) -> _Snapshot:
    answer = client.create_multipart_upload(
        Bucket=bucket, Key=upload.key, ChecksumAlgorithm="SHA256",
        ContentType=CONTENT_TYPES.get(upload.name, "application/octet-stream"),
        Metadata={"sha256": upload.sha256, "session-id": upload.session_id,
                  "booth": booth.encode("ascii", "replace").decode()})
    opened = replace(upload, upload_id=answer["UploadId"],
                     part_size=part_size_for(upload.size))
    with db.session() as s, s.begin():
        s.execute(update(Upload).where(Upload.id == upload.id).values(
            upload_id=opened.upload_id, part_size=opened.part_size,
            state=UploadState.UPLOADING))
    return opened


def _reset(db: Database, upload: _Snapshot) -> _Snapshot:
    with db.session() as s, s.begin():
        row = s.get(Upload, upload.id)
        assert row is not None
        row.parts.clear()
        row.upload_id, row.part_size, row.state = None, None, UploadState.PENDING
    return replace(upload, upload_id=None, part_size=None)


def _listed_parts(client: Any, bucket: str, upload: _Snapshot) -> dict[int, str] | None:
    """The store's parts of the open upload (number: ETag, the newest where a number is
    listed twice); None when the store does not know the upload any more."""
    from botocore.exceptions import ClientError

    listed: dict[int, str] = {}
    paginator = client.get_paginator("list_parts")
    try:
        for page in paginator.paginate(Bucket=bucket, Key=upload.key,
                                       UploadId=upload.upload_id):
            for part in sorted(page.get("Parts", []), key=lambda p: p.get("LastModified", 0),
                               reverse=True):
                listed.setdefault(part["PartNumber"], part["ETag"])
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchUpload", "404"):
            return None
        raise
    return listed


def _reconcile(db: Database, upload: _Snapshot, path: Path, kept: dict[int, _Part],
               listed: dict[int, str]) -> dict[int, _Part]:
    """The parts both sides agree on; the rest are sent (again)."""
    assert upload.part_size is not None
    parts: dict[int, _Part] = {}
    with path.open("rb") as handle:
        for number, etag in listed.items():
            ours = kept.get(number)
            if ours is not None and ours.etag == etag:
                parts[number] = _Part(number, ours.etag, ours.sha256_b64)
                continue
            handle.seek((number - 1) * upload.part_size)
            data = handle.read(upload.part_size)
            if etag.strip('"') == hashlib.md5(data, usedforsecurity=False).hexdigest():
                digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
                parts[number] = _keep_part(db, upload.id, number, len(data), etag, digest)
    with db.session() as s, s.begin():
        stale = [n for n in kept if n not in parts]
        if stale:
            s.execute(delete(UploadPart).where(
                and_(UploadPart.upload_id == upload.id, UploadPart.number.in_(stale))))
    return parts


def _keep_part(db: Database, upload_id: int, number: int, size: int, etag: str,
               digest: str) -> _Part:
    with db.session() as s, s.begin():
        s.merge(UploadPart(upload_id=upload_id, number=number, size=size, etag=etag,
                           sha256_b64=digest))
    return _Part(number, etag, digest)


def _count_sent(db: Database, upload_id: int, size: int) -> None:
    with db.session() as s, s.begin():
        s.execute(update(Upload).where(Upload.id == upload_id)
                  .values(bytes_sent=Upload.bytes_sent + size))


def _read_back(client: Any, bucket: str, upload: _Snapshot, parts: list[_Part]) -> str | None:
    """Why the stored object is not the file sent, or None when it is."""
    head = client.head_object(Bucket=bucket, Key=upload.key, ChecksumMode="ENABLED")
    if head.get("ContentLength") != upload.size:
        return f"{upload.key} holds {head.get('ContentLength')} bytes, not {upload.size}"
    if head.get("Metadata", {}).get("sha256") != upload.sha256:
        return f"{upload.key} does not carry the file's SHA-256"
    stored = head.get("ChecksumSHA256")
    if stored:  # the store's own checksum of the parts it holds, where it gives one
        joined = b"".join(base64.b64decode(p.sha256_b64) for p in parts)
        expected = base64.b64encode(hashlib.sha256(joined).digest()).decode()
        if stored.split("-")[0] != expected:
            return f"{upload.key}'s parts are not the ones sent"
    return None


def _verified(db: Database, upload: _Snapshot) -> None:
    now = datetime.now(UTC)
    with db.session() as s, s.begin():
        s.execute(update(Upload).where(Upload.id == upload.id).values(
            state=UploadState.VERIFIED, verified_at=now, last_error=None, next_try_at=None))
        left = s.scalar(select(func.count(Upload.id)).where(
            Upload.session_id == upload.session_id, Upload.state != UploadState.VERIFIED))
        if not left:
            s.execute(update(InterviewSession).where(InterviewSession.id == upload.session_id)
                      .values(uploaded_at=now))


def _give_up(db: Database, client: Any, bucket: str, upload: _Snapshot, message: str
             ) -> UploadResult:
    """Refused for good, its open multipart upload aborted first: no row will hold it again
    (abort_abandoned keeps what a row holds), and the store would keep its parts for ever."""
    from botocore.exceptions import ClientError

    if upload.upload_id is not None:
        try:
            client.abort_multipart_upload(Bucket=bucket, Key=upload.key,
                                          UploadId=upload.upload_id)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("NoSuchUpload", "404"):
                raise  # the store away: postponed, and given up again next time
        upload = _reset(db, upload)
    return _fail(db, upload, message)


def _fail(db: Database, upload: _Snapshot, message: str) -> UploadResult:
    with db.session() as s, s.begin():
        s.execute(update(Upload).where(Upload.id == upload.id).values(
            state=UploadState.FAILED, last_error=message))
    return UploadResult(upload.session_id, upload.name, Outcome.FAILED, message=message)
