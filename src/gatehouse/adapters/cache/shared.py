"""Read-through caches in Redis, shared by every process: sessions (by bearer token
and by id), client applications, API keys, and account tokens (``PRIVATE-TOKEN``)
with their users. With them a warm token check asks Redis (once; twice for an
account token) and never the database.

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

Account tokens (``PRIVATE-TOKEN``, "v3:") and their users ("usr:") change state
and go on being used (a login, a logout, a password change), so their tombstones
are one-offs: a lookup that saw one and then read the database may put what it
read in its place, with a compare-and-set against exactly what it saw (nothing,
that tombstone, or an entry). Any change after that read writes a new, different
tombstone, so the swap fails or is buried in turn: the entry is warm again after
one database read instead of after the tombstone's lifetime. The older kinds keep
the bare "-" (and SET NX), which processes of earlier versions compare against.

Entries are msgpack arrays of the columns, decoded by the store's row mappers.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import msgspec

from gatehouse.adapters.cache.redis import RedisClient
from gatehouse.adapters.cache.resp import RespClient
from gatehouse.adapters.store.rows import client_from_row, session_from_row
from gatehouse.core.models import (
    AccessLevel,
    ApiKeyRecord,
    ApiKeyType,
    Client,
    Session,
    TokenRole,
    User,
)
from gatehouse.services.ports import AccessTokenRecord, AccountTokenLookup

__all__ = ["RedisAccountTokenCache", "RedisCredentialCache", "RedisTokenCache", "SharedCache"]

_TOMBSTONE = b"-"
#: Kinds whose tombstones a later lookup may swap for what it read (module doc).
_ONE_OFF_TOMBSTONES = ("v3:", "usr:")
# KEYS: the entries; ARGV[1]: seconds to live; ARGV[1 + i]: the new value of KEYS[i].
_SET_UNLESS_TOMBSTONE = """
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) ~= '-' then
    redis.call('SET', key, ARGV[i + 1], 'EX', ARGV[1])
  end
end
return 1
"""
# KEYS: the entries; ARGV[1]: seconds to live; then per key, what the lookup saw
# ('' for nothing) and the new value: written only where the key still holds that.
_SWAP = """
for i, key in ipairs(KEYS) do
  local now = redis.call('GET', key)
  local seen = ARGV[2 * i]
  if (now == false and seen == '') or now == seen then
    redis.call('SET', key, ARGV[2 * i + 1], 'EX', ARGV[1])
  end
