"""Account tokens (``PRIVATE-TOKEN``) and the sign-in flow of the account API v3.

A token names a *slot* of a project. Two kinds:

* **device** tokens start logged out. ``login`` (and ``login_otp`` when the user
  has TOTP on) starts an ordinary Gatehouse session and binds it to the token;
  ``logout`` ends that session. A session ended anywhere else (Session Storage,
  CLI, password change, sweeper) unbinds the token at once: the foreign key is
  ``ON DELETE SET NULL`` and an expired session counts as no session.
* **personal** access tokens are always logged in as their owner.

Sign-in states of a device token (one enum of truth: the rows themselves)::

    logged out --login(pw ok, no TOTP)--> logged in --logout / revoked--> logged out
    logged out --login(pw ok, TOTP on)--> waiting for OTP (pending_sign_ins, 5 min)
    waiting --login_otp(ok)--> logged in
    waiting --5 wrong codes / window closed--> logged out

Only keyed hashes of tokens are stored. A device token unused for 24 h expires
(its expiry slides forward on use, at most one write per ``TOUCH_EVERY_SECONDS``);
while it is logged in it stays valid as long as its session does.

With Redis, ``resolve`` answers from the shared cache (adapters/cache/shared.py):
the token's row, its user, and its bound session through the session cache's own
entry, so a session ended anywhere ends the token's logged-in answer at once. A
login, a logout and a credential change bury the entries they change; a touch
writes the moved expiry into the entry it read. Only an answer that lets the
caller in (or says "logged out") is taken from the cache: anything else is asked
of the database, as are the sign-in steps, whose compare-and-set needs the row as
stored.
"""

from __future__ import annotations

import contextlib
import enum
import json
from dataclasses import dataclass, replace
from typing import Final

from gatehouse.adapters.store.access_tokens import AccessTokenRepository
from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.pending import PendingRepository
from gatehouse.core.clock import Clock
from gatehouse.core.errors import (
    AlreadyLoggedIn,
    Forbidden,
    InvalidOneTimePassword,
    PendingSignInNotFound,
    ProjectNotFound,
    SessionNotFound,
    UserNotFound,
)
from gatehouse.core.models import ApiKeyType, Project, Session, SessionOrigin, User
from gatehouse.core.tokens import (
    ACCOUNT_TOKEN_PREFIX,
    MAX_SECRET_LENGTH,
    TokenHasher,
)
from gatehouse.services.accounts import AccountService
from gatehouse.services.credentials import CredentialService
from gatehouse.services.ports import AccessTokenRecord, AccountTokenCache, AccountTokenLookup
from gatehouse.services.projects import ProjectService
from gatehouse.services.sessions import SessionService
from gatehouse.services.throttling import Throttles

__all__ = [
    "AccountToken",
    "AccountTokenService",
    "AuthRequest",
    "IssuedToken",
    "TokenKind",
]

_US: Final = 1_000_000
DEVICE_IDLE_SECONDS: Final = 24 * 3600
TOUCH_EVERY_SECONDS: Final = 300
OTP_WINDOW_SECONDS: Final = 300
MAX_OTP_ATTEMPTS: Final = 5
SHORT_TTL_SECONDS: Final = 12 * 3600


class TokenKind(enum.StrEnum):
    DEVICE = "device"
    PERSONAL = "personal"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_at: int  # microseconds; 0 for "never"


@dataclass(frozen=True, slots=True)
class AccountToken:
    """A resolved ``PRIVATE-TOKEN``: ``user`` is None while it is not logged in. From
    the cache, ``user`` has an empty ``credential_stamp`` (never cached), which no
    sign-in accepts; a sign-in reads its user from the database."""

    token_hash: str
    kind: TokenKind
    project_id: int
    user: User | None
    session: Session | None
    bound_session_id: str | None  # as stored, possibly an expired session


@dataclass(frozen=True, slots=True)
class AuthRequest:
    requires_otp: bool
    otp_expires_at: int  # microseconds; 0 when no OTP is needed


