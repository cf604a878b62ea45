"""The shared caches (adapters/cache/shared.py) against the local Redis: what a
renewal leaves behind, that nothing overwrites a revocation, and that a change
to a client or an API key sends every process back to the database."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gatehouse.adapters.cache.redis import RedisClient
from gatehouse.adapters.cache.shared import RedisCredentialCache, RedisTokenCache
from gatehouse.core.models import (
    ApiKeyRecord,
    ApiKeyType,
    Client,
    Session,
    SessionOrigin,
    TokenRole,
)

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
def cache(redis: RedisClient) -> RedisTokenCache:
    return RedisTokenCache(redis)


async def test_a_renewal_leaves_the_new_expiry_for_every_token(cache: RedisTokenCache) -> None:
    await cache.remember("pub", SESSION, TokenRole.PUBLISHER)
    renewed = replace(SESSION, updated_at=NOW + 10, expires_at=NOW + 2 * HOUR)
    await cache.renewed([("pub", TokenRole.PUBLISHER), ("sub", TokenRole.SUBSCRIBER)], renewed)
    assert await cache.lookup("pub") == (renewed, TokenRole.PUBLISHER)
    assert await cache.lookup("sub") == (renewed, TokenRole.SUBSCRIBER)
    assert await cache.session(SESSION.id) == renewed


async def test_a_renewal_never_overwrites_a_revocation(cache: RedisTokenCache) -> None:
    await cache.remember("pub", SESSION, TokenRole.PUBLISHER)
    await cache.revoked([SESSION.id], ["pub"])
    renewed = replace(SESSION, expires_at=NOW + 2 * HOUR)
    await cache.renewed([("pub", TokenRole.PUBLISHER)], renewed)
    assert await cache.lookup("pub") is False
    # Nor does a fill from a lookup that read the database before the revocation.
    await cache.remember("pub", renewed, TokenRole.PUBLISHER)
    assert await cache.lookup("pub") is False


async def test_a_revoked_session_is_gone_by_id_and_by_token(cache: RedisTokenCache) -> None:
    await cache.remember("pub", SESSION, TokenRole.PUBLISHER)
    await cache.remember_session(SESSION)
    assert await cache.session(SESSION.id) == SESSION
    await cache.revoked([SESSION.id], ["pub"])
    await cache.remember_session(SESSION)  # a fill that read the database before
    assert await cache.session(SESSION.id) is False
    assert await cache.lookup("pub") is False


CLIENT = Client(id="cl_1", project_id=1, user_id=7, name="game", created_at=NOW)


async def test_a_changed_client_is_asked_of_the_database_again(redis: RedisClient) -> None:
    cache = RedisCredentialCache(redis)
    assert await cache.client(CLIENT.id) is None
    await cache.remember_client(CLIENT, "hash-of-secret")
    assert await cache.client(CLIENT.id) == (CLIENT, "hash-of-secret")
    await cache.client_changed(CLIENT.id)
    assert await cache.client(CLIENT.id) is None
    # What a reader fetched before the change cannot come back.
    await cache.remember_client(CLIENT, "hash-of-secret")
    assert await cache.client(CLIENT.id) is None


async def test_a_revoked_api_key_is_asked_of_the_database_again(redis: RedisClient) -> None:
    cache = RedisCredentialCache(redis)
    key = ApiKeyRecord(id=3, project_id=1, key_type=ApiKeyType.SERVER, revoked=False)
    await cache.remember_api_key("h", key)
    assert await cache.api_key("h") == key
    await cache.api_key_changed("h")
    await cache.remember_api_key("h", key)
    assert await cache.api_key("h") is None
