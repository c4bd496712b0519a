"""Alembic's entry point. The app hands in an open connection (already locked, see
kiosk.store.database); a developer's `alembic` command gets one from the kiosk settings."""

from alembic import context
from sqlalchemy import create_engine

from kiosk.store.models import Base, described_by_models


def _configure_and_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=described_by_models,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _configure_and_run(connection)
else:
    from kiosk.config import load_settings

    engine = create_engine(load_settings().database_url)
    with engine.connect() as conn:
        _configure_and_run(conn)
