"""Redis, shared by every Gatehouse process: the client with its circuit breaker,
and the rate-limit counters (the caches are in shared.py).

Redis is an accelerator, never a dependency: when it stops answering, calls fall
back (to the database, or to in-process counters) and the
client is left alone for a few seconds before it is tried again, so requests do
not each wait for a timeout.

Redis 7.0 or newer is required (``MIN_REDIS_VERSION``): the rate-limit windows use
``EXPIRE … NX`` (7.0); everything else (``SET … EX NX``, ``EVAL``, ``MULTI``,
``AUTH user password``) is older. ``check_server`` refuses an older server at
start, rather than letting every counter fail command by command.

Keys carry a hash tag (``{gh}``) so every key lands in one slot: safe on Redis
Cluster, and multi-key commands stay legal.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from gatehouse.adapters.cache.memory import MemoryRateLimiter
from gatehouse.adapters.cache.resp import RespClient, RespError
from gatehouse.services.ports import Counter
from gatehouse.settings import SettingsError

__all__ = ["MIN_REDIS_VERSION", "RedisClient", "RedisRateLimiter", "RedisTooOld"]

log = logging.getLogger("gatehouse.redis")
T = TypeVar("T")

_RETRY_AFTER_FAILURE_S = 2.0
#: ``EXPIRE key seconds NX`` appeared in Redis 7.0.
MIN_REDIS_VERSION = (7, 0)
_VERSION = re.compile(rb"^redis_version:(\d+)\.(\d+)", re.MULTILINE)


class RedisTooOld(SettingsError):
    """GATEHOUSE_REDIS_URL points at a Redis older than ``MIN_REDIS_VERSION``."""


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

    async def check_server(self) -> None:
        """Refuse (``RedisTooOld``) a server too old for the commands used. Unreachable
        or unable to say: logged only, as Redis is an accelerator with fallbacks."""
        try:
            info = await self.redis.execute("INFO", "server")
        except (RespError, OSError) as exc:
            log.warning("redis version not checked at start: %s", type(exc).__name__)
            return
        found = _VERSION.search(info if isinstance(info, bytes) else b"")
        if found is None:
            log.warning("redis version not checked at start: INFO names no redis_version")
            return
        version = (int(found[1]), int(found[2]))
        if version < MIN_REDIS_VERSION:
            need = ".".join(map(str, MIN_REDIS_VERSION))
            raise RedisTooOld(
                f"Redis at {self.redis.address} is version {found[1].decode()}."
                f"{found[2].decode()}; Gatehouse needs Redis {need} or newer. Upgrade it, "
                "or unset GATEHOUSE_REDIS_URL to run without Redis."
            )

    async def close(self) -> None:
        await self.redis.close()


#: ARGV holds (limit, window) per key of KEYS. The seconds until the fullest
#: window closes when any counter is at its limit (then the script ends there).
_WAIT = """
local wait = 0
for i, key in ipairs(KEYS) do
  local n = tonumber(redis.call('GET', key) or '0')
  if n >= tonumber(ARGV[2 * i - 1]) then
    -- PTTL rounded up: TTL rounds to the nearest second, so a caller that waited
    -- exactly that long could be refused once more.
    local ttl = math.ceil(redis.call('PTTL', key) / 1000)
    if ttl < 1 then ttl = 1 end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
"""
#: Without counting: 0, or the seconds until the fullest window closes.
_OVER = _WAIT + "return 0\n"
#: Reserve one attempt on every counter of KEYS at once, or none: 0 when reserved.
_RESERVE = (
    _WAIT
    + """
for i, key in ipairs(KEYS) do
  redis.call('INCR', key)
  redis.call('EXPIRE', key, ARGV[2 * i], 'NX')
end
return 0
"""
)

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

    async def _script(self, script: str, counters: Sequence[Counter]) -> int | None:
        """The script's answer (0 or seconds to wait), or None when Redis is away."""
        names = self._names(counters)
        args = [a for c in counters for a in (c.limit, c.window)]

        async def op(r: RespClient) -> int:
            return int(await r.eval(script, names, args))

        result: int | None = await self._client.call(op, None)
        return result

    async def reserve(self, counters: Sequence[Counter]) -> int | None:
        wait = await self._script(_RESERVE, counters)
        if wait is None:  # Redis is away: count in this process meanwhile
            return await self._local.reserve(counters)
        return wait or None

    async def over(self, counters: Sequence[Counter]) -> int | None:
        wait = await self._script(_OVER, counters)
        if wait is None:
            return await self._local.over(counters)
        return wait or None

    async def release(self, counters: Sequence[Counter]) -> None:
        names = self._names(counters)
        if self._client.available:
            # Nobody waits for the answer: a lost release only keeps one attempt
            # counted until its window closes.
            self._client.redis.send_and_forget(("EVAL", _RELEASE, len(names), *names))
        await self._local.release(counters)
