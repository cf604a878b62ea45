"""Both rate limiters (in-process, and Redis shared by every process) keep the
same contract under concurrency: a reservation is atomic across all its
counters, so N attempts arriving at once get exactly ``limit`` slots."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from gatehouse.adapters.cache.memory import MemoryRateLimiter
from gatehouse.adapters.cache.redis import RedisClient, RedisRateLimiter
from gatehouse.services.ports import Counter, RateLimiter
from tests.conftest import IN_CI, REDIS_URL


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    if request.param == "memory":
        yield MemoryRateLimiter()
        return
    client = RedisClient(REDIS_URL, prefix=f"rl-test-{uuid.uuid4().hex[:8]}")
    if not await client.ping():
        if IN_CI:
            pytest.fail(f"Redis at {REDIS_URL} is required under CI=true")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable")
    try:
        yield RedisRateLimiter(client)
    finally:
        keys = await client.redis.execute("KEYS", f"{client.prefix}*")
        if keys:
            await client.redis.execute("DEL", *keys)
        await client.close()


async def test_forty_parallel_reservations_get_exactly_the_limit(limiter: RateLimiter) -> None:
    counters = [Counter("acct:victim", 5, 300), Counter("addr:one", 30, 300)]
    answers = await asyncio.gather(*(limiter.reserve(counters) for _ in range(40)))
    assert sum(a is None for a in answers) == 5
    assert all(isinstance(a, int) and 0 < a <= 300 for a in answers if a is not None)


async def test_releases_give_slots_back_and_refusals_take_none(limiter: RateLimiter) -> None:
    c = [Counter("k", 2, 60)]
    assert await limiter.reserve(c) is None
    assert await limiter.reserve(c) is None
    for _ in range(5):
        assert await limiter.reserve(c) is not None
    await limiter.release(c)
    await asyncio.sleep(0.05)  # the Redis release is sent without waiting
    assert await limiter.reserve(c) is None
    assert await limiter.reserve(c) is not None


async def test_one_full_counter_refuses_without_spending_the_others(limiter: RateLimiter) -> None:
    account, address = Counter("acct:a", 1, 60), Counter("addr:b", 3, 60)
    assert await limiter.reserve([account, address]) is None
    assert await limiter.reserve([account, address]) is not None
    assert await limiter.reserve([address]) is None
    assert await limiter.reserve([address]) is None
    assert await limiter.reserve([address]) is not None


async def test_release_of_a_counter_never_reserved_changes_nothing(limiter: RateLimiter) -> None:
    c = [Counter("fresh", 1, 60)]
    await limiter.release(c)
    await asyncio.sleep(0.05)
    assert await limiter.reserve(c) is None
    assert await limiter.reserve(c) is not None


async def test_over_answers_without_counting(limiter: RateLimiter) -> None:
    c = [Counter("peek", 2, 60)]
    for _ in range(5):
        assert await limiter.over(c) is None  # looking costs nothing
    await limiter.reserve(c)
    await limiter.reserve(c)
    wait = await limiter.over(c)
    assert wait is not None and 0 < wait <= 60
