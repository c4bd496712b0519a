"""The upload queue's faults, against a real S3 server (SeaweedFS on loopback, tests/s3_server).

Every test configures a booth for S3 the way IT does (`[storage]` in kiosk.toml, credentials
in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), then looks at what is really there: the upload
rows in the database and the objects (and open multipart uploads) in the bucket.

Sessions are made fast where the recording itself does not matter: a COMPLETED row and files
of random bytes (random: a compressible or repeated pattern would hide a part sent twice or
in the wrong place). `quick_interview` records real ones where it does.
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy import select

from kiosk.config import Settings, load_settings
from kiosk.errors import ConfigError
from kiosk.storage import uploads
from kiosk.storage.s3 import explain, is_unreachable, make_client
from kiosk.storage.uploads import Outcome
from kiosk.storage.worker import UploadWorker, run_uploads
from kiosk.store.database import Database, open_configured
from kiosk.store.files import session_folder
from kiosk.store.models import InterviewSession, SessionStatus, Upload, UploadState
from kiosk.store.sessions import create_session
from tests.engine import quick_interview
from tests.s3_server import REGION, S3Server
from tests.tcp_faults import CorruptingRelay

REPO = Path(__file__).resolve().parents[1]
MiB = 2**20
PART = uploads.MIN_PART_BYTES  # every file below 80 GB goes in parts of this size
WAITING = (UploadState.PENDING, UploadState.UPLOADING)


# -- a booth configured for S3 --------------------------------------------------------------

@dataclass
class Booth:
    settings: Settings
    db: Database
    server: S3Server
    secret_key: str

    @property
    def bucket(self) -> str:
        return self.settings.storage.bucket

    def client(self) -> Any:
        """The product's own client (make_client), as the booth builds it."""
        return make_client(self.settings.storage)

    def direct(self) -> Any:
        """A client straight to the server (not through a relay): the test's own eyes."""
        return self.server.client()


BoothFactory = Callable[..., Booth]