class AccountTokenService:
    def __init__(
        self,
        *,
        db: Database,
        tokens: AccessTokenRepository,
        pending: PendingRepository,
        projects: ProjectService,
        accounts: AccountService,
        sessions: SessionService,
        credentials: CredentialService,
        hasher: TokenHasher,
        clock: Clock,
        throttles: Throttles,
        cache: AccountTokenCache | None = None,
    ) -> None:
        self._db = db
        self._cache = cache
        self._tokens = tokens
        self._pending = pending
        self._projects = projects
        self._accounts = accounts
        self._sessions = sessions
        self._credentials = credentials
        self._hasher = hasher
        self._clock = clock
        self._token_throttle = throttles.private_token
        self._issue_throttle = throttles.device_tokens

    # -- issuing ---------------------------------------------------------------------------

    async def issue_device_token(self, *, caller: str, api_key: str | None = None) -> IssuedToken:
        """A new logged-out device token of the default project (the lowest id), or of
        the project of a public ``X-API-Key``. Rate-limited per caller address."""
        await self._issue_throttle.spend(caller=caller)
        project_id = await self._project_for(api_key)
        secret, token_hash = self._hasher.new(ACCOUNT_TOKEN_PREFIX)
        now = self._clock.now_us()
        expires_at = now + DEVICE_IDLE_SECONDS * _US
        async with self._db.write() as conn:
            await self._tokens.insert(
                conn,
                token_hash=token_hash,
                project_id=project_id,
                kind=TokenKind.DEVICE,
                user_id=None,
                now=now,
                expires_at=expires_at,
            )
        return IssuedToken(secret, expires_at)

    async def _project_for(self, api_key: str | None) -> int:
        if api_key is None:
            async with self._db.read() as conn:
                project_id = await self._tokens.default_project_id(conn)
            if project_id is None:
                raise ProjectNotFound("No project exists yet")
            return project_id
        record = await self._projects.find_api_key(api_key)
        if record is None or record.key_type is not ApiKeyType.PUBLIC:
            raise Forbidden("Invalid API key")
        return record.project_id

    async def create_personal_token(self, user_id: int) -> tuple[IssuedToken, User]:
        """A token always logged in as ``user_id``; the secret is returned only here."""
        user = await self._accounts.get_user(user_id)
        secret, token_hash = self._hasher.new(ACCOUNT_TOKEN_PREFIX)
        async with self._db.write() as conn:
            await self._tokens.insert(
                conn,
                token_hash=token_hash,
                project_id=user.project_id,
                kind=TokenKind.PERSONAL,
                user_id=user.id,
                now=self._clock.now_us(),
                expires_at=None,
            )
        return IssuedToken(secret, 0), user

    # -- the hot path ----------------------------------------------------------------------

    async def resolve(self, secret: str, *, caller: str) -> AccountToken:
        """Who is this token? Forbidden for anything unknown, malformed or expired;
        each such failure is counted per caller address, and a throttled address is
        refused (429) even with a right token."""
        return await self._authenticate(secret, caller=caller, cached=True)

    async def _authenticate(self, secret: str, *, caller: str, cached: bool) -> AccountToken:
        async with self._token_throttle.attempt(caller=caller) as attempt:
            try:
                return await self._resolve(secret, cached=cached)
            except Forbidden:
                await attempt.failed()
                raise

    async def _resolve(self, secret: str, *, cached: bool) -> AccountToken:
        if not secret.startswith(ACCOUNT_TOKEN_PREFIX) or len(secret) > MAX_SECRET_LENGTH:
            raise Forbidden("Invalid or expired token")
        token_hash = self._hasher.hash(secret)
        now = self._clock.now_us()
        lookup: AccountTokenLookup | None = None
        if self._cache is not None and cached:
            lookup = await self._cache.lookup(token_hash)
            answer = _from_cache(lookup, now)
            if answer is not None:
                token = lookup.token
                assert token is not None
                if (moved := await self._touch(token_hash, token.expires_at, now)) is not None:
                    await self._cache.touched(lookup, moved)
                return answer
        async with self._db.read() as conn:
            row = await self._tokens.resolve(conn, token_hash)
        if row is None:
            raise Forbidden("Invalid or expired token")
        session = row.session if row.session is not None and row.session.is_active(now) else None
        user = row.user if row.kind == TokenKind.PERSONAL or session is not None else None
        if user is not None and user.disabled:  # a personal token of a disabled user
            raise Forbidden("Invalid or expired token")
        record = AccessTokenRecord(
            row.kind,
            row.project_id,
            row.expires_at,
            session.id if session is not None else None,
            user.id if user is not None else None,
        )
        # A login's compare-and-set needs the binding as stored (expired or not).
        answer = _answer(token_hash, record, session, user, now, bound=row.session_id)
        if answer is None:
            raise Forbidden("Invalid or expired token")
        if (moved := await self._touch(token_hash, row.expires_at, now)) is not None:
            record = replace(record, expires_at=moved)
        if lookup is not None and self._cache is not None:
            await self._cache.remember(lookup, record, session, user)
        return answer

    async def _touch(self, token_hash: str, expires_at: int | None, now: int) -> int | None:
        """Slide a device token's idle expiry when it is due (at most one write per
        ``TOUCH_EVERY_SECONDS``); the new expiry, or None when nothing was due."""
        if expires_at is None:  # a personal token never idles out
            return None
        if expires_at - now >= (DEVICE_IDLE_SECONDS - TOUCH_EVERY_SECONDS) * _US:
            return None
        moved = now + DEVICE_IDLE_SECONDS * _US
        async with self._db.write_one() as conn:
            await self._tokens.touch(conn, token_hash, moved)
        return moved

    # -- signing in and out ------------------------------------------------------------------

    async def login(
        self,
        secret: str,
        *,
        user_name: str,
        password: str,
        remember_me: bool,
        caller: str,
        user_agent: str = "",
    ) -> AuthRequest:
        token = await self._authenticate(secret, caller=caller, cached=False)
        if token.kind is TokenKind.PERSONAL or token.user is not None:
            raise AlreadyLoggedIn()
        user = await self._credentials.check_plain_password(
            token.project_id,
            login=user_name,
            password=password,
            by="username",
            caller=caller,
            origin="account",
        )
        if user.totp_enabled:
            now = self._clock.now_us()
            expires_at = now + OTP_WINDOW_SECONDS * _US
            async with self._db.write() as conn:
                await self._pending.replace(
                    conn,
                    pending_id=token.token_hash,
                    project_id=token.project_id,
                    user_id=user.id,
                    now=now,
                    expires_at=expires_at,
                    # The stamp of the password verified here: the second step
                    # starts nothing once it has changed.
                    data=json.dumps(
                        {"rememberMe": int(remember_me), "stamp": user.credential_stamp}
                    ),
                )
            return AuthRequest(True, expires_at)
        await self._complete(
            token, user, remember_me, ("password",), caller=caller, user_agent=user_agent
        )
        return AuthRequest(False, 0)

    async def login_otp(self, secret: str, code: str, *, caller: str, user_agent: str = "") -> None:
        token = await self._authenticate(secret, caller=caller, cached=False)
        async with self._db.read() as conn:
            pending = await self._pending.get(conn, token.token_hash, token.project_id)
        now = self._clock.now_us()
        if pending is None or pending.expires_at <= now or pending.attempts >= MAX_OTP_ATTEMPTS:
            raise PendingSignInNotFound()
        try:
            user = await self._accounts.get_user(pending.user_id)
        except UserNotFound:
            raise PendingSignInNotFound() from None
        try:
            factor = await self._credentials.check_second_factor(
                user, code, caller=caller, origin="account"
            )
        except InvalidOneTimePassword:
            async with self._db.write() as conn:
                await self._pending.fail(
                    conn, token.token_hash, token.project_id, max_attempts=MAX_OTP_ATTEMPTS
                )
            raise
        async with self._db.write() as conn:
            taken = await self._pending.take(
                conn,
                token.token_hash,
                token.project_id,
                now=self._clock.now_us(),
                max_attempts=MAX_OTP_ATTEMPTS,
            )
        if not taken:  # a concurrent call finished (or ended) it first
            raise PendingSignInNotFound()
        try:
            data = json.loads(pending.data)
            remember, stamp = data.get("rememberMe") == 1, str(data.get("stamp", ""))
        except (ValueError, AttributeError):
            remember, stamp = False, ""
        await self._complete(
            token,
            user,
            remember,
            ("password", factor),
            caller=caller,
            user_agent=user_agent,
            credential_stamp=stamp,
        )

    async def _complete(
        self,
        token: AccountToken,
        user: User,
        remember_me: bool,
        factors: tuple[str, ...],
        *,
        caller: str,
        user_agent: str,
        credential_stamp: str | None = None,
    ) -> None:
        project = await self._projects.get(token.project_id)
        issued = await self._sessions.start(
            project=project,
            user_id=user.id,
            origin=SessionOrigin.ACCOUNT,
            ttl_seconds=session_ttl(project, remember_me),
            factors=factors,
            ip=caller,
            user_agent=user_agent,
            credential_stamp=credential_stamp or user.credential_stamp,
        )
        async with self._db.write() as conn:
            bound = await self._tokens.bind(
                conn,
                token.token_hash,
                expected_session_id=token.bound_session_id,
                session_id=issued.session.id,
                user_id=user.id,
                expires_at=self._clock.now_us() + DEVICE_IDLE_SECONDS * _US,
            )
        if not bound:  # a concurrent login on the same token won
            await self._sessions.revoke(issued.session, origin=str(SessionOrigin.ACCOUNT))
            raise AlreadyLoggedIn()
        await self._changed(token.token_hash)

    async def logout(self, secret: str, *, caller: str) -> None:
        """End the device token's session (if any) and any waiting OTP step. On a
        personal token nothing changes: it is always logged in."""
        token = await self._authenticate(secret, caller=caller, cached=False)
        if token.kind is TokenKind.PERSONAL:
            return
        async with self._db.write() as conn:
            await self._tokens.unbind(conn, token.token_hash)
            await self._pending.delete(conn, token.token_hash)
        await self._changed(token.token_hash)
        if token.session is not None:
            with contextlib.suppress(SessionNotFound):  # ended elsewhere meanwhile
                await self._sessions.revoke(token.session, origin=str(SessionOrigin.ACCOUNT))

    async def _changed(self, token_hash: str) -> None:
        """Tell every process (through the shared cache) that this token's row changed."""
        if self._cache is not None:
            await self._cache.changed([token_hash])

    async def sweep(self, *, batch: int = 1000, max_batches: int = 100) -> int:
        """Delete expired, logged-out device tokens and closed OTP windows, in short
        bounded transactions so requests are never held up for long. Nothing to
        bury: the cache never answers for a token past its expiry without a live
        session, which is all this deletes."""
        removed = 0
        for _ in range(max_batches):
            async with self._db.write() as conn:
                now = self._clock.now_us()
                done = await self._tokens.delete_expired(conn, now, batch)
                done += await self._pending.delete_expired(conn, now, batch)
            removed += done
            if done == 0:
                break
        return removed


