"""Fixtures of the storage contract suites: a ``Database`` on every backend (through
``database_url``), disposed after each test, and a project with one user in it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from gatehouse.adapters.cache.redis import RedisClient
from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.projects import ProjectRepository
from gatehouse.adapters.store.users import UserRepository
from tests.conftest import REDIS_URL

#: 2026-03-01T12:00:00Z in microseconds.
NOW = 1_772_366_400_000_000
SECOND = 1_000_000


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
async def project_id(db: Database) -> int:
    async with db.write() as conn:
        return await ProjectRepository().create(conn, name="contract", now=NOW)


@pytest.fixture
async def user_id(db: Database, project_id: int) -> int:
    async with db.write() as conn:
        return await UserRepository().create(conn, project_id=project_id, now=NOW, username="ada")


@pytest.fixture
async def redis() -> AsyncIterator[RedisClient]:
    """A Redis client on its own key prefix, removed afterwards (skipped without Redis)."""
    client = RedisClient(REDIS_URL, prefix=f"ghtest-{uuid.uuid4().hex[:12]}", timeout=2)
    if not await client.ping():
        pytest.skip(f"Redis unreachable at {REDIS_URL}")
    yield client
    keys = await client.redis.execute("KEYS", client.prefix + "*")
    if keys:
        await client.redis.execute("DEL", *keys)
    await client.close()
