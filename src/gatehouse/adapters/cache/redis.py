"""Redis, shared by every Gatehouse process: rate-limit counters and the token →
session cache. Redis is an accelerator, never a dependency: when it stops
answering, calls fall back (to the database, or to in-process counters) and the
client is left alone for a few seconds before it is tried again, so requests do
not each wait for a timeout.

Keys carry a hash tag (``{gh}``) so every key lands in one slot: safe on Redis
Cluster, and multi-key commands stay legal.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec

from gatehouse.adapters.cache.memory import MemoryRateLimiter
from gatehouse.adapters.cache.resp import RespClient, RespError
from gatehouse.adapters.store.rows import session_from_row
from gatehouse.core.models import Session, TokenRole

__all__ = ["CachedToken", "RedisClient", "RedisRateLimiter", "RedisTokenCache"]

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


class CachedToken(msgspec.Struct, array_like=True):
    """What "who is this token?" needs, as stored in Redis."""

    id: str
    project_id: int
    user_id: int
    created_at: int
    updated_at: int
    expires_at: int
    origin: str
    intent: str | None
    room_name: str
    factors: str
    scope: str
    role: str

    @classmethod
    def of(cls, session: Session, role: TokenRole) -> CachedToken:
        return cls(
            session.id,
            session.project_id,
            session.user_id,
            session.created_at,
            session.updated_at,
            session.expires_at,
            str(session.origin),
            session.intent,
            session.room_name,
            ",".join(session.factors),
            session.scope,
            str(role),
        )

    def session(self) -> tuple[Session, TokenRole]:
        # The fields are named and encoded like the sessions table's columns.
        return session_from_row(self), TokenRole(self.role)


_REVOKED = b"-"
# KEYS: token keys; ARGV[1]: seconds to live; ARGV[1 + i]: the new entry of KEYS[i].
_SET_UNLESS_REVOKED = """
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) ~= '-' then
    redis.call('SET', key, ARGV[i + 1], 'EX', ARGV[1])
  end
end
return 1
"""
_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(CachedToken).decode


class RedisTokenCache:
    """token hash → session, shared by every process.

    Correctness rules (no stale window across processes):
    * a revoked token leaves a tombstone, and fills use SET NX, so a lookup that
      read the database just before the revocation cannot put the token back;
    * an entry is trusted only until the expiry it carries: past it, the caller
      asks the database (a renewal elsewhere may have moved the expiry);
    * a renewal overwrites the entries with the new expiry, unless they are
      tombstones (atomically, in a script);
    * a tombstone that could not be written (Redis unreachable from this process)
      is kept and written as soon as Redis answers again, before any lookup here
      trusts the cache. Entries live at most ``ttl_seconds``, which bounds the
      window left if this process dies during such an outage.
    """

    def __init__(self, client: RedisClient, *, ttl_seconds: int = 60) -> None:
        self._client = client
        self._ttl = ttl_seconds
        self._unsent: set[str] = set()
        self.hits = 0
        self.misses = 0

    def _key(self, token_hash: str) -> str:
        return f"{self._client.prefix}tok:{token_hash}"

    async def lookup(self, token_hash: str) -> tuple[Session, TokenRole] | bool | None:
        """The cached answer; ``False`` for a revoked token; None when unknown here."""
        if self._unsent and not await self._send_tombstones(list(self._unsent)):
            return None
        raw = await self._client.call(lambda r: r.execute("GET", self._key(token_hash)), None)
        if raw is None:
            self.misses += 1
            return None
        self.hits += 1
        if raw == _REVOKED:
            return False
        try:
            return _decode(raw).session()
        except (msgspec.DecodeError, ValueError):
            return None

    async def remember(self, token_hash: str, session: Session, role: TokenRole) -> None:
        data = _encode(CachedToken.of(session, role))
        await self._client.call(
            lambda r: r.execute("SET", self._key(token_hash), data, "EX", self._ttl, "NX"), None
        )

    async def renewed(self, tokens: list[tuple[str, TokenRole]], session: Session) -> None:
        """Store the renewed session over the old entries, so the next check is a
        hit — but never over a tombstone (a revocation that raced the renewal
        wins). Should this fail, the old entries still carry the older, earlier
        expiry, which callers never trust past its end."""
        if not tokens:
            return
        keys = [self._key(h) for h, _ in tokens]
        values = [_encode(CachedToken.of(session, role)) for _, role in tokens]
        await self._client.call(
            lambda r: r.execute("EVAL", _SET_UNLESS_REVOKED, len(keys), *keys, self._ttl, *values),
            None,
        )

    async def revoked(self, token_hashes: list[str]) -> None:
        if token_hashes and not await self._send_tombstones(token_hashes):
            self._unsent.update(token_hashes)

    async def _send_tombstones(self, token_hashes: list[str]) -> bool:
        async def op(r: RespClient) -> bool:
            ttl = self._ttl
            await r.pipeline(*(("SET", self._key(h), _REVOKED, "EX", ttl) for h in token_hashes))
            return True

        sent = await self._client.call(op, False)
        if sent:
            self._unsent.difference_update(token_hashes)
        return sent

    @property
    def hit_ratio(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0
