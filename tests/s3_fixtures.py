"""Fixtures for the S3 upload tests (tests/s3_server.py), given to every test module by
conftest.py (`pytest_plugins`): ask for `s3_server`, `s3_bucket` or `own_s3_server`.

One server for the whole session is shared by every test, each test in a bucket of its own;
a test that takes the server away (stop_server, pause) gets a server of its own instead, so
that it never disturbs the others (a start costs about a second).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import Settings, load_settings
from tests.s3_server import S3Server, S3Unavailable, start_s3_server


def _start() -> S3Server:
    try:
        return start_s3_server()
    except S3Unavailable as exc:
        # As for PostgreSQL: a missing server is a broken set-up, not a reason to skip.
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """The session's S3 server. Never stop or pause it in a test: use own_s3_server."""
    server = _start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(s3_server: S3Server) -> str:
    """A new, empty bucket on the session's server (names: 3 to 63 lowercase characters)."""
    return s3_server.create_bucket(f"kiosk-test-{uuid.uuid4().hex[:16]}")


@pytest.fixture
def own_s3_server() -> Iterator[S3Server]:
    """A server for one test, which may stop, pause and restart it; removed afterwards."""
    server = _start()
    try:
        yield server
    finally:
        server.stop()


def s3_booth(data_dir: Path, server: S3Server, bucket: str, monkeypatch: pytest.MonkeyPatch,
             *, before: str = "", storage: str = "") -> Settings:
    """A booth set up for the bucket as IT does it: `[storage]` in its kiosk.toml (`before`:
    lines ahead of that table, `storage`: more keys in it), the credentials in its
    environment. The settings as the kiosk loads them."""
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "kiosk.toml").write_text(
        f'{before}[storage]\nkind = "s3"\nendpoint_url = "{server.endpoint_url}"\n'
        f'region = "{server.region}"\nbucket = "{bucket}"\n{storage}')
    monkeypatch.setenv("KIOSK_DATA_DIR", str(data_dir))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", server.secret_key)
    return load_settings()
