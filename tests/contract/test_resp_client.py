"""The pipelined Redis client against real Redis servers: the shared local one for
ordinary traffic, a private one (tests/redis_server.py) where Redis is paused,
stopped or protected by a password."""

from __future__ import annotations

import asyncio
import subprocess
import time
import uuid

import pytest

from gatehouse.adapters.cache.resp import RedisUnavailable, RespClient, RespError, RespUrl
from tests.conftest import REDIS_URL
from tests.redis_server import RedisServer


@pytest.fixture
async def shared() -> RespClient:
    client = RespClient(REDIS_URL, timeout=2)
    try:
        await client.execute("PING")
    except RedisUnavailable:
        pytest.skip(f"Redis unreachable at {REDIS_URL}")
    return client


async def test_concurrent_callers_each_get_their_own_replies(shared: RespClient) -> None:
    prefix = f"ghtest-resp-{uuid.uuid4().hex[:8]}"

    async def round_trip(i: int) -> tuple[bytes | None, bytes | None]:
        key = f"{prefix}:{i}"
        await shared.execute("SET", key, f"value-{i}", "EX", 60)
        got, missing = await shared.pipeline(("GET", key), ("GET", key + ":nope"))
        return got, missing

    results = await asyncio.gather(*(round_trip(i) for i in range(500)))
    assert results == [(f"value-{i}".encode(), None) for i in range(500)]
    await shared.execute("DEL", *(f"{prefix}:{i}" for i in range(500)))
    await shared.close()


async def test_an_error_reply_raises_and_the_connection_stays_in_step(shared: RespClient) -> None:
    key = f"ghtest-resp-{uuid.uuid4().hex[:8]}"
    await shared.execute("SET", key, "not a number", "EX", 60)
    with pytest.raises(RespError, match="not an integer"):
        await shared.pipeline(("INCR", key), ("GET", key))
    # The replies that followed the error were consumed with it: nothing is off by one.
    assert await shared.execute("GET", key) == b"not a number"
    assert await shared.execute("ECHO", "after") == b"after"
    await shared.execute("DEL", key)
    await shared.close()


async def test_transactions_answer_with_all_their_results(shared: RespClient) -> None:
    key = f"ghtest-resp-{uuid.uuid4().hex[:8]}"
    *_, (count, expire_set, ttl) = await shared.pipeline(
        ("MULTI",), ("INCR", key), ("EXPIRE", key, 30, "NX"), ("TTL", key), ("EXEC",)
    )
    assert (count, expire_set) == (1, 1) and 0 < ttl <= 30
    await shared.execute("DEL", key)
    await shared.close()


async def test_a_stalled_redis_fails_callers_within_the_timeout_then_recovers(
    redis_server: RedisServer,
) -> None:
    client = RespClient(redis_server.url, timeout=0.2)
    assert await client.execute("PING") == b"PONG"
    subprocess.run(
        ["redis-cli", "-p", str(redis_server.port), "CLIENT", "PAUSE", "1200"],
        check=True,
        capture_output=True,
    )
    started = time.monotonic()
    outcomes = await asyncio.gather(
        *(client.execute("GET", f"k{i}") for i in range(20)), return_exceptions=True
    )
    waited = time.monotonic() - started
    assert all(isinstance(o, RedisUnavailable) for o in outcomes), outcomes
    assert waited < 1.0  # about two timeouts, not the length of the pause
    await asyncio.sleep(1.3)
    assert await client.execute("ECHO", "back") == b"back"
    await client.close()


async def test_a_stopped_redis_is_unavailable_not_a_hang(redis_server: RedisServer) -> None:
    client = RespClient(redis_server.url, timeout=0.2)
    assert await client.execute("PING") == b"PONG"
    redis_server.stop()
    for _ in range(3):
        with pytest.raises(RedisUnavailable):
            await asyncio.wait_for(client.execute("PING"), 2)
    redis_server.start()
    assert await client.execute("PING") == b"PONG"
    await client.close()


async def test_password_and_database_number_come_from_the_url(
    redis_server: RedisServer,
) -> None:
    redis_server.stop()
    redis_server.start("--requirepass", "s3cr:et")
    url = f"redis://:s3cr%3Aet@127.0.0.1:{redis_server.port}/3"
    client = RespClient(url, timeout=1)
    await client.execute("SET", "where", "db3")
    check = subprocess.run(
        ["redis-cli", "-p", str(redis_server.port), "-a", "s3cr:et", "-n", "3", "GET", "where"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert check.stdout.strip() == "db3"
    await client.close()

    wrong = RespClient(f"redis://:nope@127.0.0.1:{redis_server.port}/0", timeout=1)
    with pytest.raises(RedisUnavailable):
        await wrong.execute("PING")


def test_urls() -> None:
    url = RespUrl("rediss://user:p%40ss@cache.example:6380/2")
    assert (url.tls, url.host, url.port, url.username, url.password, url.db) == (
        True,
        "cache.example",
        6380,
        "user",
        "p@ss",
        2,
    )
    plain = RespUrl("redis://127.0.0.1")
    assert (plain.tls, plain.port, plain.password, plain.db) == (False, 6379, None, 0)
    unix = RespUrl("unix:///run/redis.sock?db=5")
    assert (unix.unix_path, unix.db) == ("/run/redis.sock", 5)
    with pytest.raises(ValueError, match="scheme"):
        RespUrl("http://127.0.0.1:6379")
