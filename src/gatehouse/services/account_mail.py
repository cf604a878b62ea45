"""What the account pages do by mail: password reset and email confirmation.

Each is a single-use link valid 30 minutes; only its keyed hash is stored
(adapters/store/email_links.py). A reset request answers the same, in the same
time, whether the address has an account or not: the request only spends its
throttle slots (per caller address, per address asked for) and hands the rest
(the lookup, the link, the mail) to a background task.
"""

from __future__ import annotations

from typing import Final

from gatehouse.adapters.mail import is_address
from gatehouse.adapters.store.audit import AuditRepository
from gatehouse.adapters.store.email_links import EmailLink, EmailLinkRepository
from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.errors import DuplicateKey
from gatehouse.adapters.store.users import UserRepository
from gatehouse.core.clock import Clock
from gatehouse.core.errors import Conflict, InvalidInput, NotFound
from gatehouse.core.identifiers import normalize_email
from gatehouse.core.models import Project, User
from gatehouse.core.tokens import MAX_SECRET_LENGTH, TokenHasher
from gatehouse.services.accounts import check_password
from gatehouse.services.background import Background
from gatehouse.services.credentials import CredentialService
from gatehouse.services.ports import Mail, Mailer, UserCache
from gatehouse.services.throttling import Throttles

__all__ = ["LINK_SECONDS", "AccountMail", "LinkExpired"]

LINK_SECONDS: Final = 30 * 60
RESET: Final = "password-reset"
CONFIRM: Final = "email-confirm"
_US: Final = 1_000_000
_PREFIX: Final = "ghl_"


class LinkExpired(NotFound):
    default_message = "This link has expired or was already used. Ask for a new one."


