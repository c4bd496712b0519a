"""Object storage: which booth recorded each session, the uploads (with their parts) that
carry a finished interview's files to an S3-compatible bucket, resumable, and the objects of
deleted sessions still to remove from it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _session_columns() -> list[sa.Column]:
    return [
        sa.Column("booth_name", sa.String(200), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("local_removed_at", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    for column in _session_columns():
        op.add_column("sessions", column)
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.String(36),
                  sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("upload_id", sa.Text(), nullable=True),
        sa.Column("part_size", sa.BigInteger(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("bytes_sent", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("session_id", "name", name=op.f("uq_uploads_session_id")),
    )
    op.create_index(op.f("ix_uploads_session_id"), "uploads", ["session_id"])
    op.create_index(op.f("ix_uploads_state"), "uploads", ["state"])
    op.create_table(
        "upload_parts",
        sa.Column("upload_id", sa.Integer(),
                  sa.ForeignKey("uploads.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("number", sa.Integer(), primary_key=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=False),
        sa.Column("sha256_b64", sa.String(64), nullable=False),
    )
    op.create_table(
        "object_deletions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("upload_id", sa.Text(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("object_deletions")
    op.drop_table("upload_parts")
    op.drop_index(op.f("ix_uploads_state"), "uploads")
    op.drop_index(op.f("ix_uploads_session_id"), "uploads")
    op.drop_table("uploads")
    for column in reversed(_session_columns()):
        op.drop_column("sessions", column.name)
