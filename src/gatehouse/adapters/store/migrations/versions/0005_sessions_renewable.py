"""sessions.renewable: may the holder of a session's own token renew it

Only HiveMP sign-ins issue renewable sessions; existing HiveMP sessions stay
renewable, every other session is not (core/renewal.py).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("renewable", sa.Boolean(), server_default="0", nullable=False)
        )
    sessions = sa.table("sessions", sa.column("origin", sa.String), sa.column("renewable"))
    op.execute(sa.update(sessions).where(sessions.c.origin == "hivemp").values(renewable=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_column("renewable")
