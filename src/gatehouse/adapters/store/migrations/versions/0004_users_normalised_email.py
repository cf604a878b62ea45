"""normalised user names and emails; an email is unique within a project

Stored emails become strip + NFKC + case-fold and user names strip + NFKC
(core/identifiers.py), then a partial unique index on (project_id, email) for
non-empty emails. Two users of one project that would end up with the same
email or user name are never merged: the migration refuses, naming them, and
changes nothing.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from gatehouse.adapters.store.migrate import MigrationRefused
from gatehouse.core.identifiers import normalize_email, normalize_username

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_users = sa.table(
    "users",
    sa.column("id", sa.Integer),
    sa.column("project_id", sa.Integer),
    sa.column("username", sa.String),
    sa.column("email", sa.String),
)
#: Groups named in the refusal (the rest are counted).
_SHOWN = 20


def _collisions(rows: list[sa.Row[tuple[int, int, str, str]]], what: str) -> list[str]:
    normalize = normalize_email if what == "email" else normalize_username
    groups: dict[tuple[int, str], list[tuple[int, str]]] = defaultdict(list)
    for row in rows:
        raw = row.email if what == "email" else row.username
        key = normalize(raw)
        if key:
            groups[(row.project_id, key)].append((row.id, raw))
    return [
        f"project {project_id}: " + ", ".join(f"user {uid} {raw!r}" for uid, raw in members)
        for (project_id, _), members in sorted(groups.items())
        if len(members) > 1
    ]


def upgrade() -> None:
    conn = op.get_bind()
    rows = list(conn.execute(sa.select(_users).order_by(_users.c.id)))
    problems = [
        (what, clash) for what in ("email", "username") for clash in _collisions(rows, what)
    ]
    if problems:
        shown = "; ".join(f"same {what} in {clash}" for what, clash in problems[:_SHOWN])
        more = f"; and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
        raise MigrationRefused(
            "migration 0004 refused, nothing was changed: these users would share an email "
            "(ignoring case, width and surrounding spaces) or a user name (ignoring width and "
            f"surrounding spaces): {shown}{more}. Give each user a distinct value (or clear "
            "the extra email), then migrate again."
        )
    for row in rows:
        email, username = normalize_email(row.email), normalize_username(row.username)
        if (email, username) != (row.email, row.username):
            conn.execute(
                sa.update(_users)
                .where(_users.c.id == row.id)
                .values(email=email, username=username)
            )
    op.create_index(
        "uq_users_project_email",
        "users",
        ["project_id", "email"],
        unique=True,
        sqlite_where=sa.text("email <> ''"),
        postgresql_where=sa.text("email <> ''"),
    )


def downgrade() -> None:
    # The normalised values stay: they were equivalent spellings of the same ones.
    op.drop_index("uq_users_project_email", table_name="users")
