"""Read-through caches in Redis, shared by every process: sessions (by bearer token
and by id), client applications and API keys. With them a warm token check asks
Redis once and never the database.

Correctness rules (no stale window across processes), the same for every kind:

* a change — a revoked session, a disabled client, a revoked key — leaves a
  **tombstone** on the entry, and fills use SET NX, so a lookup that read the
  database just before the change cannot put the old answer back. A tombstone
  means "ask the database" (for a session: "gone"), for as long as an entry
  could live;
* a session entry is trusted only until the expiry it carries: past it, the
  caller asks the database (a renewal elsewhere may have moved the expiry). A
  renewal overwrites the entries with the new expiry, in a script that never
  writes over a tombstone (a revocation that raced the renewal wins);
* a tombstone that could not be written (Redis unreachable from this process) is
  kept and written as soon as Redis answers again, before any lookup here
  trusts that cache. Entries live at most ``ttl_seconds``, which bounds the
  window left if this process dies during such an outage.

Entries are msgpack arrays of the columns, decoded by the store's row mappers.
"""

from __future__ import annotations

from typing import Any

import msgspec

from gatehouse.adapters.cache.redis import RedisClient
from gatehouse.adapters.cache.resp import RespClient
from gatehouse.adapters.store.rows import client_from_row, session_from_row
from gatehouse.core.models import ApiKeyRecord, ApiKeyType, Client, Session, TokenRole

__all__ = ["RedisCredentialCache", "RedisTokenCache", "SharedCache"]

_TOMBSTONE = b"-"
# KEYS: the entries; ARGV[1]: seconds to live; ARGV[1 + i]: the new value of KEYS[i].
_SET_UNLESS_TOMBSTONE = """
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) ~= '-' then
    redis.call('SET', key, ARGV[i + 1], 'EX', ARGV[1])
  end
end
return 1
"""


class SharedCache:
    """name → bytes entries, with tombstones (see the module). Names carry their
    kind ("tok:<hash>", "ses:<id>"), so one call can touch several kinds."""

    def __init__(self, client: RedisClient, *, ttl_seconds: int = 60) -> None:
        self._client = client
        self._ttl = ttl_seconds
        self._unsent: set[str] = set()
        self.hits = 0
        self.misses = 0

    def _key(self, name: str) -> str:
        return self._client.prefix + name

    async def get(self, key: str) -> bytes | bool | None:
        """The entry; False for a tombstone; None when unknown (or Redis is away)."""
        if self._unsent and not await self._bury(list(self._unsent)):
            return None
        raw: bytes | None = await self._client.call(
            lambda r: r.execute("GET", self._key(key)), None
        )
        if raw is None:
            self.misses += 1
            return None
        self.hits += 1
        return False if raw == _TOMBSTONE else raw

    async def fill(self, key: str, value: bytes) -> None:
        """Store what the database said, unless anything (a tombstone) is there."""
        await self._client.call(
            lambda r: r.execute("SET", self._key(key), value, "EX", self._ttl, "NX"), None
        )

    async def refresh(self, items: list[tuple[str, bytes]]) -> None:
        """Overwrite entries with newer values, never a tombstone."""
        if not items:
            return
        keys = [self._key(k) for k, _ in items]
        values = [v for _, v in items]
        await self._client.call(
            lambda r: r.execute(
                "EVAL", _SET_UNLESS_TOMBSTONE, len(keys), *keys, self._ttl, *values
            ),
            None,
        )

    async def changed(self, keys: list[str]) -> None:
        """Leave tombstones: every process asks the database from now on."""
        if keys and not await self._bury(keys):
            self._unsent.update(keys)

    async def _bury(self, keys: list[str]) -> bool:
        async def op(r: RespClient) -> bool:
            ttl = self._ttl
            await r.pipeline(*(("SET", self._key(k), _TOMBSTONE, "EX", ttl) for k in keys))
            return True

        sent = await self._client.call(op, False)
        if sent:
            self._unsent.difference_update(keys)
        return sent


class _Columns(msgspec.Struct, array_like=True):
    """A sessions row as cached; ``role`` is empty in the by-id namespace."""

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
    # Before ``role``, so an entry of the older layout fails to decode (and is
    # read again from the database) rather than passing for non-renewable.
    renewable: bool
    role: str = ""

    @classmethod
    def of(cls, session: Session, role: str = "") -> _Columns:
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
            session.renewable,
            role,
        )


class _ClientColumns(msgspec.Struct, array_like=True):
    id: str
    project_id: int
    user_id: int
    name: str
    created_at: int
    disabled: bool
    secret_hash: str


