"""A player looking after their own account (the account pages): signing in
with the same checks and throttles as every other surface, their sessions, their
activity.

The page's own session is an ordinary Gatehouse session (origin ``pages``): it
is listed, renewed and revoked like any other, from any surface. Between the
password and the second factor the sign-in waits as a pending sign-in (the
table v3's one-time-password step uses), so a credential change ends it too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

from gatehouse.adapters.store.audit import AuditRepository
from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.pending import PendingRepository
from gatehouse.core.clock import Clock
from gatehouse.core.errors import InvalidOneTimePassword, NotFound
from gatehouse.core.models import AuditEvent, Project, Session, SessionDetail, SessionOrigin, User
from gatehouse.core.tokens import MAX_SECRET_LENGTH, TokenHasher
from gatehouse.services.accounts import AccountService
from gatehouse.services.credentials import CredentialService
from gatehouse.services.sessions import SessionService

__all__ = [
    "PAGE_SESSION_SECONDS",
    "PendingCode",
    "PendingSignInExpired",
    "SelfService",
    "SignedIn",
]

#: How long a page sign-in lasts (at most the project's maximum lifetime).
PAGE_SESSION_SECONDS: Final = 12 * 3600
#: Between the password and the code.
PENDING_SECONDS: Final = 5 * 60
MAX_CODE_ATTEMPTS: Final = 5
ACTIVITY_LIMIT: Final = 50
#: The events a player's activity lists: sign-ins (made and failed), sessions
#: ended, credential changes.
ACTIVITY: Final = frozenset(
    {
        "created",
        "sign-in-failed",
        "revoked",
        "evicted",
        "password-changed",
        "two-factor-on",
        "two-factor-off",
        "recovery-codes-new",
        "email-confirmed",
    }
)
ORIGIN: Final = str(SessionOrigin.PAGES)
_US: Final = 1_000_000
_PENDING_PREFIX: Final = "ghp_"
_DEVICE_PREFIX: Final = "ghd_"


class PendingSignInExpired(NotFound):
    default_message = "The sign-in took too long or was ended; sign in again."


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A page session: its token goes in the cookie."""

    token: str
    session: Session
    #: A new trusted-browser identifier for the cookie, when the player asked.
    device: str | None = None


@dataclass(frozen=True, slots=True)
class PendingCode:
    """The password was right; the code is asked for. ``secret`` goes in a cookie."""

    secret: str


