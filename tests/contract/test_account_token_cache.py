"""The PRIVATE-TOKEN cache (adapters/cache/shared.py, "v3:" and "usr:") against the
local Redis: what a lookup finds, that a change's tombstone is never overwritten by
a value read before it, that the next database read after it warms the entry
again, that a session's own tombstone ends a token's session, and that nothing
derived from a secret is stored."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gatehouse.adapters.cache.redis import RedisClient
from gatehouse.adapters.cache.shared import RedisAccountTokenCache, RedisTokenCache
from gatehouse.core.models import Session, SessionOrigin, User
from gatehouse.services.ports import AccessTokenRecord

NOW = 1_772_366_400_000_000
HOUR = 3_600_000_000
HASH = "a" * 64  # the keyed hash of a token: the only name a token has in Redis

SESSION = Session(
    id="7.0123abcd.89ef4567",
    project_id=1,
    user_id=7,
    created_at=NOW,
    updated_at=NOW,
    expires_at=NOW + HOUR,
    origin=SessionOrigin.ACCOUNT,
    room_name="room",
    factors=("password",),
)
USER = User(
    id=7,
    project_id=1,
    username="alice",
    email="alice@example.com",
    first_name="Alice",
    has_password=True,
    credential_stamp="0123456789abcdef0123456789abcdef",
)
LOGGED_IN = AccessTokenRecord("device", 1, NOW + 24 * HOUR, SESSION.id, USER.id)
LOGGED_OUT = AccessTokenRecord("device", 1, NOW + 24 * HOUR, None, None)


@pytest.fixture
def sessions(redis: RedisClient) -> RedisTokenCache:
    return RedisTokenCache(redis)


@pytest.fixture
def cache(sessions: RedisTokenCache) -> RedisAccountTokenCache:
    return RedisAccountTokenCache(sessions.shared)


async def test_a_filled_token_comes_back_with_its_session_and_user(
    cache: RedisAccountTokenCache, redis: RedisClient
) -> None:
    first = await cache.lookup(HASH)
    assert first.token is None  # nothing yet: ask the database
    await cache.remember(first, LOGGED_IN, SESSION, USER)

    found = await cache.lookup(HASH)
    assert found.token == LOGGED_IN
    assert found.session == SESSION
    # Everything a v3 answer shows, and no stamp: it derives from the password hash.
    assert found.user == replace(USER, credential_stamp="")
    keys = sorted(k.decode() for k in await redis.redis.execute("KEYS", redis.prefix + "*"))
    assert keys == [redis.prefix + n for n in (f"ses:{SESSION.id}", f"usr:{USER.id}", f"v3:{HASH}")]
    stored = b"".join([await redis.redis.execute("GET", k) for k in keys])
    assert USER.credential_stamp.encode() not in stored


async def test_a_change_is_never_overwritten_by_what_was_read_before_it(
    cache: RedisAccountTokenCache,
) -> None:
    await cache.remember(await cache.lookup(HASH), LOGGED_OUT, None, None)
    before = await cache.lookup(HASH)  # a check reads the cache, then the database...
    await cache.changed([HASH])  # ...while a login commits and buries the entry
    await cache.remember(before, LOGGED_OUT, None, None)  # the old row arrives late
    assert (await cache.lookup(HASH)).token is None  # still buried: ask the database


async def test_the_first_read_after_a_change_warms_the_entry_again(
    cache: RedisAccountTokenCache,
) -> None:
    await cache.remember(await cache.lookup(HASH), LOGGED_OUT, None, None)
    await cache.changed([HASH])  # a login
    after = await cache.lookup(HASH)
    assert after.token is None
    await cache.remember(after, LOGGED_IN, SESSION, USER)  # read after the change
    assert (await cache.lookup(HASH)).token == LOGGED_IN  # warm at once, not in a minute


async def test_a_second_change_buries_a_read_that_began_before_it(
    cache: RedisAccountTokenCache,
) -> None:
    await cache.changed([HASH])  # a login
    saw_first = await cache.lookup(HASH)  # a check sees that tombstone, reads the db...
    await cache.changed([HASH])  # ...then a logout commits: a new, different tombstone
    await cache.remember(saw_first, LOGGED_IN, SESSION, USER)
    assert (await cache.lookup(HASH)).token is None


async def test_a_revoked_session_ends_the_tokens_session_without_touching_the_token(
    cache: RedisAccountTokenCache, sessions: RedisTokenCache
) -> None:
    await cache.remember(await cache.lookup(HASH), LOGGED_IN, SESSION, USER)
    await sessions.revoked([SESSION.id], [])  # any surface: storage, CLI, password change
    found = await cache.lookup(HASH)
    assert found.token == LOGGED_IN and found.session is False
    # And nothing read before the revocation brings the session back.
    await cache.remember(found, LOGGED_IN, SESSION, USER)
    assert (await cache.lookup(HASH)).session is False


async def test_a_renewal_moves_the_expiry_the_token_sees(
    cache: RedisAccountTokenCache, sessions: RedisTokenCache
) -> None:
    await cache.remember(await cache.lookup(HASH), LOGGED_IN, SESSION, USER)
    shorter = replace(SESSION, expires_at=NOW + 60_000_000)  # a Session Storage TTL change
    await sessions.renewed([], shorter)
    assert (await cache.lookup(HASH)).session == shorter


async def test_a_user_change_sends_the_next_lookup_to_the_database(
    cache: RedisAccountTokenCache,
) -> None:
    await cache.remember(await cache.lookup(HASH), LOGGED_IN, SESSION, USER)
    stale = await cache.lookup(HASH)
    await cache.user_changed(USER.id)
    found = await cache.lookup(HASH)
    assert found.token == LOGGED_IN and found.user is None
    await cache.remember(stale, LOGGED_IN, SESSION, USER)  # read before the change
    assert (await cache.lookup(HASH)).user is None
    changed = replace(USER, email="alice@example.org", totp_enabled=True)
    await cache.remember(found, LOGGED_IN, SESSION, changed)  # read after it
    assert (await cache.lookup(HASH)).user == replace(changed, credential_stamp="")


async def test_a_touch_moves_the_cached_expiry_but_never_over_a_change(
    cache: RedisAccountTokenCache,
) -> None:
    await cache.remember(await cache.lookup(HASH), LOGGED_OUT, None, None)
    seen = await cache.lookup(HASH)
    await cache.touched(seen, NOW + 25 * HOUR)
    moved = await cache.lookup(HASH)
    assert moved.token == replace(LOGGED_OUT, expires_at=NOW + 25 * HOUR)

    await cache.changed([HASH])  # a login between the read and the touch
    await cache.touched(moved, NOW + 26 * HOUR)
    assert (await cache.lookup(HASH)).token is None


async def test_redis_away_means_ask_the_database_and_fill_nothing(
    cache: RedisAccountTokenCache, redis: RedisClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await cache.remember(await cache.lookup(HASH), LOGGED_OUT, None, None)
    monkeypatch.setattr(type(redis), "available", property(lambda self: False))
    away = await cache.lookup(HASH)
    assert away.token is None
    monkeypatch.undo()
    await cache.changed([HASH])
    await cache.remember(away, LOGGED_IN, SESSION, USER)  # it saw nothing it could swap
    assert (await cache.lookup(HASH)).token is None
