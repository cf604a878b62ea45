"""Migration 0004: emails become unique per project whatever their case or
spaces; existing duplicates are refused by name, never merged. Migration 0005:
existing HiveMP sessions stay renewable by their holder, no other session is."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.migrate import MigrationRefused, alembic_config, migrate
from tests.conftest import BACKENDS
from tests.scratch_db import scratch_postgres


def wide(text: str) -> str:
    """``text`` in full-width forms (U+FF01 ...), a look-alike NFKC folds back."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.fixture(params=BACKENDS)
async def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database of its own (migrations are per test here), empty."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
        yield db
        await db.dispose()
        return
    async with scratch_postgres("gatehouse_m4") as url:
        db = Database(url)
        try:
            yield db
        finally:
            await db.dispose()


async def _at_0003_with(db: Database, emails: list[str], usernames: list[str]) -> None:
    def upgrade(conn: Connection) -> None:
        command.upgrade(alembic_config(conn), "0003")

    async with db.migration() as conn:
        await conn.run_sync(upgrade)
        await conn.execute(
            text(
                "INSERT INTO projects (id, name, created_at, session_ttl_seconds,"
                " max_ttl_seconds, session_limit, session_limit_policy)"
                " VALUES (1, 'p', 0, 60, 60, 0, 'reject'), (2, 'q', 0, 60, 60, 0, 'reject')"
            )
        )
        for i, (email, username) in enumerate(zip(emails, usernames, strict=True), start=1):
            await conn.execute(
                text(
                    "INSERT INTO users (id, project_id, username, email, created_at, updated_at)"
                    " VALUES (:id, :p, :u, :e, 0, 0)"
                ),
                {"id": i, "p": 2 if username.startswith("other") else 1, "u": username, "e": email},
            )


async def _state(db: Database) -> tuple[str, list[tuple[int, str, str]]]:
    async with db.migration() as conn:
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
        found = await conn.execute(text("SELECT id, username, email FROM users ORDER BY id"))
        return str(version), [tuple(r) for r in found]  # type: ignore[misc]


async def test_duplicate_emails_are_named_and_nothing_changes(empty_db: Database) -> None:
    emails = ["dave@example.org", " DAVE@Example.org ", "Eve@example.org", "dave@example.org"]
    await _at_0003_with(empty_db, emails, ["dave", "dave2", "eve", "other-dave"])
    before = await _state(empty_db)

    with pytest.raises(MigrationRefused) as refused:
        await migrate(empty_db)

    message = str(refused.value)
    assert "\n" not in message  # the CLI shows the first line only
    assert "project 1: user 1 'dave@example.org', user 2 ' DAVE@Example.org '" in message
    assert "nothing was changed" in message
    assert "Eve" not in message and "user 4" not in message  # no clash: not named
    assert await _state(empty_db) == before  # still 0003, every row as it was


async def test_look_alike_user_names_are_named(empty_db: Database) -> None:
    await _at_0003_with(empty_db, ["", ""], ["dave", wide("dave")])
    with pytest.raises(MigrationRefused, match="user 1 'dave', user 2 '" + wide("dave") + "'"):
        await migrate(empty_db)


async def test_without_duplicates_values_are_normalised_and_unique(empty_db: Database) -> None:
    emails = [" DAVE@Example.org ", "", "", "dave@example.org"]
    await _at_0003_with(empty_db, emails, ["Dave", "dave", wide("eve"), "other-dave"])

    await migrate(empty_db)

    version, users = await _state(empty_db)
    assert version != "0003"
    assert users == [
        (1, "Dave", "dave@example.org"),
        (2, "dave", ""),  # user names keep their case
        (3, "eve", ""),
        (4, "other-dave", "dave@example.org"),  # another project
    ]
    async with empty_db.migration() as conn:
        await conn.execute(  # many users without an email are fine
            text(
                "INSERT INTO users (id, project_id, username, email, created_at, updated_at)"
                " VALUES (5, 1, 'fred', '', 0, 0)"
            )
        )
    with pytest.raises(IntegrityError):
        async with empty_db.migration() as conn:
            await conn.execute(
                text(
                    "INSERT INTO users (id, project_id, username, email, created_at, updated_at)"
                    " VALUES (6, 1, 'gina', 'dave@example.org', 0, 0)"
                )
            )


async def test_0005_keeps_only_hivemp_sessions_renewable(empty_db: Database) -> None:
    await _at_0003_with(empty_db, ["a@example.org"], ["a"])

    def to_0004(conn: Connection) -> None:
        command.upgrade(alembic_config(conn), "0004")

    async with empty_db.migration() as conn:
        await conn.run_sync(to_0004)
        for sid, origin in (("1.00000000.00000001", "hivemp"), ("1.00000000.00000002", "storage")):
            await conn.execute(
                text(
                    "INSERT INTO sessions (id, project_id, user_id, created_at, updated_at,"
                    " expires_at, origin, room_name) VALUES (:id, 1, 1, 0, 0, 1, :o, 'r')"
                ),
                {"id": sid, "o": origin},
            )
    await migrate(empty_db)
    async with empty_db.migration() as conn:
        found = await conn.execute(text("SELECT origin, renewable FROM sessions ORDER BY id"))
        assert [(r.origin, bool(r.renewable)) for r in found] == [
            ("hivemp", True),
            ("storage", False),
        ]