class SelfService:
    def __init__(
        self,
        *,
        db: Database,
        pending: PendingRepository,
        audit: AuditRepository,
        accounts: AccountService,
        credentials: CredentialService,
        sessions: SessionService,
        tokens: TokenHasher,
        clock: Clock,
    ) -> None:
        self._db = db
        self._pending = pending
        self._audit = audit
        self._accounts = accounts
        self._credentials = credentials
        self._sessions = sessions
        self._tokens = tokens
        self._clock = clock

    # -- signing in ---------------------------------------------------------------------

    async def sign_in(
        self,
        project: Project,
        login: str,
        password: str,
        *,
        device: str | None,
        caller: str,
        user_agent: str,
    ) -> SignedIn | PendingCode:
        """Username or email (it has an ``@``) and password; then the second factor,
        unless this browser is trusted (a failed probe counts as a guess)."""
        user = await self._credentials.check_plain_password(
            project.id,
            login=login.strip(),
            password=password,
            by="email" if "@" in login else "username",
            caller=caller,
            origin=ORIGIN,
        )
        if not user.totp_enabled:
            return await self._start(project, user, ("password",), caller, user_agent)
        if device:
            trusted = await self._credentials.second_factor(
                user, None, device_identifier=device, caller=caller, origin=ORIGIN
            )
            if trusted is not None:
                return await self._start(project, user, ("password", trusted), caller, user_agent)
        secret, pending_id = self._tokens.new(_PENDING_PREFIX)
        now = self._clock.now_us()
        async with self._db.write() as conn:
            await self._pending.replace(
                conn,
                pending_id=pending_id,
                project_id=project.id,
                user_id=user.id,
                now=now,
                expires_at=now + PENDING_SECONDS * _US,
                # The second step starts nothing once the credentials changed.
                data=json.dumps({"stamp": user.credential_stamp, "origin": ORIGIN}),
            )
        return PendingCode(secret)

    async def second_step(
        self,
        project: Project,
        pending_secret: str,
        code: str,
        *,
        trust_browser: bool,
        caller: str,
        user_agent: str,
    ) -> SignedIn:
        pending_id = self._pending_id(pending_secret)
        async with self._db.read() as conn:
            pending = await self._pending.get(conn, pending_id, project.id)
        now = self._clock.now_us()
        if pending is None or pending.expires_at <= now or pending.attempts >= MAX_CODE_ATTEMPTS:
            raise PendingSignInExpired()
        user = await self._accounts.get_user(pending.user_id)
        try:
            factor = await self._credentials.check_second_factor(
                user, code, caller=caller, origin=ORIGIN
            )
        except InvalidOneTimePassword:
            async with self._db.write() as conn:
                await self._pending.fail(
                    conn, pending_id, project.id, max_attempts=MAX_CODE_ATTEMPTS
                )
            raise
        async with self._db.write() as conn:
            taken = await self._pending.take(
                conn,
                pending_id,
                project.id,
                now=self._clock.now_us(),
                max_attempts=MAX_CODE_ATTEMPTS,
            )
        if not taken:  # a parallel post finished it first
            raise PendingSignInExpired()
        stamp = str(json.loads(pending.data).get("stamp", ""))
        device = None
        if trust_browser:
            device = _DEVICE_PREFIX + self._tokens.new("")[0]
            await self._credentials.trust_device(user, device, name=_browser_name(user_agent))
        signed_in = await self._start(
            project, user, ("password", factor), caller, user_agent, stamp=stamp
        )
        return SignedIn(signed_in.token, signed_in.session, device)

    def _pending_id(self, secret: str) -> str:
        if not secret.startswith(_PENDING_PREFIX) or len(secret) > MAX_SECRET_LENGTH:
            raise PendingSignInExpired()
        return self._tokens.hash(secret)

    async def _start(
        self,
        project: Project,
        user: User,
        factors: tuple[str, ...],
        caller: str,
        user_agent: str,
        *,
        stamp: str | None = None,
    ) -> SignedIn:
        issued = await self._sessions.start(
            project=project,
            user_id=user.id,
            origin=SessionOrigin.PAGES,
            ttl_seconds=min(PAGE_SESSION_SECONDS, project.max_ttl_seconds),
            factors=factors,
            ip=caller,
            user_agent=user_agent,
            credential_stamp=stamp or user.credential_stamp,
        )
        return SignedIn(issued.publisher, issued.session)

    async def current(self, project: Project, token: str) -> tuple[User, Session] | None:
        """The player signed in with this page-session token; None when it is
        unknown, expired, revoked or not a page session of ``project``."""
        resolved = await self._sessions.resolve(token)
        if resolved is None:
            return None
        session = resolved.session
        if session.origin is not SessionOrigin.PAGES or session.project_id != project.id:
            return None
        user = await self._accounts.get_user(session.user_id)
        await self._sessions.seen(session.id)
        return user, session

    async def sign_out(self, session: Session, *, caller: str) -> None:
        await self._sessions.revoke(session, origin=ORIGIN, ip=caller)

    # -- sessions and activity ----------------------------------------------------------

    async def sessions(self, user: User) -> list[SessionDetail]:
        return await self._sessions.details(user.id)

    async def end_session(self, user: User, session_id: str, *, caller: str) -> None:
        await self._sessions.revoke_owned(user.id, session_id, origin=ORIGIN, ip=caller)

    async def end_others(self, user: User, keep: Session, *, caller: str) -> int:
        return await self._sessions.revoke_all(user.id, origin=ORIGIN, keep=keep.id, ip=caller)

    async def activity(self, user: User) -> list[AuditEvent]:
        async with self._db.read() as conn:
            return await self._audit.recent(conn, user.id, actions=ACTIVITY, limit=ACTIVITY_LIMIT)


def _browser_name(user_agent: str) -> str:
    """A trusted device's name: the browser's user agent, shortened."""
    return (user_agent or "Browser")[:200]
