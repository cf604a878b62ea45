"""an index for the per-user session count

With statistics gathered (ANALYZE, PRAGMA optimize, autovacuum) on a table where
one user owns most sessions, SQLite planned the count of a user's active sessions
on ix_sessions_expires, a scan of every active session of every user: password
sign-ins fell from ~26/s to 6/s with 1,000,000 sessions stored (docs/benchmarks.md).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_sessions_user_expires", "sessions", ["user_id", "expires_at"])


def downgrade() -> None:
    op.drop_index("ix_sessions_user_expires", table_name="sessions")
