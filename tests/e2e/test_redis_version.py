"""Redis older than the commands Gatehouse uses is refused at start, with the reason."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from asgi_lifespan import LifespanManager

from gatehouse.adapters.cache.redis import RedisClient, RedisTooOld
from gatehouse.app import create_app
from gatehouse.settings import Settings
from gatehouse.wiring import build_services
from tests.conftest import REDIS_URL
from tests.redis_server import FakeRedis


@pytest.fixture
def old_redis() -> Iterator[FakeRedis]:
    server = FakeRedis("6.2.14")
    yield server
    server.close()


def test_serve_refuses_a_redis_older_than_7(tmp_path: Path, old_redis: FakeRedis) -> None:
    env = {
        **os.environ,
        "GATEHOUSE_DATA_DIR": str(tmp_path / "data"),
        "GATEHOUSE_REDIS_URL": old_redis.url.replace("//", "//user:hunter2secret@"),
    }
    env.pop("GATEHOUSE_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "gatehouse", "serve", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode != 0
    assert "version 6.2" in done.stderr and "needs Redis 7.0 or newer" in done.stderr
    assert "Traceback" not in done.stderr
    assert "hunter2secret" not in done.stderr


async def test_the_app_does_not_start_on_an_old_redis(tmp_path: Path, old_redis: FakeRedis) -> None:
    """Also when uvicorn runs the app factory itself, without ``gatehouse serve``."""
    settings = Settings.from_env(
        {"GATEHOUSE_DATA_DIR": str(tmp_path), "GATEHOUSE_REDIS_URL": old_redis.url}
    )
    app = create_app(settings, build_services(settings))
    with pytest.raises(BaseException) as refused:  # Litestar wraps it in a group
        async with LifespanManager(app):
            pass
    found = refused.value
    while isinstance(found, BaseExceptionGroup):
        found = found.exceptions[0]
    assert isinstance(found, RedisTooOld)


async def test_a_new_enough_redis_passes() -> None:
    local = RedisClient(REDIS_URL)  # the machine's real Redis
    try:
        await local.check_server()
    finally:
        await local.close()
    new = FakeRedis("7.0.0")
    client = RedisClient(new.url)
    try:
        await client.check_server()
    finally:
        await client.close()
        new.close()


async def test_an_unreachable_redis_is_not_a_reason_to_refuse(caplog) -> None:
    """Redis is an accelerator with fallbacks: starting without it stays possible."""
    gone = FakeRedis("6.0.0")
    gone.close()
    client = RedisClient(gone.url)
    try:
        await client.check_server()
    finally:
        await client.close()
    assert "redis version not checked" in caplog.text
