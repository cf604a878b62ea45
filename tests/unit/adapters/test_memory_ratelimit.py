from __future__ import annotations

from gatehouse.adapters.cache.memory import MemoryRateLimiter
from gatehouse.services.ports import Counter


class FakeMonotonic:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


async def test_reserves_up_to_the_limit_then_answers_retry_after() -> None:
    clock = FakeMonotonic()
    limiter = MemoryRateLimiter(monotonic=clock)
    c = [Counter("ip:1", 3, 60)]
    for _ in range(3):
        assert await limiter.reserve(c) is None
    assert await limiter.reserve(c) == 60
    clock.now += 10
    assert await limiter.reserve(c) == 50
    clock.now += 49.5
    assert await limiter.reserve(c) == 1
    clock.now += 0.5  # the window has closed
    assert await limiter.reserve(c) is None


async def test_a_refused_reservation_counts_nothing() -> None:
    limiter = MemoryRateLimiter(monotonic=FakeMonotonic())
    c = [Counter("k", 2, 60)]
    await limiter.reserve(c)
    await limiter.reserve(c)
    for _ in range(10):
        assert await limiter.reserve(c) is not None
    await limiter.release(c)  # one success gives its slot back: one more may try
    assert await limiter.reserve(c) is None
    assert await limiter.reserve(c) is not None


async def test_release_never_goes_below_zero_nor_outlives_its_window() -> None:
    clock = FakeMonotonic()
    limiter = MemoryRateLimiter(monotonic=clock)
    c = [Counter("k", 1, 60)]
    await limiter.release(c)  # never reserved: nothing to give back
    assert await limiter.reserve(c) is None
    assert await limiter.reserve(c) == 60
    clock.now += 61
    await limiter.release(c)  # from a closed window: the new one is untouched
    assert await limiter.reserve(c) is None
    assert await limiter.reserve(c) is not None


async def test_all_counters_or_none() -> None:
    limiter = MemoryRateLimiter(monotonic=FakeMonotonic())
    account, address = Counter("acct", 1, 60), Counter("addr", 5, 60)
    assert await limiter.reserve([account, address]) is None
    assert await limiter.reserve([account, address]) is not None  # the account is full
    # ... and the refused attempt did not spend the address's budget.
    for _ in range(4):
        assert await limiter.reserve([address]) is None
    assert await limiter.reserve([address]) is not None


async def test_memory_stays_bounded_under_a_spray_of_keys() -> None:
    clock = FakeMonotonic()
    limiter = MemoryRateLimiter(monotonic=clock, max_keys=64)
    for i in range(5_000):
        clock.now += 0.001  # all windows stay open: pruning must drop live ones
        assert await limiter.reserve([Counter(f"spray:{i}", 5, 60)]) is None
        assert len(limiter._windows) <= 64
    # The newest keys survive with their counts.
    assert await limiter.reserve([Counter("spray:4999", 1, 60)]) == 60


async def test_pruning_drops_closed_windows_first() -> None:
    clock = FakeMonotonic()
    limiter = MemoryRateLimiter(monotonic=clock, max_keys=4)
    await limiter.reserve([Counter("live", 1, 3600)])
    for i in range(3):
        await limiter.reserve([Counter(f"short:{i}", 1, 1)])
    clock.now += 2  # the short windows have closed; "live" has not
    await limiter.reserve([Counter("new", 1, 60)])
    assert set(limiter._windows) == {"live", "new"}
    assert await limiter.reserve([Counter("live", 1, 3600)]) is not None
