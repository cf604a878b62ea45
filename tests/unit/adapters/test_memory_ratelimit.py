from __future__ import annotations

from gatehouse.adapters.cache.memory import MemoryRateLimiter


class FakeMonotonic:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


async def test_allows_limit_hits_then_answers_retry_after() -> None:
    clock = FakeMonotonic()
    limiter = MemoryRateLimiter(monotonic=clock)
    for _ in range(3):
        assert await limiter.hit("ip:1", limit=3, window=60) is None
    assert await limiter.hit("ip:1", limit=3, window=60) == 60
    clock.now += 10
    assert await limiter.hit("ip:1", limit=3, window=60) == 50
    clock.now += 0.5  # 49.5 s left: rounded up
    assert await limiter.hit("ip:1", limit=3, window=60) == 50
    clock.now += 49.4  # 0.1 s left: never less than one second
    assert await limiter.hit("ip:1", limit=3, window=60) == 1


async def test_window_resets() -> None:
    clock = FakeMonotonic()
    limiter = MemoryRateLimiter(monotonic=clock)
    for _ in range(2):
        assert await limiter.hit("k", limit=2, window=30) is None
    assert await limiter.hit("k", limit=2, window=30) is not None
    clock.now += 29.999
    assert await limiter.hit("k", limit=2, window=30) is not None
    clock.now += 0.001  # exactly one window after the first hit
    assert await limiter.hit("k", limit=2, window=30) is None
    assert await limiter.hit("k", limit=2, window=30) is None
    assert await limiter.hit("k", limit=2, window=30) == 30


async def test_keys_are_independent() -> None:
    limiter = MemoryRateLimiter(monotonic=FakeMonotonic())
    assert await limiter.hit("a", limit=1, window=60) is None
    assert await limiter.hit("a", limit=1, window=60) == 60
    assert await limiter.hit("b", limit=1, window=60) is None
    assert await limiter.hit("b", limit=1, window=60) == 60


async def test_reset_clears_one_key() -> None:
    limiter = MemoryRateLimiter(monotonic=FakeMonotonic())
    for key in ("a", "b"):
        await limiter.hit(key, limit=1, window=60)
        await limiter.hit(key, limit=1, window=60)
    await limiter.reset("a")
    await limiter.reset("never-seen")
    assert await limiter.hit("a", limit=1, window=60) is None
    assert await limiter.hit("b", limit=1, window=60) == 60


async def test_memory_stays_bounded_under_a_spray_of_keys() -> None:
    clock = FakeMonotonic()
    limiter = MemoryRateLimiter(monotonic=clock, max_keys=64)
    for i in range(5_000):
        clock.now += 0.001  # all windows stay open: pruning must drop live ones
        assert await limiter.hit(f"spray:{i}", limit=5, window=60) is None
        assert len(limiter._windows) <= 64
    # The newest keys survive with their counts.
    assert await limiter.hit("spray:4999", limit=1, window=60) == 60


async def test_pruning_drops_closed_windows_first() -> None:
    clock = FakeMonotonic()
    limiter = MemoryRateLimiter(monotonic=clock, max_keys=4)
    await limiter.hit("live", limit=1, window=3600)
    for i in range(3):
        await limiter.hit(f"short:{i}", limit=1, window=1)
    clock.now += 2  # the short windows have closed; "live" has not
    await limiter.hit("new", limit=1, window=60)
    assert set(limiter._windows) == {"live", "new"}
    assert await limiter.hit("live", limit=1, window=3600) is not None


async def test_peek_answers_without_counting() -> None:
    clock = FakeMonotonic()
    limiter = MemoryRateLimiter(monotonic=clock)
    assert await limiter.peek("k", limit=2, window=60) is None  # never seen
    await limiter.hit("k", limit=2, window=60)
    for _ in range(5):
        assert await limiter.peek("k", limit=2, window=60) is None  # peeks are free
    await limiter.hit("k", limit=2, window=60)
    assert await limiter.peek("k", limit=2, window=60) == 60  # the next hit would be refused
    assert await limiter.hit("k", limit=2, window=60) == 60
    clock.now += 60
    assert await limiter.peek("k", limit=2, window=60) is None  # the window has closed
    assert await limiter.hit("k", limit=2, window=60) is None
