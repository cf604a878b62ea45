"""The one counting rule (services/throttling.py): an attempt reserves its slot on
entry, keeps it when the secret was wrong, gives it back otherwise."""

from __future__ import annotations

import pytest

from gatehouse.adapters.cache.memory import MemoryRateLimiter
from gatehouse.core.errors import RateLimited
from gatehouse.services.throttling import Limit, Throttle


def throttle() -> Throttle:
    return Throttle(MemoryRateLimiter(), "t", per_address=Limit(3, 60), per_account=Limit(2, 60))


async def test_failures_keep_their_slots_and_successes_give_them_back() -> None:
    t = throttle()
    for _ in range(10):  # successes never use up the budget
        async with t.attempt(caller="10.0.0.1", account="alice"):
            pass
    for _ in range(2):
        async with t.attempt(caller="10.0.0.1", account="alice") as attempt:
            await attempt.failed()
    with pytest.raises(RateLimited) as refused:
        async with t.attempt(caller="10.0.0.2", account="alice"):
            raise AssertionError("over the account limit nothing is verified")
    assert 1 <= refused.value.retry_after <= 60
    async with t.attempt(caller="10.0.0.1", account="bob"):  # the address has room
        pass


async def test_an_error_that_is_no_guess_gives_the_slot_back() -> None:
    t = throttle()
    for _ in range(5):
        with pytest.raises(OSError):
            async with t.attempt(caller="10.0.0.1", account="alice"):
                raise OSError("storage is away")
    async with t.attempt(caller="10.0.0.1", account="alice"):
        pass


async def test_ipv6_neighbours_share_one_address_budget() -> None:
    t = throttle()
    for i in range(3):
        async with t.attempt(caller=f"2001:db8::{i + 1}") as attempt:
            await attempt.failed()
    with pytest.raises(RateLimited):
        await t.spend(caller="2001:db8::ffff")
    await t.spend(caller="2001:db8:0:1::1")  # another /64


def bearer_throttle() -> Throttle:
    return Throttle(MemoryRateLimiter(), "b", per_address=Limit(3, 60), reserve_first=False)


async def test_looked_up_secrets_count_failures_not_attempts_in_flight() -> None:
    t = bearer_throttle()
    # Many successes at once from one address: nothing is held while they run.
    held = [t.attempt(caller="10.0.0.1") for _ in range(10)]
    for attempt in held:
        await attempt.__aenter__()
    for attempt in held:
        await attempt.__aexit__(None, None, None)
    # Failures: the limit's worth answered, then 429 in place of the 401.
    for _ in range(3):
        async with t.attempt(caller="10.0.0.1") as attempt:
            await attempt.failed()
    with pytest.raises(RateLimited):
        async with t.attempt(caller="10.0.0.1"):
            raise AssertionError("a caller at its limit is refused before the lookup")


async def test_a_failure_that_finds_no_slot_left_answers_429() -> None:
    t = bearer_throttle()
    entered = [t.attempt(caller="10.0.0.2") for _ in range(5)]
    for attempt in entered:  # all looked up while the counter was still empty
        await attempt.__aenter__()
    outcomes = []
    for attempt in entered:
        try:
            await attempt.failed()
            outcomes.append("401")
        except RateLimited:
            outcomes.append("429")
    assert outcomes == ["401"] * 3 + ["429"] * 2
