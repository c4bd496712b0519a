"""Languages and accommodations: the language a candidate took the interview in, and what a
recruiter gave a scheduled candidate (extra time, extra retakes, larger text, high contrast,
questions read aloud), as JSON.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("sessions", sa.Column("language", sa.String(35), nullable=True))
    op.add_column("sessions", sa.Column("accommodations", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("sessions", "accommodations")
    op.drop_column("sessions", "language")
