"""The shared token cache against the local Redis: what a renewal leaves behind, and
that nothing overwrites a revocation."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from gatehouse.adapters.cache.redis import RedisClient, RedisTokenCache
from gatehouse.core.models import Session, SessionOrigin, TokenRole
from tests.conftest import REDIS_URL

NOW = 1_772_366_400_000_000
HOUR = 3_600_000_000

SESSION = Session(
    id="7.0123abcd.89ef4567",
    project_id=1,
    user_id=7,
    created_at=NOW,
    updated_at=NOW,
    expires_at=NOW + HOUR,
    origin=SessionOrigin.HIVEMP,
    room_name="room",
)


@pytest.fixture
async def cache() -> AsyncIterator[RedisTokenCache]:
    client = RedisClient(REDIS_URL, prefix=f"ghtest-{uuid.uuid4().hex[:12]}", timeout=2)
    if not await client.ping():
        pytest.skip(f"Redis unreachable at {REDIS_URL}")
    yield RedisTokenCache(client)
    await client.redis.execute("DEL", *(f"{client.prefix}tok:{h}" for h in ("pub", "sub")))
    await client.close()


async def test_a_renewal_leaves_the_new_expiry_for_every_token(cache: RedisTokenCache) -> None:
    await cache.remember("pub", SESSION, TokenRole.PUBLISHER)
    renewed = replace(SESSION, updated_at=NOW + 10, expires_at=NOW + 2 * HOUR)
    await cache.renewed([("pub", TokenRole.PUBLISHER), ("sub", TokenRole.SUBSCRIBER)], renewed)
    assert await cache.lookup("pub") == (renewed, TokenRole.PUBLISHER)
    assert await cache.lookup("sub") == (renewed, TokenRole.SUBSCRIBER)


async def test_a_renewal_never_overwrites_a_revocation(cache: RedisTokenCache) -> None:
    await cache.remember("pub", SESSION, TokenRole.PUBLISHER)
    await cache.revoked(["pub"])
    renewed = replace(SESSION, expires_at=NOW + 2 * HOUR)
    await cache.renewed([("pub", TokenRole.PUBLISHER)], renewed)
    assert await cache.lookup("pub") is False
    # Nor does a fill from a lookup that read the database before the revocation.
    await cache.remember("pub", renewed, TokenRole.PUBLISHER)
    assert await cache.lookup("pub") is False
