"""How much of an interview there is (answers kept, of how many questions, ended early), and
which sessions are walk-ins (never offered to the next candidate as "your name").

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

def _columns() -> list[sa.Column]:
    return [
        sa.Column("walk_in", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("questions_answered", sa.Integer(), nullable=True),
        sa.Column("questions_total", sa.Integer(), nullable=True),
        sa.Column("ended_early", sa.Boolean(), nullable=False, server_default=sa.false()),
    ]


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: a batch copy of the table is not needed for this.
    for column in _columns():
        op.add_column("sessions", column)


def downgrade() -> None:
    # SQLite drops a column in place (3.35 and later), as migration 0005 does.
    for column in reversed(_columns()):
        op.drop_column("sessions", column.name)
