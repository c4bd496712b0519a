"""Opening the database: checks before touching it, migrations under a lock, then sessions.

SQLite (one booth) and PostgreSQL (several booths, one database) run the same code. A SQLite
file is checked read-only before anything writes to it, so a corrupt or foreign file is left
exactly as it was; it is copied aside before a migration changes it. A SQLite file on a disk
that only reads (the kernel remounts a failing disk read-only) can still be opened for reading.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from kiosk.config import Settings
from kiosk.errors import StorageError
from kiosk.store.files import make_private_file, prepare_folders, prepare_folders_for_reading

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 10  # how long a connection waits for another one's write lock

# Any constant shared by every booth: pg_advisory_xact_lock serialises their migrations.
POSTGRES_MIGRATION_LOCK = 0x6B696F736B  # "kiosk"


@dataclass(frozen=True)
class Database:
    """An open, migrated database. `session()` gives an ORM session (use it in a `with`)."""

    engine: Engine
    session_factory: sessionmaker[Session]
    # Opened by open_for_reading on a disk that only reads: every write fails.
    read_only: bool = False

    def session(self) -> Session:
        return self.session_factory()

    def close(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, migrate: bool = True) -> Database:
    """Open the database at `url`, bring its schema to the newest migration, and return it.

    With migrate=False the file is left as it is, schema and journal mode alike (for
    `kiosk doctor`, which only reports).
    Raises StorageError with a message for a person when the database cannot be used.
    """
    parsed = make_url(url)
    display = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite":
        _prepare_sqlite_file(Path(parsed.database or ""))
    engine = create_engine(parsed, **_engine_options(parsed))
    _install_connection_pragmas(engine, foreign_keys=True, switch_to_wal=migrate)
    try:
        if migrate:
            upgrade_to_head(parsed)
        else:
            with engine.connect():
                pass
    except StorageError:
        engine.dispose()
        raise
    except (DBAPIError, SQLAlchemyError) as exc:
        engine.dispose()
        raise StorageError(f"The database {display} cannot be used: {_reason(exc)}") from None
    return Database(engine=engine, session_factory=sessionmaker(engine, expire_on_commit=False))


def open_configured(settings: Settings, *, writable: bool = True) -> Database:
    """Make sure the data and recordings folders are usable, then open the database.

    writable=False is for commands that only read. Where the folders and the database can be
    written it is the same open (migrations included); where their disk only reads, they are
    read as they are (see open_for_reading).
    """
    if writable:
        prepare_folders(settings)
        return open_database(settings.database_url)
    prepare_folders_for_reading(settings)
    return open_for_reading(settings.database_url)


def open_for_reading(url: str, *, migrate: bool = True) -> Database:
    """open_database, except that a SQLite file SQLite could not write is opened read-only.

    Nothing is migrated then; a schema other than the newest is refused, saying that a start
    on a writable disk upgrades it. PostgreSQL is opened as usual: a server that refuses
    writes is not something a booth's disk does.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return open_database(url, migrate=migrate)
    path = Path(parsed.database or "")
    if _sqlite_writable(path):
        return open_database(url, migrate=migrate)
    return _open_sqlite_read_only(parsed)


def alembic_config() -> Config:
    return Config(str(ALEMBIC_INI))


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the kiosk ships at least one migration"
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(url: URL) -> None:
    """Run every pending migration, one booth at a time, backing up a SQLite file first."""
    engine = create_engine(url, poolclass=NullPool, **_engine_options(url, pooled=False))
    sqlite = url.get_backend_name() == "sqlite"
    if sqlite:
        _install_immediate_transactions(engine)
    # Batch mode copies and drops tables; with foreign keys on, the drop would cascade.
    _install_connection_pragmas(engine, foreign_keys=False, switch_to_wal=True)
    head = head_revision()
    try:
        with engine.connect() as conn, conn.begin():
            if not sqlite:
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                             {"key": POSTGRES_MIGRATION_LOCK})
            current = current_revision(conn)
            if current == head:
                return
            if current is not None and not _known_revision(current):
                raise StorageError(
                    f"The database is at schema {current}, which this kiosk does not know (its "
                    f"newest is {head}): it was made by a newer version. Install that version."
                )
            if sqlite and current is not None:
                try:
                    backup_sqlite(Path(url.database or ""), label=f"before-{head}")
                except (OSError, sqlite3.Error) as exc:
                    raise StorageError(
                        f"The database could not be backed up before its upgrade ({exc}); "
                        f"it was not changed. Free some disk space and start again."
                    ) from None
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            if sqlite:
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise StorageError(
                        f"The migration to {head} would break {len(broken)} references; "
                        f"nothing was changed."
                    )
    except CommandError as exc:
        raise StorageError(f"The database schema cannot be upgraded: {exc}") from None
    finally:
        engine.dispose()


