"""Shared fixtures: an isolated data folder per test, and the database backends."""

from __future__ import annotations

import gc
import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from kiosk.config import Settings, load_settings
from kiosk.store.database import Database, open_configured
from tests.postgres_server import PostgresServer, PostgresUnavailable, start_postgres

# The S3 server's fixtures (s3_server, s3_bucket, own_s3_server), for every test module.
pytest_plugins = ["tests.s3_fixtures"]

KIOSK_VARIABLES = ("KIOSK_DATA_DIR", "KIOSK_CONFIG", "KIOSK_RECORDINGS_DIR", "KIOSK_DATABASE_URL",
                   # and a developer's own AWS account: a test talks to its own S3 server
                   "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                   "AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_REGION")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--bundle", metavar="EXE", type=Path,
                     help="the PyInstaller bundle's kiosk executable: run the tests marked "
                          "'bundle' against it (scripts/bundle does this after building)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of the bundle need one: they run through scripts/bundle, which builds it first."""
    if config.getoption("--bundle") is not None:
        return
    deselected = [item for item in items if item.get_closest_marker("bundle")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("bundle")]


@pytest.fixture(scope="session")
def bundle_exe(pytestconfig: pytest.Config) -> Path:
    """The bundle's `kiosk` executable given with --bundle."""
    exe = pytestconfig.getoption("--bundle")
    if exe is None or not exe.is_file():
        pytest.fail(f"No bundle at {exe}: build it with scripts/bundle.", pytrace=False)
    return exe.resolve()


@pytest.fixture(autouse=True)
def _no_inherited_kiosk_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own KIOSK_* (and AWS_*) settings must never reach (or be written by) a
    test."""
    for name in KIOSK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    # Nor their AWS files; and no look for an EC2 instance's credentials (seconds each).
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(autouse=True)
def _no_speech_daemon_of_the_machines(tmp_path_factory: pytest.TempPathFactory,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The booth page and the read-aloud open Qt's speech engine, whose speech-dispatcher
    client would otherwise start (or talk to) the machine's own daemon. A socket that is not
    there gives "no voice" at once; tests.speech_dispatcher starts a private daemon where a
    test needs a voice."""
    nowhere = tmp_path_factory.getbasetemp() / "no-speech-dispatcher.sock"
    monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{nowhere}")


@pytest.fixture(autouse=True)
def _qt_garbage_collected_on_the_gui_thread() -> Iterator[None]:
    """A test's Qt widgets caught in reference cycles are freed here, on the GUI thread.

    Left to the garbage collector, they may be freed on whichever thread allocates next: a
    worker thread (the booth page's checks) destroying a widget crashes the process.
    """
    yield
    if "PySide6" in sys.modules:
        gc.collect()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("KIOSK_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | str]:
    existing = os.environ.get("KIOSK_TEST_POSTGRES_URL")
    if existing:
        yield existing
        return
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer | str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"kiosk_test_{uuid.uuid4().hex[:12]}"
    if isinstance(postgres_server, str):
        admin_url = postgres_server
        url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    else:
        admin_url, url = postgres_server.admin_url, postgres_server.url_for(name)
    conninfo = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url
    finally:
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each storage test runs once on a SQLite file and once on the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kiosk.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def booth_db(settings: Settings, database_url: str) -> Iterator[tuple[Settings, Database]]:
    """The booth's settings with the database on each backend in turn, opened."""
    settings = replace(settings, database_url=database_url)
    db = open_configured(settings)
    try:
        yield settings, db
    finally:
        db.close()


@pytest.fixture(params=["source", pytest.param("bundle", marks=pytest.mark.bundle)])
def kiosk_command(request: pytest.FixtureRequest) -> list[str]:
    """The `kiosk` command from the source tree, and (with --bundle) from the bundle."""
    if request.param == "source":
        return [sys.executable, "-m", "kiosk"]
    return [str(request.getfixturevalue("bundle_exe"))]