@pytest.fixture
def make_booth(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[BoothFactory]:
    """Configure the test's data folder for S3 and open its database; closed afterwards."""
    opened: list[Database] = []

    def make(server: S3Server, bucket: str, *, endpoint_url: str | None = None,
             database_url: str | None = None, max_upload_mbps: int = 0,
             booth_name: str = "Booth 1") -> Booth:
        data_dir.mkdir(parents=True, exist_ok=True)
        top: dict[str, object] = {"booth_name": booth_name}
        if database_url is not None:
            top["database_url"] = database_url
        storage: dict[str, object] = {
            "kind": "s3", "endpoint_url": endpoint_url or server.endpoint_url,
            "region": REGION, "bucket": bucket, "max_upload_mbps": max_upload_mbps}
        (data_dir / "kiosk.toml").write_text(_toml(top, {"storage": storage}))
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.access_key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", server.secret_key)
        settings = load_settings()
        db = open_configured(settings)
        opened.append(db)
        return Booth(settings, db, server, server.secret_key)

    yield make
    for db in opened:
        db.close()


@pytest.fixture
def booth(make_booth: BoothFactory, s3_server: S3Server, s3_bucket: str) -> Booth:
    """A booth on SQLite, uploading to a bucket of its own on the session's server."""
    return make_booth(s3_server, s3_bucket)


def _toml(top: dict[str, object], tables: dict[str, dict[str, object]]) -> str:
    # JSON's strings and integers are TOML's too (for the ASCII values used here).
    lines = [f"{key} = {json.dumps(value)}" for key, value in top.items()]
    for name, table in tables.items():
        lines.append(f"[{name}]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in table.items()]
    return "\n".join(lines) + "\n"


# -- sessions and files ----------------------------------------------------------------------

def write_random(path: Path, size: int, seed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with path.open("wb") as out:
        left = size
        while left:
            chunk = min(left, 4 * MiB)
            out.write(rng.randbytes(chunk))
            left -= chunk


def finished_session(booth: Booth, video_bytes: int, *, poster_bytes: int = 20_000,
                     created_at: datetime | None = None, booth_name: str | None = None,
                     name: str = "Grace Hopper") -> str:
    """A COMPLETED interview of this booth (unless `booth_name` says another) whose
    interview.mp4 and poster.jpg are random bytes, its SHA-256 recorded as finish() does."""
    settings = booth.settings
    with booth.db.session() as s, s.begin():
        session_id = create_session(s, name, status=SessionStatus.COMPLETED).id
    folder = session_folder(settings.recordings_dir, session_id)
    seed = int(session_id.replace("-", "")[:8], 16)
    write_random(folder / "interview.mp4", video_bytes, seed)
    write_random(folder / "poster.jpg", poster_bytes, seed + 1)
    with booth.db.session() as s, s.begin():
        row = s.get_one(InterviewSession, session_id)
        row.recording_video = f"{session_id}/interview.mp4"
        row.thumbnail = f"{session_id}/poster.jpg"
        row.recording_created_at = row.completed_at = datetime.now(UTC)
        row.size_bytes = video_bytes
        row.sha256 = uploads.file_sha256(folder / "interview.mp4")
        row.booth_name = booth_name or settings.booth_name
        if created_at is not None:
            row.created_at = created_at
    return session_id


def files_of(booth: Booth, session_id: str) -> dict[str, Path]:
    folder = session_folder(booth.settings.recordings_dir, session_id)
    return {name: folder / name for name in uploads.UPLOADED_FILES}


def fingerprints(booth: Booth, session_id: str) -> dict[str, tuple[int, str]]:
    """Each local file's size and SHA-256: what 'untouched' means."""
    return {name: (path.stat().st_size, uploads.file_sha256(path))
            for name, path in files_of(booth, session_id).items()}


@dataclass(frozen=True)
class Row:
    """An upload row as read (the ORM object does not outlive its database session)."""

    id: int
    name: str
    key: str
    size: int
    sha256: str
    state: UploadState
    upload_id: str | None
    part_size: int | None
    attempts: int
    next_try_at: datetime | None
    last_error: str | None
    bytes_sent: int
    verified_at: datetime | None
    parts: tuple[int, ...]


def rows_of(db: Database, session_id: str) -> dict[str, Row]:
    with db.session() as s:
        found = s.scalars(select(Upload).where(Upload.session_id == session_id)).all()
        return {u.name: Row(u.id, u.name, u.key, u.size, u.sha256, u.state, u.upload_id,
                            u.part_size, u.attempts, u.next_try_at, u.last_error, u.bytes_sent,
                            u.verified_at, tuple(p.number for p in u.parts))
                for u in found}


def row(db: Database, upload_id: int) -> Row:
    with db.session() as s:
        session_id = s.get_one(Upload, upload_id).session_id
    return next(r for r in rows_of(db, session_id).values() if r.id == upload_id)


def video_upload(booth: Booth, session_id: str) -> int:
    """The interview.mp4 row of a session, queued if it was not yet."""
    uploads.queue_missing(booth.db, booth.settings)
    return rows_of(booth.db, session_id)["interview.mp4"].id


def session_row(db: Database, session_id: str) -> tuple[SessionStatus, datetime | None]:
    with db.session() as s:
        found = s.get_one(InterviewSession, session_id)
        return found.status, found.uploaded_at


# -- the bucket ------------------------------------------------------------------------------

def open_uploads(client: Any, bucket: str) -> list[tuple[str, str]]:
    """(key, upload id) of every multipart upload still open in the bucket."""
    answer = client.list_multipart_uploads(Bucket=bucket)
    return [(u["Key"], u["UploadId"]) for u in answer.get("Uploads", [])]


def objects(client: Any, bucket: str, prefix: str = "") -> list[str]:
    answer = client.list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(item["Key"] for item in answer.get("Contents", []))


def stored_sha256(client: Any, bucket: str, key: str) -> str:
    digest = hashlib.sha256()
    for chunk in client.get_object(Bucket=bucket, Key=key)["Body"].iter_chunks(MiB):
        digest.update(chunk)
    return digest.hexdigest()


def assert_verified(booth: Booth, session_id: str, *, exact_bytes_sent: bool = True) -> None:
    """Both files are VERIFIED in the store and in the bucket, byte for byte, the session
    says it is uploaded, and no multipart upload is left open."""
    client = booth.direct()
    rows = rows_of(booth.db, session_id)
    assert sorted(rows) == sorted(uploads.UPLOADED_FILES)
    with booth.db.session() as s:
        recorded_sha256 = s.get_one(InterviewSession, session_id).sha256
    for name, path in files_of(booth, session_id).items():
        upload = rows[name]
        assert upload.state is UploadState.VERIFIED, upload
        assert upload.verified_at is not None and upload.last_error is None
        assert upload.key == f"{booth.settings.storage.prefix}/{session_id}/{name}"
        size, sha256 = path.stat().st_size, uploads.file_sha256(path)
        head = client.head_object(Bucket=booth.bucket, Key=upload.key)
        assert head["ContentLength"] == upload.size == size
        assert head["Metadata"]["sha256"] == upload.sha256 == sha256
        assert head["ContentType"] == uploads.CONTENT_TYPES[name]
        if name == "interview.mp4":
            assert head["Metadata"]["sha256"] == recorded_sha256
        assert stored_sha256(client, booth.bucket, upload.key) == sha256
        if exact_bytes_sent:
            assert upload.bytes_sent == size
        else:
            assert size <= upload.bytes_sent
    status, uploaded_at = session_row(booth.db, session_id)
    assert status is SessionStatus.COMPLETED and uploaded_at is not None
    assert open_uploads(client, booth.bucket) == []


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)


# -- 1. the happy path -----------------------------------------------------------------------

def test_finished_interviews_go_up_verified_oldest_first(booth: Booth) -> None:
    recorded = quick_interview(booth.db, booth.settings)  # a real recording's files
    with booth.db.session() as s:
        when = s.get_one(InterviewSession, recorded).created_at
    # Made after it, yet older: it must go first. And one made between them, in 3 parts.
    older = finished_session(booth, 300_000, created_at=when - timedelta(hours=1))
    newer = finished_session(booth, 2 * PART + 4321, created_at=when + timedelta(minutes=1))
    # Another booth's interview (its files are on that booth) is not this booth's to send.
    elsewhere = finished_session(booth, 1000, booth_name="Booth 2")

    results = run_uploads(booth.db, booth.settings)

    assert [(r.session_id, r.name) for r in results] == [
        (session, name) for session in (older, recorded, newer)
        for name in ("interview.mp4", "poster.jpg")]
    assert all(r.outcome is Outcome.VERIFIED for r in results)
    for session in (older, recorded, newer):
        assert_verified(booth, session)
    assert rows_of(booth.db, newer)["interview.mp4"].parts == (1, 2, 3)
    assert rows_of(booth.db, elsewhere) == {}
    assert session_row(booth.db, elsewhere)[1] is None
    assert not any(key.startswith(f"interviews/{elsewhere}/")
                   for key in objects(booth.direct(), booth.bucket))
    # Nothing left to do: a second run sends nothing.
    assert run_uploads(booth.db, booth.settings) == []
    assert uploads.backlog(booth.db).files == 0


# -- 2. the server goes away mid-upload ------------------------------------------------------

def test_server_gone_mid_upload_resumes_where_it_stopped(
        make_booth: BoothFactory, own_s3_server: S3Server, database_url: str) -> None:
    server = own_s3_server
    booth = make_booth(server, server.create_bucket("kiosk-resume"), database_url=database_url)
    size = 5 * PART + 777  # 6 parts
    session_id = finished_session(booth, size)
    upload_id = video_upload(booth, session_id)
    parts_in: list[int] = []

    def pace(sent: int, seconds: float) -> None:
        parts_in.append(sent)
        if len(parts_in) == 3:  # half the parts are in: the server crashes
            server.stop_server()

    with pytest.raises(BotoCoreError) as caught:  # botocore's connection error, raised
        uploads.send(booth.db, booth.settings, booth.client(), upload_id, pace=pace)
    message = explain(caught.value, booth.settings.storage)
    assert is_unreachable(caught.value)
    assert "cannot be reached" in message and repr(booth.bucket) in message
    retry_at = uploads.postpone(booth.db, upload_id, message)

    waiting = row(booth.db, upload_id)
    assert waiting.state is UploadState.UPLOADING and waiting.upload_id is not None
    assert waiting.parts == (1, 2, 3)
    assert waiting.last_error == message and waiting.attempts == 1
    assert waiting.next_try_at is not None and waiting.next_try_at > datetime.now(UTC)
    assert waiting.next_try_at == retry_at
    assert waiting.bytes_sent == 4 * PART  # the fourth was counted before it was refused
    assert uploads.next_upload(booth.db) != upload_id  # not due before its retry time
    assert session_row(booth.db, session_id) == (SessionStatus.COMPLETED, None)

    server.start_again()
    result = uploads.send(booth.db, booth.settings, booth.client(), upload_id)

    assert result.outcome is Outcome.VERIFIED
    assert result.parts_sent == 3 and result.bytes_sent == 2 * PART + 777
    done = row(booth.db, upload_id)
    assert done.upload_id == waiting.upload_id  # the same multipart upload, resumed
    assert size < done.bytes_sent <= size + PART
    run_uploads(booth.db, booth.settings)  # the poster
    assert_verified(booth, session_id, exact_bytes_sent=False)
    assert objects(booth.direct(), booth.bucket) == sorted(
        r.key for r in rows_of(booth.db, session_id).values())


# -- 3. kill -9 of the uploading process -----------------------------------------------------

def test_killed_upload_resumes_with_at_most_one_part_again(
        make_booth: BoothFactory, s3_server: S3Server, s3_bucket: str) -> None:
    # About 6 s at 200 Mb/s: long enough to kill it in the middle, from outside.
    booth = make_booth(s3_server, s3_bucket, max_upload_mbps=200)
    size = 16 * PART + 12_345  # 17 parts, 134 MB
    session_id = finished_session(booth, size)
    child = subprocess.Popen([sys.executable, "-m", "kiosk", "storage", "upload"], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        def past_60_percent() -> bool:
            assert child.poll() is None, child.communicate()[0].decode(errors="replace")
            found = rows_of(booth.db, session_id).get("interview.mp4")
            return found is not None and found.bytes_sent > 0.6 * size
        wait_for(past_60_percent, 60, "the child sent 60% of the file")
        child.kill()  # SIGKILL: no cleanup of any kind
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
    assert child.returncode == -9

    killed = rows_of(booth.db, session_id)["interview.mp4"]
    assert killed.state is UploadState.UPLOADING and killed.upload_id is not None
    assert killed.parts and killed.bytes_sent < size
    assert open_uploads(booth.direct(), booth.bucket) == [(killed.key, killed.upload_id)]

    # The second run, in this process and unpaced (the limit is not what is tested here).
    started = time.monotonic()
    results = run_uploads(booth.db, replace(booth.settings, storage=replace(
        booth.settings.storage, max_upload_mbps=0)))
    seconds = time.monotonic() - started

    video = rows_of(booth.db, session_id)["interview.mp4"]
    again = video.bytes_sent - size
    print(f"\nkill -9 at {killed.bytes_sent / size:.0%} ({len(killed.parts)} parts recorded): "
          f"{again} bytes sent again; the rest went in {seconds:.1f} s")
    assert [r.outcome for r in results] == [Outcome.VERIFIED, Outcome.VERIFIED]
    assert video.upload_id == killed.upload_id  # resumed, not started over
    assert 0 <= again <= PART
    assert results[0].parts_sent <= 17 - len(killed.parts)
    assert_verified(booth, session_id, exact_bytes_sent=False)
    assert objects(booth.direct(), booth.bucket, f"interviews/{session_id}/") == sorted(
        f"interviews/{session_id}/{name}" for name in uploads.UPLOADED_FILES)


# -- 4. a part damaged on the way ------------------------------------------------------------

def test_part_damaged_on_the_way_is_refused_and_sent_again(
        make_booth: BoothFactory, s3_server: S3Server, s3_bucket: str) -> None:
    relay = CorruptingRelay("127.0.0.1", s3_server.ports["s3.port"])
    try:
        booth = make_booth(s3_server, s3_bucket, endpoint_url=relay.url)
        size = 2 * PART + 1000  # 3 parts
        session_id = finished_session(booth, size)
        upload_id = video_upload(booth, session_id)
        # One bit of part 2's body, in its middle, after the booth computed its SHA-256.
        relay.corrupt_next(b"partNumber=2 HTTP/", skip=PART // 2)

        with pytest.raises(ClientError) as caught:
            uploads.send(booth.db, booth.settings, booth.client(), upload_id)
        assert relay.flipped.is_set()
        assert caught.value.response["Error"]["Code"] == "BadDigest"
        message = explain(caught.value, booth.settings.storage)
        assert "BadDigest" in message and "\n" not in message
        assert not is_unreachable(caught.value)  # refused, not away
        uploads.postpone(booth.db, upload_id, message)

        refused = row(booth.db, upload_id)
        assert refused.state is UploadState.UPLOADING
        assert refused.parts == (1,)  # the damaged part is not counted as stored
        assert refused.last_error == message
        listed = booth.direct().list_parts(Bucket=booth.bucket, Key=refused.key,
                                           UploadId=refused.upload_id)
        assert [p["PartNumber"] for p in listed["Parts"]] == [1]

        result = uploads.send(booth.db, booth.settings, booth.client(), upload_id)
        assert result.outcome is Outcome.VERIFIED
        assert result.parts_sent == 2  # parts 2 and 3: part 2 again, whole
        assert row(booth.db, upload_id).bytes_sent == size + PART
        run_uploads(booth.db, booth.settings)
        assert_verified(booth, session_id, exact_bytes_sent=False)
    finally:
        relay.close()


# -- 5. the store refuses the booth ----------------------------------------------------------

@pytest.mark.parametrize("fault", ["wrong secret", "unknown key", "read-only key",
                                   "missing bucket"])
def test_refused_credentials_or_bucket_wait_with_one_clear_line(
        make_booth: BoothFactory, s3_server: S3Server, s3_bucket: str, database_url: str,
        monkeypatch: pytest.MonkeyPatch, fault: str) -> None:
    bucket = f"kiosk-missing-{secrets.token_hex(6)}" if fault == "missing bucket" else s3_bucket
    booth = make_booth(s3_server, bucket, database_url=database_url)
    session_id = finished_session(booth, 2 * MiB)
    before = fingerprints(booth, session_id)
    upload_id = video_upload(booth, session_id)
    secret = s3_server.secret_key
    wrong_secret = "wrong" + secrets.token_hex(18)
    if fault == "wrong secret":
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", wrong_secret)
    elif fault == "unknown key":
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "NOBODY" + secrets.token_hex(7).upper())
    elif fault == "read-only key":
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.read_only_access_key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.read_only_secret_key)
        secret = s3_server.read_only_secret_key

    with pytest.raises(ClientError) as caught:
        uploads.send(booth.db, booth.settings, booth.client(), upload_id)
    message = explain(caught.value, booth.settings.storage)

    assert f"bucket {bucket!r}" in message and "\n" not in message
    assert secret not in message and wrong_secret not in message
    assert s3_server.secret_key not in message
    expected = {"wrong secret": "credentials", "unknown key": "credentials",
                "read-only key": "AccessDenied", "missing bucket": "create it"}[fault]
    assert expected in message, message
    assert "no the bucket" not in message, f"not a sentence: {message}"
    assert not is_unreachable(caught.value)

    uploads.postpone(booth.db, upload_id, message)
    waiting = row(booth.db, upload_id)
    assert waiting.state in WAITING
    assert waiting.last_error == message
    assert waiting.next_try_at is not None and waiting.next_try_at > datetime.now(UTC)
    assert uploads.next_upload(booth.db) != upload_id
    assert uploads.next_upload(booth.db, datetime.now(UTC) + timedelta(hours=1)) == upload_id
    backlog = uploads.backlog(booth.db)
    assert (backlog.files, backlog.sessions, backlog.last_error) == (2, 1, message)
    assert backlog.bytes == 2 * MiB + 20_000
    # The recording is untouched: its files, its row.
    assert fingerprints(booth, session_id) == before
    assert session_row(booth.db, session_id) == (SessionStatus.COMPLETED, None)
    if fault != "missing bucket":
        assert objects(s3_server.client(), bucket) == []
        assert open_uploads(s3_server.client(), bucket) == []


# -- 6. multipart uploads nobody holds -------------------------------------------------------

def test_abandoned_multipart_uploads_are_aborted_and_held_ones_kept(booth: Booth) -> None:
    session_id = finished_session(booth, 2 * PART + 10)
    upload_id = video_upload(booth, session_id)
    held = uploads.send(booth.db, booth.settings, booth.client(), upload_id,
                        stop=iter([False, True]).__next__)  # one part, then the booth stops
    assert held.outcome is Outcome.STOPPED and held.parts_sent == 1
    ours = row(booth.db, upload_id)
    poster = rows_of(booth.db, session_id)["poster.jpg"]
    client = booth.direct()
    # A booth killed between the store's answer to create_multipart_upload and the commit
    # of its id leaves an upload that no row holds (here, of the poster, its row pending).
    orphan = client.create_multipart_upload(Bucket=booth.bucket, Key=poster.key)["UploadId"]
    client.upload_part(Bucket=booth.bucket, Key=poster.key, UploadId=orphan, PartNumber=1,
                       Body=b"x" * 1000)
    # Another prefix of the bucket is not the booth's to judge.
    foreign = client.create_multipart_upload(Bucket=booth.bucket, Key="other/x")["UploadId"]

    aborted = uploads.abort_abandoned(booth.db, booth.settings.storage, booth.client())

    assert aborted == [poster.key]
    assert sorted(open_uploads(client, booth.bucket)) == sorted(
        [(ours.key, ours.upload_id), ("other/x", foreign)])
    # The held one resumes from its part; the poster goes up in an upload of its own.
    result = uploads.send(booth.db, booth.settings, booth.client(), upload_id)
    assert result.outcome is Outcome.VERIFIED and result.parts_sent == 2
    run_uploads(booth.db, booth.settings)
    client.abort_multipart_upload(Bucket=booth.bucket, Key="other/x", UploadId=foreign)
    assert_verified(booth, session_id)


def test_another_booths_open_upload_is_not_aborted(
        make_booth: BoothFactory, s3_server: S3Server, s3_bucket: str,
        tmp_path: Path) -> None:
    """Booths with a database each (SQLite, the default) may share a bucket and prefix: one
    booth's clean-up must not take the other's upload in progress for abandoned."""
    first = make_booth(s3_server, s3_bucket)
    session_id = finished_session(first, 2 * PART + 10)
    upload_id = video_upload(first, session_id)
    stopped = uploads.send(first.db, first.settings, first.client(), upload_id,
                           stop=iter([False, True]).__next__)
    assert stopped.outcome is Outcome.STOPPED
    held = row(first.db, upload_id)

    other_dir = tmp_path / "booth-2"
    other_dir.mkdir()
    (other_dir / "kiosk.toml").write_text(first.settings.config_file.read_text()
                                          .replace('"Booth 1"', '"Booth 2"'))
    other_settings = load_settings({"KIOSK_DATA_DIR": str(other_dir)})
    other_db = open_configured(other_settings)
    try:
        assert other_settings.storage == first.settings.storage
        uploads.abort_abandoned(other_db, other_settings.storage, first.client())
    finally:
        other_db.close()

    assert open_uploads(first.direct(), first.bucket) == [(held.key, held.upload_id)], (
        "booth 2 aborted booth 1's upload in progress")


# -- 7. a file changed since it was recorded -------------------------------------------------

@pytest.mark.parametrize("when", ["before it was sent", "after a part went up"])
@pytest.mark.parametrize("change", ["grown", "a byte changed", "removed"])
def test_changed_file_is_refused_for_good_and_nothing_is_left_in_the_bucket(
        booth: Booth, change: str, when: str) -> None:
    session_id = finished_session(booth, 2 * PART + 500)
    upload_id = video_upload(booth, session_id)
    video = files_of(booth, session_id)["interview.mp4"]
    if when == "after a part went up":
        stopped = uploads.send(booth.db, booth.settings, booth.client(), upload_id,
                               stop=iter([False, True]).__next__)
        assert stopped.outcome is Outcome.STOPPED
    if change == "removed":
        video.unlink()
    elif change == "grown":
        with video.open("ab") as handle:
            handle.write(b"more")
    else:  # the same size; one byte of the last part, which has not gone up either way
        with video.open("r+b") as handle:
            handle.seek(2 * PART + 100)
            old = handle.read(1)
            handle.seek(2 * PART + 100)
            handle.write(bytes([old[0] ^ 0xFF]))

    result = uploads.send(booth.db, booth.settings, booth.client(), upload_id)

    assert result.outcome is Outcome.FAILED, result
    assert str(video) in result.message
    refused = row(booth.db, upload_id)
    assert refused.state is UploadState.FAILED and refused.last_error == result.message
    assert uploads.next_upload(booth.db, datetime.max.replace(tzinfo=UTC),
                               session_id=session_id) != upload_id
    assert uploads.backlog(booth.db).failed == 1
    assert session_row(booth.db, session_id) == (SessionStatus.COMPLETED, None)
    client = booth.direct()
    assert objects(client, booth.bucket) == []
    assert open_uploads(client, booth.bucket) == [], "its parts are left in the bucket"


# -- 8. the background worker ----------------------------------------------------------------

def test_worker_uploads_in_the_background_waits_for_the_server_and_recovers(
        make_booth: BoothFactory, own_s3_server: S3Server,
        monkeypatch: pytest.MonkeyPatch) -> None:
    server = own_s3_server
    booth = make_booth(server, server.create_bucket("kiosk-worker"))
    # Retries every second at most (5 s doubling to 10 min in the field): the server's
    # return is then seen within the test's time, by the same code path.
    monkeypatch.setattr(uploads, "FIRST_RETRY_S", 0.5)
    monkeypatch.setattr(uploads, "LONGEST_RETRY_S", 1.0)
    first = finished_session(booth, PART + 99)
    second = finished_session(booth, 1000)

    def uploaded(session_id: str) -> bool:
        return session_row(booth.db, session_id)[1] is not None

    worker = UploadWorker(booth.db, booth.settings)
    worker.start()
    try:
        wait_for(lambda: uploaded(first) and uploaded(second), 30, "the backlog went up")
        assert worker.problem is None
        third = finished_session(booth, 3000)
        worker.wake()
        wait_for(lambda: uploaded(third), 10, "a session committed afterwards went up")

        server.stop_server()
        # Recording goes on while the store is away: a real interview, committed.
        fourth = quick_interview(booth.db, booth.settings)
        before = fingerprints(booth, fourth)
        worker.wake()
        wait_for(lambda: worker.problem is not None, 20, "the worker says why it waits")
        assert worker.problem is not None
        assert "cannot be reached" in worker.problem and "\n" not in worker.problem
        time.sleep(1.5)  # a retry or two against the absent server
        assert session_row(booth.db, fourth) == (SessionStatus.COMPLETED, None)
        assert fingerprints(booth, fourth) == before
        waiting = rows_of(booth.db, fourth)
        assert all(r.state in WAITING for r in waiting.values())
        assert "cannot be reached" in (waiting["interview.mp4"].last_error or "")

        server.start_again()
        wait_for(lambda: uploaded(fourth), 20, "the worker recovered when the server came back")
        wait_for(lambda: worker.problem is None, 5, "the problem cleared")
    finally:
        worker.stop()
    for session_id in (first, second, third):
        assert_verified(booth, session_id)
    assert_verified(booth, fourth, exact_bytes_sent=False)
    assert worker.last_result is not None and worker.last_result.session_id == fourth


# -- 9. [storage] settings -------------------------------------------------------------------

@pytest.mark.parametrize(("storage", "key"), [
    ({"kind": "ftp", "bucket": "recordings"}, "storage.kind"),
    ({"kind": "s3", "bucket": ""}, "storage.bucket"),
    ({"kind": "s3", "bucket": "Recordings_2024"}, "storage.bucket"),
    ({"kind": "s3", "bucket": "recordings", "endpoint_url": "ftp://files.example"},
     "storage.endpoint_url"),
    ({"kind": "s3", "bucket": "recordings", "endpoint_url": "minio:9000"},
     "storage.endpoint_url"),
    ({"kind": "s3", "bucket": "recordings", "prefix": "/interviews"}, "storage.prefix"),
    ({"kind": "s3", "bucket": "recordings", "prefix": "a//b"}, "storage.prefix"),
    ({"kind": "s3", "bucket": "recordings", "max_upload_mbps": -1}, "storage.max_upload_mbps"),
    ({"kind": "s3", "bucket": "recordings", "max_upload_mbps": "fast"},
     "storage.max_upload_mbps"),
    ({"kind": "s3", "bucket": "recordings", "keep_local_days": -1}, "storage.keep_local_days"),
    # A secret has no place in the file (credentials come from the environment).
    ({"kind": "s3", "bucket": "recordings", "secret_access_key": "x"}, "storage.secret_access_key"),
])
def test_bad_storage_settings_name_the_key(data_dir: Path, storage: dict[str, object],
                                           key: str) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "kiosk.toml").write_text(_toml({}, {"storage": storage}))
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert f"'{key}'" in message and "\n" not in message
    assert str(data_dir / "kiosk.toml") in message


def test_good_storage_settings_are_read(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "kiosk.toml").write_text(_toml({"booth_name": "  Lobby   booth "}, {"storage": {
        "kind": "s3", "endpoint_url": "https://s3.example.org:9000", "region": "eu-west-1",
        "bucket": "recordings.example", "prefix": "booths/lobby", "max_upload_mbps": 0}}))
    settings = load_settings()
    assert settings.booth_name == "Lobby booth"
    assert (settings.storage.kind, settings.storage.bucket, settings.storage.prefix,
            settings.storage.max_upload_mbps) == ("s3", "recordings.example", "booths/lobby", 0)
    assert uploads.object_key(settings.storage, "id", "poster.jpg") == "booths/lobby/id/poster.jpg"