def backup_sqlite(path: Path, *, label: str) -> Path:
    """Copy a live SQLite database (WAL included) beside itself, owner-only; return the copy."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.{label}-{stamp}.bak")
    make_private_file(target)
    source = sqlite3.connect(path)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    except BaseException:
        target.unlink(missing_ok=True)  # half a backup is worse than none: it looks whole
        raise
    finally:
        source.close()
    return target


def _known_revision(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def _engine_options(url: URL, *, pooled: bool = True) -> dict:
    if url.get_backend_name() == "postgresql":
        options: dict = {"connect_args": {"connect_timeout": 10}}
        if pooled:
            options["pool_pre_ping"] = True
        return options
    return {}


def _install_connection_pragmas(engine: Engine, *, foreign_keys: bool, switch_to_wal: bool) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000:.0f}")
            cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
            if switch_to_wal:  # persistent: it rewrites the file header
                _switch_to_wal(cursor)
            # A committed session row must survive a power cut, not only a crash.
            cursor.execute("PRAGMA synchronous = FULL")
        finally:
            cursor.close()


def _switch_to_wal(cursor: sqlite3.Cursor) -> None:
    """PRAGMA journal_mode = WAL, waiting as long as the busy timeout would.

    While another connection holds a write lock in rollback mode (a booth migrating a new
    file), SQLite refuses the switch at once instead of calling its busy handler.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def _install_immediate_transactions(engine: Engine) -> None:
    """Make every transaction of `engine` take SQLite's write lock at BEGIN.

    Two processes starting at once then migrate one after the other; the second sees the
    first one's result. (pysqlite's own transaction handling is switched off for this.)
    """

    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _prepare_sqlite_file(path: Path) -> None:
    """Refuse a file that is not a healthy SQLite database, without writing to it."""
    if not path.name:
        raise StorageError("The SQLite database URL names no file.")
    if not path.exists():
        if not path.parent.is_dir():
            raise StorageError(f"The folder of the database {path} does not exist.")
        try:
            make_private_file(path)
        except OSError as exc:
            raise StorageError(f"The database {path} cannot be created: {exc.strerror}.") from None
        return
    if path.is_dir():
        raise StorageError(f"The database path {path} is a folder, not a file.")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StorageError(f"The database {path} cannot be read: {exc.strerror}.") from None
    if not header:
        return  # an empty file is a new SQLite database
    if header != SQLITE_HEADER:
        raise StorageError(
            f"{path} is not a SQLite database. It was left untouched; move it aside or point "
            f"KIOSK_DATABASE_URL at the right file."
        )
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        # Committed work waits in the WAL (a crash, or another kiosk using it right now): the
        # main file alone may look inconsistent. SQLite replays the WAL when it opens it.
        return
    try:
        # immutable: read the main file only, creating no -wal/-shm beside a file we may refuse.
        checker = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            result = checker.execute("PRAGMA quick_check").fetchall()
        finally:
            checker.close()
    except sqlite3.DatabaseError as exc:
        result = [(str(exc),)]
    if result != [("ok",)]:
        problem = "; ".join(str(row[0]) for row in result[:3])
        raise StorageError(
            f"The database {path} is damaged ({problem}). It was left untouched; restore it "
            f"from a backup (kiosk.db.*.bak files beside it) or move it aside."
        )


def _sqlite_writable(path: Path) -> bool:
    """Whether SQLite could write `path`: the file, and its folder (journal, -wal, -shm)."""
    if not path.name or not path.parent.is_dir():
        return True  # open_database refuses these in its own words
    if path.exists() and not os.access(path, os.W_OK):
        return False
    try:
        # As in ensure_writable_folder: only writing a file proves a folder can be written.
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError:
        return False
    return True


def _open_sqlite_read_only(url: URL) -> Database:
    path = Path(url.database or "")
    if not path.is_file():
        raise StorageError(f"There is no database at {path}, and its folder cannot be written "
                           f"to create one.")
    _prepare_sqlite_file(path)  # an existing file: it only reads
    uri = f"{path.resolve().as_uri()}?mode=ro"
    if not _sqlite_reads(uri):
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise StorageError(
                f"The database {path} has committed work in {wal.name} that cannot be read on "
                f"a read-only disk without {path.name}-shm beside it. Copy {path.name} and "
                f"{wal.name} to a writable folder and point KIOSK_DATABASE_URL at the copy."
            )
        # A WAL-mode file whose -shm is gone (a clean close removes it) opens read-only only as
        # immutable. With no WAL to replay the main file is the whole database, and on a disk
        # that only reads nobody changes it underneath.
        uri += "&immutable=1"
    # The URL still names the file (whoever asks the engine where its database is); the
    # connections are made read-only by the creator.
    engine = create_engine(
        url, poolclass=NullPool,
        creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))
    _install_connection_pragmas(engine, foreign_keys=True, switch_to_wal=False)
    try:
        with engine.connect() as conn:
            current = current_revision(conn)
    except (DBAPIError, SQLAlchemyError) as exc:
        engine.dispose()
        raise StorageError(f"The database {path} cannot be read: {_reason(exc)}") from None
    head = head_revision()
    if current != head:
        engine.dispose()
        raise StorageError(_not_readable_as_it_is(path, current, head))
    return Database(engine=engine, session_factory=sessionmaker(engine, expire_on_commit=False),
                    read_only=True)


def _sqlite_reads(uri: str) -> bool:
    try:
        connection = sqlite3.connect(uri, uri=True)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchall()
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    return True


def _not_readable_as_it_is(path: Path, current: str | None, head: str) -> str:
    # The models read columns an older schema lacks, so reading it anyway would only fail
    # later and less clearly. A copy of the file alone on a writable disk is migrated (with
    # its backup) by the usual open, and the recordings are read where they are.
    if current is None:
        return (f"The database {path} holds no kiosk tables, and its disk is read-only: there "
                f"is nothing to read.")
    if not _known_revision(current):
        return (f"The database {path} is at schema {current}, which this kiosk does not know "
                f"(its newest is {head}): it was made by a newer version. Install that version.")
    return (f"The database {path} is at schema {current} and must be upgraded to {head}, which "
            f"writes to it, but its disk is read-only. To read it now, copy {path.name} (and "
            f"{path.name}-wal, if there is one) to a writable folder and point "
            f"KIOSK_DATABASE_URL at the copy: it is upgraded there, and the recordings stay "
            f"where they are.")


def _reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).strip().splitlines()[0]
