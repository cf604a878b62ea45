"""The PostgreSQL connection pool against the local server: it bounds connections,
replaces broken ones, never hands out a connection in an unknown state, and
keeps transactions whole."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import func, insert, select, text

from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.tables import projects
from tests.conftest import PG_ADMIN_URL

NOW = 1_772_366_400_000_000


@pytest.fixture
def pg(pg_url: str | None) -> str:
    if pg_url is None:
        pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN_URL}")
    return pg_url


@pytest.fixture
async def tagged(pg: str) -> AsyncIterator[tuple[Database, str]]:
    """A Database whose connections carry a unique application_name."""
    name = f"ghtest-{uuid.uuid4().hex[:8]}"
    db = Database(f"{pg}?application_name={name}", pool_size=3)
    yield db, name
    await db.dispose()


async def _connections(name: str) -> int:
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", name
            )
        )
    finally:
        await conn.close()


async def test_many_callers_share_a_bounded_number_of_connections(
    tagged: tuple[Database, str],
) -> None:
    db, name = tagged
    peak = 0

    async def one(i: int) -> int:
        nonlocal peak
        async with db.read() as conn:
            query = text("SELECT CAST(:i AS integer) FROM pg_sleep(0.01)")
            value = await conn.scalar(query, {"i": i})
            peak = max(peak, await _connections(name))
            return int(value)

    assert await asyncio.gather(*(one(i) for i in range(30))) == list(range(30))
    assert 1 <= peak <= 3  # (1: the connections are really the tagged ones)


async def _kill_all(name: str) -> int:
    admin = await asyncpg.connect(PG_ADMIN_URL)
    try:
        return int(
            await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = $1",
                name,
            )
        )
    finally:
        await admin.close()


async def test_connections_killed_while_idle_are_replaced_unseen(
    tagged: tuple[Database, str],
) -> None:
    """A restart, an administrator or an idle timeout closes pooled connections;
    the next read and the next transaction still succeed (on a fresh one)."""
    db, name = tagged

    async def hold_three() -> None:  # three idle connections in the pool
        async def one() -> None:
            async with db.read() as conn:
                await conn.execute(text("SELECT pg_sleep(0.05)"))

        await asyncio.gather(one(), one(), one())

    for _ in range(3):
        await hold_three()
        assert await _kill_all(name) >= 1  # and at once: no time to notice
        async with db.read() as conn:
            assert await conn.scalar(text("SELECT 41 + 1")) == 42
        async with db.write() as conn:
            assert await conn.scalar(text("SELECT 7")) == 7


async def test_a_cancelled_query_does_not_poison_the_pool(tagged: tuple[Database, str]) -> None:
    db, _ = tagged

    async def slow() -> None:
        async with db.read() as conn:
            await conn.execute(text("SELECT pg_sleep(5)"))

    tasks = [asyncio.create_task(slow()) for _ in range(3)]
    await asyncio.sleep(0.2)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    async with asyncio.timeout(3):  # not queued behind the sleeping statements
        for _ in range(6):
            async with db.read() as conn:
                assert await conn.scalar(text("SELECT 7")) == 7


async def test_an_error_inside_a_write_rolls_the_whole_transaction_back(pg: str) -> None:
    db = Database(pg)
    marker = f"rollback-{uuid.uuid4().hex[:8]}"
    row = {
        "name": marker,
        "created_at": NOW,
        "session_ttl_seconds": 60,
        "max_ttl_seconds": 60,
        "session_limit": 0,
        "session_limit_policy": "reject",
    }
    with pytest.raises(RuntimeError):
        async with db.write() as conn:
            await conn.execute(insert(projects), row)
            raise RuntimeError("after the insert")
    async with db.read() as conn:
        count = select(func.count()).select_from(projects).where(projects.c.name == marker)
        assert await conn.scalar(count) == 0
    async with db.write() as conn:  # the connection went back clean
        await conn.execute(insert(projects), row)
    async with db.read() as conn:
        assert await conn.scalar(count) == 1
    await db.dispose()


def test_one_database_serves_one_event_loop_after_another(pg: str) -> None:
    """The CLI and the test suite run several loops over one Database."""
    db = Database(pg)

    async def ask() -> int:
        async with db.read() as conn:
            return int(await conn.scalar(text("SELECT 5")))

    assert asyncio.run(ask()) == 5
    assert asyncio.run(ask()) == 5
    asyncio.run(db.dispose())
