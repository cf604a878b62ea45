"""Shared fixtures: a database per backend (SQLite always, PostgreSQL on the local
server), services on a frozen clock, and an HTTP client driving the real ASGI app.

PostgreSQL: each test run gets its own database (created and dropped here). When
the server is unreachable the PostgreSQL cases fail under ``CI=true`` and are
skipped with a loud reason otherwise.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.migrate import migrate
from gatehouse.adapters.store.tables import metadata
from gatehouse.core.clock import FrozenClock
from gatehouse.settings import Settings
from gatehouse.wiring import Services, build_services
from tests.helpers import Tenant, fast_passwords, make_tenant, serve_app

#: Fixtures defined next to the helpers they belong to.
pytest_plugins = ["tests.redis_server"]

PG_ADMIN_URL = os.environ.get("GATEHOUSE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI") == "true"
REDIS_URL = os.environ.get("GATEHOUSE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
#: The two configurations every storage-touching test runs in: the embedded
#: default, and the production path (PostgreSQL + Redis on the local servers).
BACKENDS = os.environ.get("GATEHOUSE_TEST_BACKENDS", "sqlite,postgres+redis").split(",")


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this run, migrated; None when unreachable."""
    name = f"gatehouse_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        _run(_pg_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is required under CI=true: {exc!r}")
        yield None
        return
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    url = f"{base}/{name}"

    async def setup() -> None:
        db = Database(url)
        await migrate(db)
        await db.dispose()

    _run(setup())
    try:
        yield url
    finally:
        _run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating each time is slower)."""
    path = tmp_path_factory.mktemp("template") / "gatehouse.sqlite3"

    async def setup() -> None:
        db = Database(f"sqlite:///{path}")
        await migrate(db)
        await db.dispose()

    _run(setup())
    return path


async def _truncate(url: str) -> None:
    db = Database(url)
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    from sqlalchemy import text

    async with db.write() as conn:
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    await db.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param.startswith("sqlite"):
        path = tmp_path / "gatehouse.sqlite3"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_url")
    if url is None:
        pytest.skip(f"!!! PostgreSQL unreachable at {PG_ADMIN_URL}: PostgreSQL cases SKIPPED")
    _run(_truncate(url))
    return str(url)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC))


@pytest.fixture
def redis_url(request: pytest.FixtureRequest, database_url: str) -> Iterator[str]:
    """The Redis URL of this configuration ("" without Redis). Each test gets its own
    key prefix, removed afterwards."""
    backend = (
        request.node.callspec.params.get("database_url", "")
        if hasattr(request.node, "callspec")
        else ""
    )
    if "redis" not in backend:
        yield ""
        return
    prefix = f"ghtest-{uuid.uuid4().hex[:12]}"
    if not _run(_redis_ok()):
        if IN_CI:
            pytest.fail(f"Redis at {REDIS_URL} is required under CI=true")
        pytest.skip(f"!!! Redis unreachable at {REDIS_URL}: Redis cases SKIPPED")
    request.node.redis_prefix = prefix
    yield REDIS_URL
    _run(_redis_drop(prefix))


async def _redis_ok() -> bool:
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS_URL, socket_timeout=2)
    try:
        return bool(await client.ping())
    except Exception:
        return False
    finally:
        await client.aclose()


async def _redis_drop(prefix: str) -> None:
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS_URL)
    try:
        keys = [k async for k in client.scan_iter(match="{" + prefix + "}:*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture
def gatehouse_env(
    request: pytest.FixtureRequest, tmp_path: Path, database_url: str, redis_url: str
) -> dict[str, str]:
    """The environment of a Gatehouse process in this configuration."""
    env = {"GATEHOUSE_DATA_DIR": str(tmp_path / "data"), "GATEHOUSE_DATABASE_URL": database_url}
    if redis_url:
        env["GATEHOUSE_REDIS_URL"] = redis_url
        env["GATEHOUSE_REDIS_PREFIX"] = request.node.redis_prefix
    return env


@pytest.fixture
def settings(gatehouse_env: dict[str, str]) -> Settings:
    return Settings.from_env(gatehouse_env)


@pytest.fixture
async def services(settings: Settings, clock: FrozenClock) -> AsyncIterator[Services]:
    built = build_services(settings, clock=clock, passwords=fast_passwords())
    yield built
    await built.close()


@pytest.fixture
async def client(services: Services, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(settings, services) as http:
        yield http


@pytest.fixture
async def tenant(services: Services) -> Tenant:
    return await make_tenant(services)