class AccountMail:
    def __init__(
        self,
        *,
        db: Database,
        users: UserRepository,
        links: EmailLinkRepository,
        audit: AuditRepository,
        credentials: CredentialService,
        tokens: TokenHasher,
        clock: Clock,
        throttles: Throttles,
        mailer: Mailer,
        background: Background,
        public_url: str,
        user_cache: UserCache | None = None,
    ) -> None:
        self._db = db
        self._users = users
        self._links = links
        self._audit = audit
        self._credentials = credentials
        self._tokens = tokens
        self._clock = clock
        self._throttles = throttles
        self._mailer = mailer
        self._public_url = public_url.rstrip("/")
        self._user_cache = user_cache
        self._background = background

    @property
    def available(self) -> bool:
        return self._mailer.available

    async def _issue(self, purpose: str, project: Project, user_id: int, email: str) -> str:
        secret, token_hash = self._tokens.new(_PREFIX)
        now = self._clock.now_us()
        async with self._db.write() as conn:
            await self._links.issue(
                conn,
                token_hash=token_hash,
                purpose=purpose,
                project_id=project.id,
                user_id=user_id,
                email=email,
                now=now,
                expires_at=now + LINK_SECONDS * _US,
            )
        return secret

    def _url(self, project: Project, page: str, secret: str) -> str:
        return f"{self._public_url}/account/{project.id}/{page}?token={secret}"

    async def sweep(self) -> int:
        """Delete expired links (an expired link is refused whether or not swept)."""
        async with self._db.write() as conn:
            return await self._links.delete_expired(conn, self._clock.now_us())

    # -- password reset -------------------------------------------------------------------

    async def request_reset(self, project: Project, email: str, *, caller: str) -> None:
        """Mail a reset link when ``email`` has an account in ``project``; answer the
        same either way (the work is done in the background)."""
        if not self._mailer.available:
            raise InvalidInput("Password reset by email is not available", field="email")
        address = normalize_email(email)
        if len(address) > 320 or not is_address(address):
            raise InvalidInput("Enter an email address", field="email")
        await self._throttles.mail.spend(caller=caller, account=f"{project.id}:{address}")
        self._background.spawn(self._send_reset(project, address), what="password reset mail")

    async def _send_reset(self, project: Project, address: str) -> None:
        async with self._db.read() as conn:
            row = await self._users.by_email(conn, project.id, address)
        if row is None:
            return
        secret = await self._issue(RESET, project, row.id, row.email)
        self._mailer.send(
            Mail(
                to=row.email,
                subject=f"Reset your password for {project.name}",
                text=(
                    f"Someone asked to reset the password of your {project.name} "
                    f"account ({row.username}).\n\n"
                    "To choose a new password, open this link within 30 minutes:\n\n"
                    f"{self._url(project, 'reset-password', secret)}\n\n"
                    "The link works once. Using it signs you out everywhere.\n"
                    "If you did not ask for this, ignore this message: "
                    "your password stays as it is.\n"
                ),
            )
        )

    async def _link(self, project: Project, purpose: str, token: str, caller: str) -> EmailLink:
        """The live link ``token`` (not used up), throttled per caller address."""
        async with self._throttles.mail_link.attempt(caller=caller) as attempt:
            link = None
            if token.startswith(_PREFIX) and len(token) <= MAX_SECRET_LENGTH:
                async with self._db.read() as conn:
                    link = await self._links.peek(
                        conn, self._tokens.hash(token), purpose, self._clock.now_us()
                    )
            if link is None or link.project_id != project.id:
                await attempt.failed()
                raise LinkExpired()
            return link

    async def check_reset(self, project: Project, token: str, *, caller: str) -> None:
        """Is this reset link still good? (Shown before the form, so a dead link
        says so before the player types a new password.)"""
        await self._link(project, RESET, token, caller)

    async def reset_password(
        self, project: Project, token: str, new_password: str, *, caller: str
    ) -> None:
        """Use the link: the new password, every session ended, trusted devices
        forgotten (credentials.set_password closes every door)."""
        check_password(new_password)  # a weak choice must not use the link up
        link = await self._link(project, RESET, token, caller)
        async with self._db.write() as conn:
            taken = await self._links.take(
                conn, self._tokens.hash(token), RESET, self._clock.now_us()
            )
        if taken is None or taken.user_id != link.user_id:
            raise LinkExpired()
        await self._credentials.set_password(
            link.user_id, new_password, ip=caller, origin="password-reset"
        )

    # -- email address ----------------------------------------------------------------------

    async def request_email_change(
        self, project: Project, user: User, new_email: str, current_password: str, *, caller: str
    ) -> str:
        """Mail a confirmation link to ``new_email`` (the current address: confirm
        it). The address changes only when the link is used. Returns the address."""
        if not self._mailer.available:
            raise InvalidInput("Email confirmation is not available", field="new_email")
        address = normalize_email(new_email)
        if len(address) > 320 or not is_address(address):
            raise InvalidInput("Enter an email address", field="new_email")
        await self._credentials.check_plain_password(
            project.id,
            login=user.username,
            password=current_password,
            by="username",
            caller=caller,
            origin="pages",
        )
        await self._throttles.mail.spend(caller=caller, account=f"{project.id}:user:{user.id}")
        secret = await self._issue(CONFIRM, project, user.id, address)
        self._mailer.send(
            Mail(
                to=address,
                subject=f"Confirm your email address for {project.name}",
                text=(
                    f"To make {address} the email address of your {project.name} "
                    f"account ({user.username}), open this link within 30 minutes:\n\n"
                    f"{self._url(project, 'email/confirm', secret)}\n\n"
                    "If you did not ask for this, ignore this message.\n"
                ),
            )
        )
        return address

    async def pending_address(self, project: Project, token: str, *, caller: str) -> str:
        """The address a confirmation link would confirm."""
        return (await self._link(project, CONFIRM, token, caller)).email

    async def confirm_email(self, project: Project, token: str, *, caller: str) -> str:
        """Use the link: the address becomes the account's, confirmed."""
        await self._link(project, CONFIRM, token, caller)
        now = self._clock.now_us()
        try:
            async with self._db.write() as conn:
                link = await self._links.take(conn, self._tokens.hash(token), CONFIRM, now)
                if link is None:
                    raise LinkExpired()
                before = await self._users.row(conn, link.user_id)
                if before is None:
                    raise LinkExpired()
                taken = await self._users.by_email(conn, project.id, link.email)
                if taken is not None and taken.id != link.user_id:
                    raise Conflict("Another account already uses that address", field="email")
                await self._users.update(
                    conn, link.user_id, now=now, email=link.email, email_validated=True
                )
                await self._audit.record(
                    conn,
                    at=now,
                    action="email-confirmed",
                    project_id=project.id,
                    user_id=link.user_id,
                    origin="pages",
                    ip=caller,
                )
        except DuplicateKey:  # another account took the address meanwhile
            raise Conflict("Another account already uses that address", field="email") from None
        if self._user_cache is not None:  # the v3 user carries the address
            await self._user_cache.user_changed(link.user_id)
        if before.email and before.email != link.email:
            self._mailer.send(
                Mail(
                    to=before.email,
                    subject=f"Your email address for {project.name} changed",
                    text=(
                        f"The email address of your {project.name} account "
                        f"({before.username}) is now {link.email}.\n"
                        "If you did not do this, reset your password and contact support.\n"
                    ),
                )
            )
        return link.email