def _answer(
    token_hash: str,
    row: AccessTokenRecord,
    session: Session | None,
    user: User | None,
    now: int,
    *,
    bound: str | None,
) -> AccountToken | None:
    """The token as the API sees it (``session``: the live bound session, ``user``:
    whom the token is logged in as, ``bound``: the session id as stored), or None
    when it lets nobody in."""
    if row.kind == TokenKind.PERSONAL:
        if user is None:
            return None
        return AccountToken(token_hash, TokenKind.PERSONAL, row.project_id, user, None, bound)
    if session is None and (row.expires_at or 0) <= now:
        return None
    user = user if session is not None else None
    return AccountToken(
        token_hash,
        TokenKind.DEVICE,
        row.project_id,
        user,
        session if user is not None else None,
        bound,
    )


def _from_cache(lookup: AccountTokenLookup, now: int) -> AccountToken | None:
    """The answer the cache gives on its own, or None: ask the database. A cached
    entry says nothing about a token that would be refused (the database may know
    a later expiry, or a new login), nor past the expiry of the session it names."""
    row = lookup.token
    if row is None:
        return None
    session: Session | None = None
    if row.session_id is not None:
        cached = lookup.session
        if cached is False:  # revoked (its tombstone): logged out
            session = None
        elif isinstance(cached, Session) and cached.is_active(now):
            session = cached
        else:
            return None
        if session is not None and session.user_id != row.user_id:
            return None
    needs_user = row.kind == TokenKind.PERSONAL or session is not None
    user = lookup.user
    if needs_user and (user is None or user.id != row.user_id):
        return None
    user = user if needs_user else None
    return _answer(lookup.token_hash, row, session, user, now, bound=row.session_id)


def session_ttl(project: Project, remember_me: bool) -> int:
    """rememberMe → the project's long lifetime (default 30 days), else 12 hours;
    never above the project's maximum."""
    ttl = project.session_ttl_seconds if remember_me else SHORT_TTL_SECONDS
    return min(ttl, project.max_ttl_seconds)
