"""The audit log becomes a hash chain, and append-only.

Each event gets `prev_hash` and `hash` (events already there are chained in id order), a
one-row `audit_chain` table holds the head, and triggers refuse UPDATE and DELETE on the
events (and TRUNCATE on PostgreSQL).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence
from datetime import UTC

import sqlalchemy as sa
from alembic import op

from kiosk.store.audit import GENESIS_HASH, event_hash

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSAL = "the audit log is append-only"

SQLITE_TRIGGERS = {
    f"audit_events_no_{verb.lower()}":
        f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    for verb in ("UPDATE", "DELETE")
}
POSTGRES_TRIGGERS = (
    "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$",
    "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
)


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=True))
    last_hash, count = _chain_existing_events()
    with op.batch_alter_table("audit_events") as batch:
        batch.alter_column("prev_hash", existing_type=sa.String(64), nullable=False)
        batch.alter_column("hash", existing_type=sa.String(64), nullable=False)

    chain = op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.CheckConstraint("id = 1", name="single_row"),
    )
    op.bulk_insert(chain, [{"id": 1, "events": count, "last_hash": last_hash}])

    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)
    else:
        for statement in POSTGRES_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    else:
        op.execute("DROP TRIGGER audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER audit_events_no_change ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    op.drop_table("audit_chain")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("hash")
        batch.drop_column("prev_hash")


def _chain_existing_events() -> tuple[str, int]:
    """Hash the events written before the chain existed, oldest first; the head and count."""
    events = sa.table(
        "audit_events", sa.column("id", sa.Integer()), sa.column("at", sa.DateTime()),
        sa.column("action", sa.String()), sa.column("operator_name", sa.String()),
        sa.column("session_id", sa.String()), sa.column("detail", sa.Text()),
        sa.column("prev_hash", sa.String()), sa.column("hash", sa.String()),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(events.c.id, events.c.at, events.c.action,
                                  events.c.operator_name, events.c.session_id,
                                  events.c.detail).order_by(events.c.id)).all()
    prev = GENESIS_HASH
    for event_id, at, action, operator_name, session_id, detail in rows:
        # As the models read it back: SQLite keeps naive UTC, PostgreSQL an aware time.
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        digest = event_hash(prev, at, action, operator_name, session_id, detail)
        bind.execute(events.update().where(events.c.id == event_id)
                     .values(prev_hash=prev, hash=digest))
        prev = digest
    return prev, len(rows)
