"""Recording metadata (duration, size, checksum, thumbnail) and the review tables.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _session_fk() -> sa.Column:
    return sa.Column(
        "session_id",
        sa.String(36),
        sa.ForeignKey("sessions.id", ondelete="CASCADE"),
        nullable=False,
    )


def _operator_fk(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey("operators.id", ondelete="SET NULL"))


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("duration_ms", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("size_bytes", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("sha256", sa.String(64), nullable=True))
        batch.add_column(sa.Column("thumbnail", sa.Text(), nullable=True))

    op.create_table(
        "question_markers",
        sa.Column("id", sa.Integer(), primary_key=True),
        _session_fk(),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("start_ms", sa.BigInteger(), nullable=False),
        sa.Column("end_ms", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("session_id", "index"),
        sa.CheckConstraint("start_ms >= 0 AND end_ms >= start_ms", name="times_ordered"),
    )
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        _session_fk(),
        sa.Column("time_ms", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _operator_fk("author_id"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("time_ms >= 0", name="time_not_negative"),
    )
    op.create_index(op.f("ix_notes_session_id"), "notes", ["session_id"])
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), primary_key=True),
        _session_fk(),
        sa.Column("question_index", sa.Integer(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        _operator_fk("operator_id"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )
    op.create_index(op.f("ix_ratings_session_id"), "ratings", ["session_id"])
    op.create_table(
        "recording_views",
        sa.Column("id", sa.Integer(), primary_key=True),
        _session_fk(),
        _operator_fk("operator_id"),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("watched_ms", sa.BigInteger(), nullable=False),
    )
    op.create_index(op.f("ix_recording_views_session_id"), "recording_views", ["session_id"])


def downgrade() -> None:
    op.drop_table("recording_views")
    op.drop_table("ratings")
    op.drop_table("notes")
    op.drop_table("question_markers")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("thumbnail")
        batch.drop_column("sha256")
        batch.drop_column("size_bytes")
        batch.drop_column("duration_ms")
