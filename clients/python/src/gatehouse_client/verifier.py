"""Answering "who is this token?" for game back-ends, with a small cache.

Pick the check that matches the tokens your players carry:

* ``TokenKind.SESSION_STORAGE`` (default): a session's bearer token (``gs_...``,
  publisher or subscriber; a HiveMP ``apiKey`` is one too), checked with
  ``GET /session-storage/session``;
* ``TokenKind.USER_SESSION_V1``: a HiveMP session ``apiKey``, checked with
  ``GET /v1/session`` (gives the project and the sign-in factors);
* ``TokenKind.ACCOUNT_V3``: a ``PRIVATE-TOKEN``, checked with
  ``GET /v3/session/user`` (gives the user name; no expiry is known).

Answers are cached for at most ``max_staleness`` seconds (default 5) and never
past the session's expiry: a token revoked on the server stops working here
within ``max_staleness``. Refusals of tokens that can never become valid are
cached the same way; a logged-out v3 device token is not (it may log in).
``verify`` raises ``InvalidToken`` for a token that names no live session, and
the usual ``GatehouseError`` when Gatehouse cannot answer (then the caller knows
nothing about the token, and should say so: 503, not 401).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx

from gatehouse_client import account, session_storage, user_session
from gatehouse_client._cache import VerdictCache
from gatehouse_client._http import AsyncTransport, Request, SyncTransport, mapped
from gatehouse_client.account import AccountUser
from gatehouse_client.errors import GatehouseError, InvalidToken
from gatehouse_client.retry import RetryPolicy
from gatehouse_client.session_storage import TokenSession
from gatehouse_client.user_session_models import UserSession

__all__ = ["AsyncTokenVerifier", "Identity", "TokenKind", "TokenVerifier"]

if TYPE_CHECKING:
    Details = TokenSession | UserSession | AccountUser
else:
    # At runtime, Any: frameworks that validate dependency values with msgspec
    # (Litestar) refuse a union of several dataclasses in a field's type.
    Details = Any

DEFAULT_MAX_STALENESS = 5.0
DEFAULT_MAX_ENTRIES = 10_000
#: A verifier sits on a request's path: short timeout, short retry budget.
DEFAULT_TIMEOUT = 5.0
DEFAULT_RETRY = RetryPolicy(max_attempts=3, max_elapsed=5.0)


class TokenKind(StrEnum):
    SESSION_STORAGE = "session-storage"
    USER_SESSION_V1 = "user-session-v1"
    ACCOUNT_V3 = "account-v3"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a token is."""

    kind: TokenKind
    user_id: str
    #: The session's id (``None`` for v3, which does not show it).
    session_id: str | None
    #: The session's project (v1 only).
    project_id: str | None
    #: When the session expires (``None`` for v3).
    expires_at: datetime | None
    #: ``"publisher"`` or ``"subscriber"`` (Session Storage only).
    role: str | None
    #: The user's name (v3 only).
    user_name: str | None
    #: The whole answer of the check: ``TokenSession``, ``UserSession`` or ``AccountUser``.
    details: Details


def _from_session_storage(found: TokenSession) -> Identity:
    return Identity(
        kind=TokenKind.SESSION_STORAGE,
        user_id=found.user_id,
        session_id=found.id,
        project_id=None,
        expires_at=found.expires_at,
        role=found.role,
        user_name=None,
        details=found,
    )


def _from_user_session(found: UserSession) -> Identity:
    return Identity(
        kind=TokenKind.USER_SESSION_V1,
        user_id=found.account_id,
        session_id=found.id,
        project_id=found.project_id,
        expires_at=found.expiry,
        role=None,
        user_name=None,
        details=found,
    )


def _from_account(found: AccountUser) -> Identity:
    return Identity(
        kind=TokenKind.ACCOUNT_V3,
        user_id=str(found.user_id),
        session_id=None,
        project_id=None,
        expires_at=None,
        role=None,
        user_name=found.user_name,
        details=found,
    )


@dataclass(frozen=True, slots=True)
class _Check:
    request: Callable[[str], Request[Identity]]
    #: Statuses that mean "this token is no one".
    invalid: frozenset[int]
    #: Of those, the ones that may change (not cached).
    may_change: frozenset[int] = frozenset()


