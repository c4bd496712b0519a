"""Export and verify an interview whose file is only in the bucket (this booth never had it,
or its copy went after keep_local_days): downloaded, checked against the SHA-256 the session
kept when it was recorded, and refused when the bucket's copy was changed."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.storage.worker import run_uploads
from kiosk.store.database import open_configured
from kiosk.store.sessions import get_session
from kiosk.store.transcripts import Segment, Word, claim_next, complete
from tests.engine import quick_interview
from tests.s3_fixtures import s3_booth
from tests.s3_server import S3Server


def test_an_interview_only_in_the_bucket_exports_and_verifies(
    data_dir: Path, tmp_path: Path, s3_server: S3Server, s3_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = s3_booth(data_dir, s3_server, s3_bucket, monkeypatch)
    db = open_configured(settings)
    try:
        session_id = quick_interview(db, settings)
        assert {r.outcome.value for r in run_uploads(db, settings)} == {"verified"}
        with db.session() as s:
            recorded = get_session(s, session_id).sha256
    finally:
        db.close()
    shutil.rmtree(settings.recordings_dir / session_id)  # only the bucket has it now
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}

    def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env,
                              capture_output=True, text=True, timeout=180, check=False)

    verified = kiosk("sessions", "verify", session_id, "--json")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    check = json.loads(verified.stdout)
    assert check["sha256_matches"] and check["file"].endswith("(from the object store)")
    stick = tmp_path / "usb"
    stick.mkdir()
    exported = kiosk("sessions", "export", session_id, str(stick), "--json")
    assert exported.returncode == 0, exported.stderr
    video = Path(json.loads(exported.stdout)["video"])
    assert hashlib.sha256(video.read_bytes()).hexdigest() == recorded
    assert not [p for p in settings.data_dir.iterdir() if p.name.startswith("fetched-")]

    s3_server.client().put_object(Bucket=s3_bucket,
                                  Key=f"interviews/{session_id}/interview.mp4",
                                  Body=b"changed in the bucket")
    refused = kiosk("sessions", "export", session_id, str(stick))
    assert refused.returncode == 1 and "does not match the recording" in refused.stderr
    assert s3_server.secret_key not in refused.stderr


def test_a_transcript_made_after_the_upload_goes_up_too(
    data_dir: Path, s3_server: S3Server, s3_bucket: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = s3_booth(data_dir, s3_server, s3_bucket, monkeypatch,
                        storage="keep_local_days = 0\n")
    db = open_configured(settings)
    try:
        session_id = quick_interview(db, settings)
        # The interview goes up before its transcript is made: its copy stays meanwhile.
        assert sorted(r.name for r in run_uploads(db, settings)) == ["interview.mp4",
                                                                     "poster.jpg"]
        assert (settings.recordings_dir / session_id / "interview.mp4").is_file()
        claim = claim_next(db, "test-booth:1", session_id=session_id)
        said = [Segment(0, 100, 1_900, "I like people", (Word(100, 400, "I"),))]
        assert complete(db, claim, said, model="tiny.en", language="en")
        assert [r.name for r in run_uploads(db, settings)] == ["transcript.json"]
        body = s3_server.client().get_object(
            Bucket=s3_bucket, Key=f"interviews/{session_id}/transcript.json")["Body"].read()
        transcript = json.loads(body)
        assert transcript["state"] == "done"
        assert [s["text"] for s in transcript["segments"]] == ["I like people"]
        # Everything verified: now (keep_local_days = 0) the booth's own copy went.
        assert not (settings.recordings_dir / session_id / "interview.mp4").exists()
    finally:
        db.close()


def test_kiosk_storage_status_and_check_say_the_bucket_against_the_rows(
    data_dir: Path, s3_server: S3Server, s3_bucket: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = s3_booth(data_dir, s3_server, s3_bucket, monkeypatch)
    db = open_configured(settings)
    try:
        session_id = quick_interview(db, settings)
        run_uploads(db, settings)
    finally:
        db.close()

    def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kiosk", *args], env=dict(os.environ),
                              capture_output=True, text=True, timeout=120, check=False)

    status = kiosk("storage", "status", "--json")
    assert status.returncode == 0, status.stderr
    said = json.loads(status.stdout)
    assert (said["reachable"], said["writable"], said["backlog"]["files"]) == (True, True, 0)
    assert s3_server.secret_key not in status.stdout
    check = kiosk("storage", "check", "--json")
    assert check.returncode == 0 and json.loads(check.stdout)["checked"] == 2
    s3_server.client().put_object(Bucket=s3_bucket, Key="interviews/stray/interview.mp4",
                                  Body=b"no session")
    stray = kiosk("storage", "check")
    assert stray.returncode == 1
    assert "Object without a session: interviews/stray/interview.mp4" in stray.stdout
    assert f"interviews/{session_id}" not in stray.stdout
    (data_dir / "kiosk.toml").write_text("")  # back to kind = "local"
    local = kiosk("storage", "check")
    assert local.returncode == 1 and "keeps its recordings on its own disk" in local.stderr
