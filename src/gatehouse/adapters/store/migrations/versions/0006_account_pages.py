"""audit_events.ip and email_links: the account pages (activity with addresses,
single-use links for password reset and email confirmation)

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ip", sa.String(45), server_default="", nullable=False))
    op.create_table(
        "email_links",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("project_id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("email", sa.String(320), server_default="", nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name="fk_email_links_project_id_projects",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_email_links_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_email_links"),
    )
    op.create_index("ix_email_links_expires_at", "email_links", ["expires_at"])
    op.create_index("ix_email_links_user", "email_links", ["user_id", "purpose"])


def downgrade() -> None:
    op.drop_table("email_links")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("ip")