end
return 1
"""


def is_tombstone(raw: bytes) -> bool:
    return raw[:1] == _TOMBSTONE


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

    async def read(self, keys: Sequence[str]) -> list[bytes | None] | None:
        """The raw values (tombstones included; None where nothing is), or None when
        the cache cannot say (Redis away, or a tombstone of ours still unsent)."""
        if self._unsent and not await self._bury(list(self._unsent)):
            return None
        names = [self._key(k) for k in keys]
        raw: list[bytes | None] | None = await self._client.call(
            lambda r: r.execute("MGET", *names), None
        )
        if raw is not None:
            found = sum(v is not None for v in raw)
            self.hits += found
            self.misses += len(raw) - found
        return raw

    async def swap(self, items: Sequence[tuple[str, bytes | None, bytes]]) -> None:
        """(key, what a lookup saw there before reading the database, the value it
        read): each written only if the key still holds what was seen (None:
        nothing, as SET NX)."""
        if not items:
            return
        keys = [self._key(k) for k, _, _ in items]
        args = [a for _, seen, value in items for a in (seen or b"", value)]
        await self._client.call(
            lambda r: r.execute("EVAL", _SWAP, len(keys), *keys, self._ttl, *args), None
        )

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
            await r.pipeline(*(("SET", self._key(k), _mark(k), "EX", ttl) for k in keys))
            return True

        sent = await self._client.call(op, False)
        if sent:
            self._unsent.difference_update(keys)
        return sent


def _mark(key: str) -> bytes:
    """The tombstone of ``key``: one of a kind where a lookup may swap it (module doc)."""
    if key.startswith(_ONE_OFF_TOMBSTONES):
        return _TOMBSTONE + os.urandom(9).hex().encode()
    return _TOMBSTONE


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


class _AccessTokenColumns(msgspec.Struct, array_like=True):
    kind: str
    project_id: int
    expires_at: int | None
    session_id: str | None
    user_id: int | None


class _UserColumns(msgspec.Struct, array_like=True):
    """What a v3 answer shows of a user. Nothing derived from a secret (the password
    hash, the TOTP seed, hence no ``credential_stamp``): a User read from here has
    an empty stamp, which no sign-in check accepts."""

    id: int
    project_id: int
    username: str
    email: str
    first_name: str
    last_name: str
    gender: str
    phone: str
    access_level: int
    email_validated: bool
    is_trial: bool
    trial_expires_at: int | None
    created_at: int
    has_password: bool
    totp_enabled: bool

    @classmethod
    def of(cls, u: User) -> _UserColumns:
        return cls(
            u.id,
            u.project_id,
            u.username,
            u.email,
            u.first_name,
            u.last_name,
            u.gender,
            u.phone,
            int(u.access_level),
            u.email_validated,
            u.is_trial,
            u.trial_expires_at,
            u.created_at,
            u.has_password,
            u.totp_enabled,
        )

    def user(self) -> User:
        return User(
            id=self.id,
            project_id=self.project_id,
            username=self.username,
            email=self.email,
            first_name=self.first_name,
            last_name=self.last_name,
            gender=self.gender,
            phone=self.phone,
            access_level=AccessLevel(self.access_level),
            email_validated=self.email_validated,
            is_trial=self.is_trial,
            trial_expires_at=self.trial_expires_at,
            created_at=self.created_at,
            has_password=self.has_password,
            totp_enabled=self.totp_enabled,
        )


_encode = msgspec.msgpack.Encoder().encode
_decode_session = msgspec.msgpack.Decoder(_Columns).decode
_decode_client = msgspec.msgpack.Decoder(_ClientColumns).decode
_decode_key = msgspec.msgpack.Decoder(_ApiKeyColumns).decode
_decode_access_token = msgspec.msgpack.Decoder(_AccessTokenColumns).decode
_decode_user = msgspec.msgpack.Decoder(_UserColumns).decode


def _decoded(raw: bytes, decode: Any) -> Any:
    try:
        return decode(raw)
    except (msgspec.DecodeError, ValueError):  # an entry of an older layout
        return None


class RedisTokenCache:
    """Sessions by bearer-token hash ("tok:") and by id ("ses:")."""

    def __init__(self, client: RedisClient, *, ttl_seconds: int = 60) -> None:
        self._cache = SharedCache(client, ttl_seconds=ttl_seconds)

    @property
    def shared(self) -> SharedCache:
        """The entries themselves, for a cache that must see these sessions'
        tombstones (and this process's unsent ones) as they are."""
        return self._cache

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


_UNKNOWN: Any = object()  # what a lookup saw when Redis could not say: fill nothing


class RedisAccountTokenCache:
    """Account tokens by hash ("v3:", the row: kind, project, idle expiry, live
    bound session, user) and users by id ("usr:", what a v3 answer shows). The
    bound session is its entry in the session cache ("ses:", same ``SharedCache``),
    so a session's tombstone — whatever surface ended it — ends the token's
    logged-in answer at once, with no v3 entry to find or bury."""

    def __init__(self, sessions: SharedCache) -> None:
        self._cache = sessions

    async def lookup(self, token_hash: str) -> AccountTokenLookup:
        key = f"v3:{token_hash}"
        found = await self._cache.read([key])
        if found is None:
            return AccountTokenLookup(token_hash, seen={key: _UNKNOWN})
        raw = found[0]
        seen: dict[str, bytes | None] = {key: raw}
        row = None if raw is None or is_tombstone(raw) else _decoded(raw, _decode_access_token)
        if row is None:
            return AccountTokenLookup(token_hash, seen=seen)
        token = AccessTokenRecord(
            row.kind, row.project_id, row.expires_at, row.session_id, row.user_id
        )
        more = [f"ses:{row.session_id}"] if row.session_id is not None else []
        if row.user_id is not None:
            more.append(f"usr:{row.user_id}")
        values = await self._cache.read(more) if more else []
        if values is None:  # Redis went away between the two reads
            return AccountTokenLookup(token_hash, seen={key: _UNKNOWN})
        session: Session | bool | None = None
        user: User | None = None
        for name, value in zip(more, values, strict=True):
            seen[name] = value
            if value is None:
                continue
            if name.startswith("ses:"):
                if is_tombstone(value):
                    session = False  # revoked: the one meaning of a session's tombstone
                else:
                    s_row = _decoded(value, _decode_session)
                    session = None if s_row is None else session_from_row(s_row)
            elif not is_tombstone(value):
                u_row = _decoded(value, _decode_user)
                user = None if u_row is None else u_row.user()
        return AccountTokenLookup(token_hash, token, session, user, seen)

    async def remember(
        self,
        lookup: AccountTokenLookup,
        token: AccessTokenRecord,
        session: Session | None,
        user: User | None,
    ) -> None:
        seen: dict[str, bytes | None] = lookup.seen or {}
        key = f"v3:{lookup.token_hash}"
        if seen.get(key, _UNKNOWN) is _UNKNOWN:
            return
        row = _AccessTokenColumns(
            token.kind, token.project_id, token.expires_at, token.session_id, token.user_id
        )
        items: list[tuple[str, bytes | None, bytes]] = [(key, seen[key], _encode(row))]
        if session is not None:
            name = f"ses:{session.id}"
            was = seen.get(name)
            # Never over a session's tombstone: it means "gone", for good.
            if was is None or not is_tombstone(was):
                items.append((name, was, _encode(_Columns.of(session))))
        if user is not None:
            name = f"usr:{user.id}"
            items.append((name, seen.get(name), _encode(_UserColumns.of(user))))
        await self._cache.swap(items)

    async def touched(self, lookup: AccountTokenLookup, expires_at: int) -> None:
        key = f"v3:{lookup.token_hash}"
        raw = (lookup.seen or {}).get(key)
        token = lookup.token
        if token is None or not isinstance(raw, bytes):
            return
        row = _AccessTokenColumns(
            token.kind, token.project_id, expires_at, token.session_id, token.user_id
        )
        await self._cache.swap([(key, raw, _encode(row))])

    async def changed(self, token_hashes: Sequence[str]) -> None:
        await self._cache.changed([f"v3:{h}" for h in token_hashes])

    async def user_changed(self, user_id: int) -> None:
        await self._cache.changed([f"usr:{user_id}"])
