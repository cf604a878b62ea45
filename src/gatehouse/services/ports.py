"""What services need from the outside world, as Protocols."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from gatehouse.core.models import ApiKeyRecord, Client, Session, TokenRole, User

__all__ = [
    "AccessTokenRecord",
    "AccountTokenCache",
    "AccountTokenLookup",
    "Counter",
    "CredentialCache",
    "Mail",
    "Mailer",
    "RateLimiter",
    "TokenCache",
    "UserCache",
]


class Counter(NamedTuple):
    """One fixed-window counter: at most ``limit`` attempts per ``window`` seconds."""

    key: str
    limit: int
    window: int


class RateLimiter(Protocol):
    async def reserve(self, counters: Sequence[Counter]) -> int | None:
        """Atomically, for all ``counters`` at once: when every one is under its
        limit, count one attempt on each and answer None; else change nothing and
        answer the seconds until the fullest window closes."""
        ...

    async def release(self, counters: Sequence[Counter]) -> None:
        """Give one reserved attempt back to each counter (never below zero)."""
        ...

    async def over(self, counters: Sequence[Counter]) -> int | None:
        """Without counting: None while every counter is under its limit, else the
        seconds until the fullest window closes."""
        ...


class TokenCache(Protocol):
    """Sessions by token hash (with the token's role) and by id, shared by every
    process (Redis). Whatever revokes a session must say so through ``revoked``."""

    async def lookup(self, token_hash: str) -> tuple[Session, TokenRole] | bool | None:
        """The cached answer; ``False`` when the token is known to be revoked;
        None when the cache cannot say."""
        ...

    async def remember(self, token_hash: str, session: Session, role: TokenRole) -> None: ...

    async def renewed(self, tokens: list[tuple[str, TokenRole]], session: Session) -> None:
        """The session's expiry moved: its tokens (hash, role) now answer ``session``."""
        ...

    async def session(self, session_id: str) -> Session | bool | None:
        """The cached session; ``False`` when it is known to be revoked; None when
        the cache cannot say."""
        ...

    async def remember_session(self, session: Session) -> None: ...

    async def revoked(self, session_ids: list[str], token_hashes: list[str]) -> None: ...


class CredentialCache(Protocol):
    """Client applications and API keys, shared by every process (Redis). A change
    to either must be reported (``client_changed``, ``api_key_changed``)."""

    async def client(self, client_id: str) -> tuple[Client, str] | None:
        """(client, secret hash) when cached, else None."""
        ...

    async def remember_client(self, client: Client, secret_hash: str) -> None: ...

    async def client_changed(self, client_id: str) -> None: ...

    async def api_key(self, key_hash: str) -> ApiKeyRecord | None: ...

    async def remember_api_key(self, key_hash: str, key: ApiKeyRecord) -> None: ...

    async def api_key_changed(self, key_hash: str) -> None: ...


class UserCache(Protocol):
    """Users as cached for the account API v3. Whatever changes a users row must
    say so through ``user_changed``."""

    async def user_changed(self, user_id: int) -> None: ...


@dataclass(frozen=True, slots=True)
class AccessTokenRecord:
    """An ``access_tokens`` row as cached. ``session_id`` is the bound session only
    while it was active when the row was read (an expired session never comes
    back), else None."""

    kind: str
    project_id: int
    expires_at: int | None
    session_id: str | None
    user_id: int | None


@dataclass(frozen=True, slots=True)
class AccountTokenLookup:
    """What the shared cache knows of one ``PRIVATE-TOKEN``. ``token`` None: ask the
    database. ``session``: the bound session's own entry in the session cache
    (``False`` when it is known to be revoked, None when unknown). ``user`` None:
    unknown here. ``seen`` is the adapter's note of what it found, handed back
    with the fills that follow a database read."""

    token_hash: str
    token: AccessTokenRecord | None = None
    session: Session | bool | None = None
    user: User | None = None
    seen: Any = None


class AccountTokenCache(UserCache, Protocol):
    """``PRIVATE-TOKEN`` records by token hash, with their user, shared by every
    process (Redis). The bound session is read from the session cache
    (``TokenCache``), so whatever revokes a session ends its tokens' answers too.
    A change to a token row must be reported (``changed``)."""

    async def lookup(self, token_hash: str) -> AccountTokenLookup: ...

    async def remember(
        self,
        lookup: AccountTokenLookup,
        token: AccessTokenRecord,
        session: Session | None,
        user: User | None,
    ) -> None:
        """Store what the database said after ``lookup``; nothing that changed in
        the cache since ``lookup`` (a tombstone, a newer entry) is written over."""
        ...

    async def touched(self, lookup: AccountTokenLookup, expires_at: int) -> None:
        """The token's idle expiry moved forward: the cached record carries it."""
        ...

    async def changed(self, token_hashes: Sequence[str]) -> None: ...


@dataclass(frozen=True, slots=True)
class Mail:
    """One plain-text mail to one address. ``text`` may carry single-use links:
    nothing that sends it may log it."""

    to: str
    subject: str
    text: str


class Mailer(Protocol):
    """Outgoing mail. Callers check ``available`` first (no mail server may be
    configured) and never learn whether a mail arrived."""

    @property
    def available(self) -> bool:
        """False when no SMTP server is configured: ``send`` would raise."""
        ...

    def send(self, mail: Mail) -> None:
        """Queue ``mail`` and return at once; never waits for the mail server.
        Raises ``ValueError`` for a recipient that is not one plain address."""
        ...
