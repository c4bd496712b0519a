"""Audit events may be keyed: `key_id` names the HMAC key an event was hashed with.

Events already there keep no key id and their plain SHA-256 (kiosk.store.audit checks both).
A plain ADD COLUMN, not batch mode: on SQLite batch mode copies the table, and the copy
would lose the append-only triggers of 0003.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("key_id", sa.String(16), nullable=True))


def downgrade() -> None:
    # SQLite drops a column in place (3.35 and later), keeping the triggers.
    op.drop_column("audit_events", "key_id")
