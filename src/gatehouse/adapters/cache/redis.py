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
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from gatehouse.adapters.cache.memory import MemoryRateLimiter
from gatehouse.adapters.cache.resp import RespClient, RespError
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


class RedisRateLimiter:
    """Fixed-window counters shared by all processes; in-process when Redis is down."""

    def __init__(self, client: RedisClient) -> None:
        self._client = client
        self._local = MemoryRateLimiter()

    def _key(self, key: str) -> str:
        return f"{self._client.prefix}rl:{key}"

    async def hit(self, key: str, *, limit: int, window: int) -> int | None:
        name = self._key(key)

        async def op(r: RespClient) -> int | None:
            *_, (count, _, ttl) = await r.pipeline(
                ("MULTI",), ("INCR", name), ("EXPIRE", name, window, "NX"), ("TTL", name), ("EXEC",)
            )
            return max(1, int(ttl)) if int(count) > limit else None

        missing = object()
        result: Any = await self._client.call(op, missing)
        if result is missing:
            return await self._local.hit(key, limit=limit, window=window)
        return result  # type: ignore[no-any-return]

    async def peek(self, key: str, *, limit: int, window: int) -> int | None:
        name = self._key(key)

        async def op(r: RespClient) -> int | None:
            raw, ttl = await r.pipeline(("GET", name), ("TTL", name))
            count = int(raw or 0)
            return max(1, int(ttl)) if count >= limit and int(ttl) > 0 else None

        missing = object()
        result: Any = await self._client.call(op, missing)
        if result is missing:
            return await self._local.peek(key, limit=limit, window=window)
        return result  # type: ignore[no-any-return]

    async def reset(self, key: str) -> None:
        name = self._key(key)
        await self._client.call(lambda r: r.execute("DEL", name), 0)
        await self._local.reset(key)
