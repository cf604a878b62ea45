"""Migrations: idempotent, and safe when several instances start at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import inspect

from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.migrate import migrate
from gatehouse.adapters.store.tables import metadata
from tests.scratch_db import scratch_postgres


async def _tables(db: Database) -> set[str]:
    async with db.migration() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_concurrent_first_starts_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    dbs = [Database(url) for _ in range(4)]
    try:
        await asyncio.gather(*(migrate(db) for db in dbs))
        await migrate(dbs[0])  # and once more: nothing to do
        assert {t.name for t in metadata.sorted_tables} <= await _tables(dbs[0])
    finally:
        for db in dbs:
            await db.dispose()


async def test_concurrent_first_starts_on_postgresql() -> None:
    async with scratch_postgres("gatehouse_mig") as url:
        dbs = [Database(url) for _ in range(4)]
        try:
            await asyncio.gather(*(migrate(db) for db in dbs))
            assert {t.name for t in metadata.sorted_tables} <= await _tables(dbs[0])
        finally:
            for db in dbs:
                await db.dispose()