_CHECKS: dict[TokenKind, _Check] = {
    TokenKind.SESSION_STORAGE: _Check(
        lambda token: mapped(session_storage._check_token(token), _from_session_storage),
        invalid=frozenset({401}),
    ),
    TokenKind.USER_SESSION_V1: _Check(
        # A typed key is no session (400: it must name one); a public one may not read.
        lambda token: mapped(user_session._get_session(api_key=token), _from_user_session),
        invalid=frozenset({400, 401, 403, 404}),
    ),
    TokenKind.ACCOUNT_V3: _Check(
        lambda token: mapped(account._user(token=token), _from_account),
        invalid=frozenset({403, 404}),
        may_change=frozenset({404}),  # a logged-out device token may log in
    ),
}


def _invalid(error: GatehouseError) -> InvalidToken:
    return InvalidToken(
        error.message, status=401, code=error.code, surface=error.surface, body=error.body
    )


class _Verdicts:
    """What both verifiers share: the check, the cache, the verdict on an error."""

    def __init__(self, kind: TokenKind, max_staleness: float, max_entries: int) -> None:
        self.kind = TokenKind(kind)
        self.check = _CHECKS[self.kind]
        self.cache: VerdictCache[Identity | InvalidToken] = VerdictCache(
            max_staleness=max_staleness, max_entries=max_entries
        )

    def cached(self, token: str) -> Identity | None:
        if not token:
            raise InvalidToken("No token", status=401, surface=self.kind.value)
        found = self.cache.get(token)
        if isinstance(found, InvalidToken):
            raise _invalid(found)
        return found

    def learnt(self, token: str, identity: Identity) -> Identity:
        expires = identity.expires_at.timestamp() if identity.expires_at else None
        self.cache.put(token, identity, expires_at=expires)
        return identity

    def refused(self, token: str, error: GatehouseError) -> InvalidToken:
        """The verdict on a failed check: ``InvalidToken``, or ``error`` re-raised."""
        if error.status not in self.check.invalid:
            raise error
        verdict = _invalid(error)
        if error.status not in self.check.may_change:
            self.cache.put(token, verdict)
        return verdict


class AsyncTokenVerifier:
    """``verifier = AsyncTokenVerifier(url)``; ``identity = await verifier.verify(token)``."""

    def __init__(
        self,
        base_url: str,
        *,
        kind: TokenKind = TokenKind.SESSION_STORAGE,
        max_staleness: float = DEFAULT_MAX_STALENESS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._verdicts = _Verdicts(kind, max_staleness, max_entries)
        self._transport = AsyncTransport(base_url, {}, retry=retry, timeout=timeout, http=http)

    @property
    def kind(self) -> TokenKind:
        return self._verdicts.kind

    @property
    def cache(self) -> VerdictCache[Identity | InvalidToken]:
        return self._verdicts.cache

    async def verify(self, token: str) -> Identity:
        """The identity behind ``token``; ``InvalidToken`` if there is none."""
        verdicts = self._verdicts
        found = verdicts.cached(token)
        if found is not None:
            return found
        try:
            identity = await self._transport.send(verdicts.check.request(token))
        except GatehouseError as error:
            raise verdicts.refused(token, error) from error
        return verdicts.learnt(token, identity)

    async def identify(self, token: str) -> Identity | None:
        """Like ``verify``, but ``None`` for an invalid token."""
        try:
            return await self.verify(token)
        except InvalidToken:
            return None

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class TokenVerifier:
    """The blocking twin of ``AsyncTokenVerifier`` (thread-safe)."""

    def __init__(
        self,
        base_url: str,
        *,
        kind: TokenKind = TokenKind.SESSION_STORAGE,
        max_staleness: float = DEFAULT_MAX_STALENESS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        http: httpx.Client | None = None,
    ) -> None:
        self._verdicts = _Verdicts(kind, max_staleness, max_entries)
        self._transport = SyncTransport(base_url, {}, retry=retry, timeout=timeout, http=http)

    @property
    def kind(self) -> TokenKind:
        return self._verdicts.kind

    @property
    def cache(self) -> VerdictCache[Identity | InvalidToken]:
        return self._verdicts.cache

    def verify(self, token: str) -> Identity:
        """The identity behind ``token``; ``InvalidToken`` if there is none."""
        verdicts = self._verdicts
        found = verdicts.cached(token)
        if found is not None:
            return found
        try:
            identity = self._transport.send(verdicts.check.request(token))
        except GatehouseError as error:
            raise verdicts.refused(token, error) from error
        return verdicts.learnt(token, identity)

    def identify(self, token: str) -> Identity | None:
        """Like ``verify``, but ``None`` for an invalid token."""
        try:
            return self.verify(token)
        except InvalidToken:
            return None

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
