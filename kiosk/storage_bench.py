"""`kiosk bench --storage`: the uploads' figures, against the booth's own bucket.

It uses `[storage]` and the booth's credentials, writes only under `<prefix>/bench-<id>/`
and removes what it wrote. In a throwaway booth (never this one's data):

1. Throughput: a backlog of interviews (`backlog_mb` in all) sent by the booth's uploads,
   against boto3's own `upload_file` of the same files in the same run (its defaults: 8 MiB
   parts, 10 threads), both without a bandwidth limit.
2. Resume: a `resume_mb` file uploaded by a child process killed (SIGKILL) once 60% is
   sent, then a second run: the bytes sent in all against the file's size, and so the
   parts sent twice.
3. A real-time 720p30 recording of the synthetic sources while a backlog uploads at the
   configured limit: its dropped frames.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kiosk.capture.clock import SystemClock
from kiosk.capture.live import LiveSources
from kiosk.capture.recorder import PartRecorder
from kiosk.capture.synthetic import SyntheticOptions, synthetic_pair
from kiosk.config import Settings, load_settings
from kiosk.errors import KioskError
from kiosk.media.encode import VideoFormat
from kiosk.storage import uploads
from kiosk.storage.s3 import make_client
from kiosk.storage.worker import UploadWorker, run_uploads
from kiosk.store.database import Database, open_configured
from kiosk.store.models import SessionStatus, Upload
from kiosk.store.sessions import create_session

MB = 1_000_000
INTERVIEW_MB = 50  # the backlog is interviews of this size (45 min of 720p, roughly)
KILL_AT = 0.6
RECORD_S = 20.0


def run_storage_bench(settings: Settings, *, backlog_mb: int = 500, resume_mb: int = 300,
                      progress: Any = lambda message: None) -> dict[str, Any]:
    if settings.storage.kind != "s3":
        raise KioskError("kiosk bench --storage measures the booth's bucket: set [storage] "
                         "kind = \"s3\" (and its bucket) first.")
    run = f"bench-{uuid.uuid4().hex[:8]}"
    work = Path(tempfile.mkdtemp(prefix="kiosk-storage-bench-"))
    bench = _bench_booth(settings, work / "booth", run)
    client = make_client(bench.storage)
    try:
        progress(f"uploading a {backlog_mb} MB backlog, then the same with boto3")
        throughput = _throughput(bench, client, backlog_mb, work)
        progress(f"killing an upload of {resume_mb} MB at {KILL_AT:.0%}, then resuming it")
        resume = _resume_after_kill(bench, resume_mb)
        progress(f"recording {RECORD_S:g} s in real time while a backlog uploads")
        recording = _record_while_uploading(bench, work)
    finally:
        _remove_objects(client, bench.storage.bucket, bench.storage.prefix)
    return {"throughput": throughput, "resume_after_kill": resume,
            "recording_while_uploading": recording, "bucket": settings.storage.bucket,
            "endpoint": settings.storage.endpoint_url or "AWS"}


def _bench_booth(settings: Settings, folder: Path, run: str) -> Settings:
    booth = load_settings({"KIOSK_DATA_DIR": str(folder)})
    storage = dataclasses.replace(settings.storage,
                                  prefix=f"{settings.storage.prefix}/{run}")
    return dataclasses.replace(booth, storage=storage, recording=settings.recording,
                               booth_name=settings.booth_name)


def _interviews(db: Database, settings: Settings, count: int, size: int) -> list[str]:
    ids = []
    for _ in range(count):
        with db.session() as s, s.begin():
            row = create_session(s, "Bench Candidate", status=SessionStatus.COMPLETED)
            s.flush()
            folder = settings.recordings_dir / row.id
            folder.mkdir(parents=True)
            # As the recorder leaves it: the file's SHA-256 is in its row.
            row.sha256 = _random_file(folder / "interview.mp4", size)
            row.recording_video = f"{row.id}/interview.mp4"
            row.booth_name = settings.booth_name
            ids.append(row.id)
    return ids


def _random_file(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with path.open("wb") as out:
        left = size
        while left:
            chunk = os.urandom(min(left, 8 * 2**20))
            out.write(chunk)
            digest.update(chunk)
            left -= len(chunk)
    return digest.hexdigest()


def _throughput(settings: Settings, client: Any, backlog_mb: int, work: Path) -> dict:
    unlimited = dataclasses.replace(settings, storage=dataclasses.replace(
        settings.storage, max_upload_mbps=0))
    db = open_configured(unlimited)
    try:
        count = max(1, round(backlog_mb / INTERVIEW_MB))
        ids = _interviews(db, unlimited, count, backlog_mb * MB // count)
        size = sum((unlimited.recordings_dir / sid / "interview.mp4").stat().st_size
                   for sid in ids)
        started = time.monotonic()
        results = run_uploads(db, unlimited)
        ours_s = time.monotonic() - started
        if any(r.outcome is not uploads.Outcome.VERIFIED for r in results):
            raise KioskError(f"the bench's uploads did not all verify: {results}")
        started = time.monotonic()
        for sid in ids:
            client.upload_file(str(unlimited.recordings_dir / sid / "interview.mp4"),
                               unlimited.storage.bucket,
                               f"{unlimited.storage.prefix}/boto3/{sid}/interview.mp4")
        theirs_s = time.monotonic() - started
    finally:
        db.close()
    ours, theirs = size / MB / ours_s, size / MB / theirs_s
    return {"files": count, "mb": round(size / MB), "booth_mb_per_s": round(ours, 1),
            "booth_s": round(ours_s, 2), "boto3_upload_file_mb_per_s": round(theirs, 1),
            "boto3_s": round(theirs_s, 2), "booth_vs_boto3": round(ours / theirs, 3),
            "booth_verifies": True}


def _resume_after_kill(settings: Settings, size_mb: int) -> dict:
    # Slow enough to be killed at 60%: the limit of a booth, or 400 Mbps on a fast link.
    mbps = settings.storage.max_upload_mbps or 400
    paced = dataclasses.replace(settings, storage=dataclasses.replace(
        settings.storage, max_upload_mbps=mbps, prefix=f"{settings.storage.prefix}/resume"))
    db = open_configured(paced)
    try:
        (session_id,) = _interviews(db, paced, 1, size_mb * MB)
        uploads.queue_missing(db, paced)
        child = subprocess.Popen(_upload_command(paced), env=_child_env(paced),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        size = size_mb * MB
        deadline = time.monotonic() + 600
        while _sent(db, session_id) < KILL_AT * size:
            if child.poll() is not None or time.monotonic() > deadline:
                raise KioskError(f"the upload to kill ended first: {child.stderr.read()!r}"
                                 if child.stderr else "the upload to kill ended first")
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        sent_before = _sent(db, session_id)
        resumed = subprocess.run(_upload_command(paced), env=_child_env(paced),
                                 capture_output=True, text=True, timeout=900, check=False)
        if resumed.returncode != 0:
            raise KioskError(f"the resumed upload failed: {resumed.stderr.strip()}")
        with db.session() as s:
            row = s.scalars(select(Upload).where(Upload.session_id == session_id,
                                                 Upload.name == "interview.mp4")).one()
            total, part, state = row.bytes_sent, row.part_size or 1, row.state.value
    finally:
        db.close()
    return {"mb": size_mb, "killed_at_mb": round(sent_before / MB, 1),
            "bytes_sent_in_all": total, "file_bytes": size,
            "parts_sent_twice": max(0, round((total - size) / part)), "part_mb": part / 2**20,
            "state": state}


def _upload_command(settings: Settings) -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, "storage", "upload"]
    return [sys.executable, "-m", "kiosk", "storage", "upload"]


def _child_env(settings: Settings) -> dict[str, str]:
    # The child reads the same [storage] from a settings file of the throwaway booth.
    config = settings.data_dir / "kiosk.toml"
    storage = settings.storage
    config.write_text(
        f'booth_name = "{settings.booth_name}"\n[storage]\nkind = "s3"\n'
        f'endpoint_url = "{storage.endpoint_url}"\nregion = "{storage.region}"\n'
        f'bucket = "{storage.bucket}"\nprefix = "{storage.prefix}"\n'
        f"max_upload_mbps = {storage.max_upload_mbps}\n", encoding="utf-8")
    return {**os.environ, "KIOSK_DATA_DIR": str(settings.data_dir)}


def _sent(db: Database, session_id: str) -> int:
    with db.session() as s:
        return sum(s.scalars(select(Upload.bytes_sent).where(Upload.session_id == session_id)))


def _record_while_uploading(settings: Settings, work: Path) -> dict:
    booth = dataclasses.replace(settings, storage=dataclasses.replace(
        settings.storage, prefix=f"{settings.storage.prefix}/while-recording"))
    db = open_configured(booth)
    worker = UploadWorker(db, booth)
    try:
        _interviews(db, booth, 4, INTERVIEW_MB * MB)
        with db.session() as s:  # the throwaway booth's earlier runs sent some already
            before = sum(s.scalars(select(Upload.bytes_sent)))
        worker.start()
        time.sleep(1.0)  # the worker has started sending
        recording = booth.recording
        options = SyntheticOptions(width=recording.width, height=recording.height,
                                   fps=recording.fps, sample_rate=recording.sample_rate)
        clock = SystemClock()
        camera, microphone = synthetic_pair(clock, options)
        live = LiveSources(camera, microphone, clock)
        live.start()
        try:
            recorder = PartRecorder(live, work / "parts", "q00",
                                    video=VideoFormat(options.width, options.height,
                                                      float(recording.fps)),
                                    sample_rate=options.sample_rate, title="Bench")
            recorder.start()
            time.sleep(RECORD_S)
            recorder.stop()
            result = recorder.wait(timeout=120)
        finally:
            live.close()
        with db.session() as s:
            sent = sum(s.scalars(select(Upload.bytes_sent))) - before
        seconds = RECORD_S + 1.0
    finally:
        worker.stop()
        db.close()
    stats = result.stats
    return {"recorded_s": round(result.duration_s, 2),
            "picture": f"{recording.width}x{recording.height}@{recording.fps}",
            "frames_offered": stats.frames_offered, "frames_dropped": stats.frames_dropped,
            "upload_limit_mbps": booth.storage.max_upload_mbps,
            "uploaded_mb_meanwhile": round(sent / MB, 1),
            "upload_mbps_meanwhile": round(sent * 8 / MB / seconds, 1)}


def _remove_objects(client: Any, bucket: str, prefix: str) -> None:
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=f"{prefix}/"):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=bucket, Delete={"Objects": keys})
    for page in client.get_paginator("list_multipart_uploads").paginate(
            Bucket=bucket, Prefix=f"{prefix}/"):
        for item in page.get("Uploads", []):
            client.abort_multipart_upload(Bucket=bucket, Key=item["Key"],
                                          UploadId=item["UploadId"])
