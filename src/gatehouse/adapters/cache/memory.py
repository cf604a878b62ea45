"""In-process rate limiting for a single server process."""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["MemoryRateLimiter"]


class MemoryRateLimiter:
    """Fixed-window counters. ``hit`` answers None while under the limit, else the
    seconds until the window resets."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic, max_keys: int = 100_000):
        self._now = monotonic
        self._windows: dict[str, tuple[float, int, int]] = {}
        self._max_keys = max_keys

    async def hit(self, key: str, *, limit: int, window: int) -> int | None:
        now = self._now()
        start, count, _ = self._windows.get(key, (now, 0, window))
        if now - start >= window:
            start, count = now, 0
        count += 1
        if len(self._windows) >= self._max_keys and key not in self._windows:
            self._prune(now)
        self._windows[key] = (start, count, window)
        if count > limit:
            return max(1, int(start + window - now + 0.999))
        return None

    async def peek(self, key: str, *, limit: int, window: int) -> int | None:
        """Like ``hit`` without counting: is ``key`` over its limit right now?"""
        start, count, _ = self._windows.get(key, (0.0, 0, window))
        now = self._now()
        if count >= limit and now - start < window:
            return max(1, int(start + window - now + 0.999))
        return None

    async def reset(self, key: str) -> None:
        self._windows.pop(key, None)

    def _prune(self, now: float) -> None:
        # Bounded memory under a spray of distinct keys: drop closed windows, then
        # the keys with the fewest hits, so a spray cannot clear a real lockout.
        self._windows = {k: v for k, v in self._windows.items() if now - v[0] < v[2]}
        if len(self._windows) >= self._max_keys:
            ranked = sorted(self._windows.items(), key=lambda kv: kv[1][1], reverse=True)
            self._windows = dict(ranked[: self._max_keys // 2])
