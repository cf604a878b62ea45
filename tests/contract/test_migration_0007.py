"""Migration 0007 (the admin API): existing users stay enabled, existing audit
rows get an empty actor, the new tables appear; and it goes down and up again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, inspect, text

from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.migrate import alembic_config, migrate
from tests.conftest import BACKENDS
from tests.scratch_db import scratch_postgres


@pytest.fixture(params=BACKENDS)
async def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
        yield db
        await db.dispose()
        return
    async with scratch_postgres("gatehouse_m7") as url:
        db = Database(url)
        try:
            yield db
        finally:
            await db.dispose()


async def _to(db: Database, revision: str, *, down: bool = False) -> None:
    def move(conn: Connection) -> None:
        (command.downgrade if down else command.upgrade)(alembic_config(conn), revision)

    async with db.migration() as conn:
        await conn.run_sync(move)


async def test_0007_up_down_up(empty_db: Database) -> None:
    await _to(empty_db, "0006")
    async with empty_db.migration() as conn:
        await conn.execute(
            text(
                "INSERT INTO projects (id, name, created_at, session_ttl_seconds,"
                " max_ttl_seconds, session_limit, session_limit_policy)"
                " VALUES (1, 'p', 0, 60, 120, 0, 'reject')"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO users (id, project_id, username, created_at, updated_at)"
                " VALUES (1, 1, 'alice', 0, 0)"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO audit_events (at, project_id, user_id, action, origin)"
                " VALUES (0, 1, 1, 'created', 'cli')"
            )
        )
    await migrate(empty_db)
    async with empty_db.migration() as conn:
        disabled = (await conn.execute(text("SELECT disabled_at FROM users"))).scalar_one()
        actor = (await conn.execute(text("SELECT actor FROM audit_events"))).scalar_one()
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    assert disabled is None and actor == ""
    assert {"operator_keys", "idempotency_keys"} <= tables
    await _to(empty_db, "0006", down=True)
    async with empty_db.migration() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        users = (await conn.execute(text("SELECT username FROM users"))).scalars().all()
    assert "operator_keys" not in tables and list(users) == ["alice"]
    await migrate(empty_db)
