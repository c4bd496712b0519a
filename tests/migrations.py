"""Running Alembic by hand on a database, as the migration tests do."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic.config import Config
from sqlalchemy import Connection, create_engine

from kiosk.store.database import alembic_config


@contextmanager
def migrating(database_url: str) -> Iterator[tuple[Connection, Config]]:
    """A connection in a transaction and the Alembic config bound to it (foreign keys off
    on SQLite, as the kiosk's own upgrades have them: batch mode copies tables)."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
            config = alembic_config()
            config.attributes["connection"] = conn
            yield conn, config
    finally:
        engine.dispose()
