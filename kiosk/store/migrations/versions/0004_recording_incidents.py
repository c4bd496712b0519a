"""What went wrong while an interview was recorded or rebuilt: a stall, a stream that did not
survive, a session that could not be rebuilt at all, shown to the recruiter.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recording_incidents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.String(36),
                  sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("question_index", sa.Integer(), nullable=True),
        sa.Column("at_ms", sa.BigInteger(), nullable=True),
        sa.Column("duration_ms", sa.BigInteger(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_index(op.f("ix_recording_incidents_session_id"), "recording_incidents",
                    ["session_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_recording_incidents_session_id"), "recording_incidents")
    op.drop_table("recording_incidents")
