"""In-process rate limiting for a single server process."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from gatehouse.services.ports import Counter

__all__ = ["MemoryRateLimiter"]


class MemoryRateLimiter:
    """Fixed-window counters. ``reserve`` and ``release`` never await, so under
    asyncio each is atomic: no other coroutine runs between a counter's read and
    its write."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic, max_keys: int = 100_000):
        self._now = monotonic
        #: key → (window start, count, window length)
        self._windows: dict[str, tuple[float, int, int]] = {}
        self._max_keys = max_keys

    def _wait(self, counters: Sequence[Counter], now: float) -> int | None:
        wait = None
        for c in counters:
            found = self._windows.get(c.key)
            if found is not None and now - found[0] < c.window and found[1] >= c.limit:
                left = found[0] + c.window - now
                wait = left if wait is None else max(wait, left)
        return None if wait is None else max(1, int(wait + 0.999))

    async def over(self, counters: Sequence[Counter]) -> int | None:
        return self._wait(counters, self._now())

    async def reserve(self, counters: Sequence[Counter]) -> int | None:
        now = self._now()
        wait = self._wait(counters, now)
        if wait is not None:
            return wait
        windows = self._windows
        if len(windows) + len(counters) > self._max_keys:
            self._prune(now)
            windows = self._windows
        for c in counters:
            found = windows.get(c.key)
            if found is None or now - found[0] >= c.window:  # a new window opens
                windows[c.key] = (now, 1, c.window)
            else:
                windows[c.key] = (found[0], found[1] + 1, c.window)
        return None

    async def release(self, counters: Sequence[Counter]) -> None:
        now = self._now()
        for c in counters:
            found = self._windows.get(c.key)
            if found is not None and now - found[0] < found[2] and found[1] > 0:
                self._windows[c.key] = (found[0], found[1] - 1, found[2])

    def _prune(self, now: float) -> None:
        # Bounded memory under a spray of distinct keys: drop closed windows, then
        # the keys with the fewest attempts, so a spray cannot clear a real lockout.
        self._windows = {k: v for k, v in self._windows.items() if now - v[0] < v[2]}
        if len(self._windows) >= self._max_keys:
            ranked = sorted(self._windows.items(), key=lambda kv: kv[1][1], reverse=True)
            self._windows = dict(ranked[: self._max_keys // 2])