class _ApiKeyColumns(msgspec.Struct, array_like=True):
    id: int
    project_id: int
    key_type: str
    revoked: bool


_encode = msgspec.msgpack.Encoder().encode
_decode_session = msgspec.msgpack.Decoder(_Columns).decode
_decode_client = msgspec.msgpack.Decoder(_ClientColumns).decode
_decode_key = msgspec.msgpack.Decoder(_ApiKeyColumns).decode


def _decoded(raw: bytes, decode: Any) -> Any:
    try:
        return decode(raw)
    except (msgspec.DecodeError, ValueError):  # an entry of an older layout
        return None


class RedisTokenCache:
    """Sessions by bearer-token hash ("tok:") and by id ("ses:")."""

    def __init__(self, client: RedisClient, *, ttl_seconds: int = 60) -> None:
        self._cache = SharedCache(client, ttl_seconds=ttl_seconds)

    async def lookup(self, token_hash: str) -> tuple[Session, TokenRole] | bool | None:
        """The cached answer; ``False`` for a revoked token; None when unknown here."""
        raw = await self._cache.get(f"tok:{token_hash}")
        if not isinstance(raw, bytes):
            return raw
        row = _decoded(raw, _decode_session)
        return None if row is None else (session_from_row(row), TokenRole(row.role))

    async def remember(self, token_hash: str, session: Session, role: TokenRole) -> None:
        await self._cache.fill(f"tok:{token_hash}", _encode(_Columns.of(session, str(role))))

    async def session(self, session_id: str) -> Session | bool | None:
        """The cached session; ``False`` when it was revoked; None when unknown here."""
        raw = await self._cache.get(f"ses:{session_id}")
        if not isinstance(raw, bytes):
            return raw
        row = _decoded(raw, _decode_session)
        return None if row is None else session_from_row(row)

    async def remember_session(self, session: Session) -> None:
        await self._cache.fill(f"ses:{session.id}", _encode(_Columns.of(session)))

    async def renewed(self, tokens: list[tuple[str, TokenRole]], session: Session) -> None:
        """Store the renewed session over the old entries (one round trip), so the
        next check is a hit. Should this fail, the old entries still carry the
        older, earlier expiry, which callers never trust past its end."""
        items = [(f"tok:{h}", _encode(_Columns.of(session, str(r)))) for h, r in tokens]
        items.append((f"ses:{session.id}", _encode(_Columns.of(session))))
        await self._cache.refresh(items)

    async def revoked(self, session_ids: list[str], token_hashes: list[str]) -> None:
        await self._cache.changed(
            [f"tok:{h}" for h in token_hashes] + [f"ses:{i}" for i in session_ids]
        )

    @property
    def hits(self) -> int:
        return self._cache.hits

    @property
    def misses(self) -> int:
        return self._cache.misses

    @property
    def hit_ratio(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0


class RedisCredentialCache:
    """Client applications by ClientID ("cli:", with the secret's hash) and API keys
    by their hash ("key:"). A tombstone here only means "ask the database"."""

    def __init__(self, client: RedisClient, *, ttl_seconds: int = 60) -> None:
        self._cache = SharedCache(client, ttl_seconds=ttl_seconds)

    async def client(self, client_id: str) -> tuple[Client, str] | None:
        raw = await self._cache.get(f"cli:{client_id}")
        row = _decoded(raw, _decode_client) if isinstance(raw, bytes) else None
        return None if row is None else (client_from_row(row), row.secret_hash)

    async def remember_client(self, client: Client, secret_hash: str) -> None:
        row = _ClientColumns(
            client.id,
            client.project_id,
            client.user_id,
            client.name,
            client.created_at,
            client.disabled,
            secret_hash,
        )
        await self._cache.fill(f"cli:{client.id}", _encode(row))

    async def client_changed(self, client_id: str) -> None:
        await self._cache.changed([f"cli:{client_id}"])

    async def api_key(self, key_hash: str) -> ApiKeyRecord | None:
        raw = await self._cache.get(f"key:{key_hash}")
        row = _decoded(raw, _decode_key) if isinstance(raw, bytes) else None
        if row is None:
            return None
        return ApiKeyRecord(row.id, row.project_id, ApiKeyType(row.key_type), row.revoked)

    async def remember_api_key(self, key_hash: str, key: ApiKeyRecord) -> None:
        row = _ApiKeyColumns(key.id, key.project_id, str(key.key_type), key.revoked)
        await self._cache.fill(f"key:{key_hash}", _encode(row))

    async def api_key_changed(self, key_hash: str) -> None:
        await self._cache.changed([f"key:{key_hash}"])
