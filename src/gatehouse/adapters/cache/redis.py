"""Redis, shared by every Gatehouse process: the client with its circuit breaker,
and the rate-limit counters (the caches are in shared.py).

Redis is an accelerator, never a dependency: when it stops answering, calls fall
back (to the database, or to in-process counters) and the
client is left alone for a few seconds before it is tried again, so requests do
not each wait for a timeout.

Keys carry a hash tag (``{gh}``) so every key lands in one slot: safe on Redis
Cluster, and multi-key commands stay legal.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from gatehouse.adapters.cache.memory import MemoryRateLimiter
from gatehouse.adapters.cache.resp import RespClient, RespError
from gatehouse.services.ports import Counter

__all__ = ["RedisClient", "RedisRateLimiter"]

log = logging.getLogger("gatehouse.redis")
T = TypeVar("T")

_RETRY_AFTER_FAILURE_S = 2.0


class RedisClient:
    """The pipelined connection (adapters/cache/resp.py) plus a small circuit breaker."""

    def __init__(self, url: str, *, prefix: str = "gh", timeout: float = 0.25) -> None:
        self.prefix = "{" + prefix + "}:"
        self.redis = RespClient(url, timeout=timeout)
        self._down_until = 0.0
        self.failures = 0

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    async def call(self, op: Callable[[RespClient], Awaitable[T]], fallback: T) -> T:
        """Run ``op``; on any Redis trouble answer ``fallback`` and back off."""
        if not self.available:
            return fallback
        try:
            return await op(self.redis)
        except (RespError, OSError) as exc:
            self.failures += 1
            self._down_until = time.monotonic() + _RETRY_AFTER_FAILURE_S
            log.warning("redis unavailable, falling back: %s", type(exc).__name__)
            return fallback

    async def ping(self) -> bool:
        try:
            return bool(await self.redis.execute("PING") == b"PONG")
        except (RespError, OSError):
            self._down_until = time.monotonic() + _RETRY_AFTER_FAILURE_S
            return False

    async def close(self) -> None:
        await self.redis.close()


#: Reserve one attempt on every counter of KEYS at once, or none: ARGV holds
#: (limit, window) per key. Answers 0, or the seconds until the fullest window closes.
_RESERVE = """
local wait = 0
for i, key in ipairs(KEYS) do
  local n = tonumber(redis.call('GET', key) or '0')
  if n >= tonumber(ARGV[2 * i - 1]) then
    local ttl = redis.call('TTL', key)
    if ttl < 1 then ttl = 1 end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('INCR', key)
  redis.call('EXPIRE', key, ARGV[2 * i], 'NX')
end
return 0
"""

#: Give one reserved attempt back to every counter of KEYS, never below zero and
#: never re-creating a counter whose window has closed.
_RELEASE = """
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
return 0
"""


class RedisRateLimiter:
    """Fixed-window counters shared by all processes, reserved and released by Lua
    scripts (atomic in Redis whatever the number of processes); in-process while
    Redis is down."""

    def __init__(self, client: RedisClient) -> None:
        self._client = client
        self._local = MemoryRateLimiter()

    def _names(self, counters: Sequence[Counter]) -> list[str]:
        return [f"{self._client.prefix}rl:{c.key}" for c in counters]

    async def reserve(self, counters: Sequence[Counter]) -> int | None:
        names = self._names(counters)
        args = [a for c in counters for a in (c.limit, c.window)]

        async def op(r: RespClient) -> int:
            return int(await r.eval(_RESERVE, names, args))

        wait: int | None = await self._client.call(op, None)
        if wait is None:  # Redis is away: count in this process meanwhile
            return await self._local.reserve(counters)
        return wait or None

    async def release(self, counters: Sequence[Counter]) -> None:
        names = self._names(counters)
        if self._client.available:
            # Nobody waits for the answer: a lost release only keeps one attempt
            # counted until its window closes.
            self._client.redis.send_and_forget(("EVAL", _RELEASE, len(names), *names))
        await self._local.release(counters)
