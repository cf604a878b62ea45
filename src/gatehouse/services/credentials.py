"""Checking what a person knows: passwords and second factors (TOTP, recovery
codes), with the throttling every guessable secret needs. Shared by every
sign-in surface, so one password and one authenticator work everywhere.

Throttling counts failures per account and per caller address; once either is
over its limit the check is refused (429) before any secret is compared, so a
guesser learns nothing more until the window closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gatehouse.adapters.hashing import PasswordHasher
from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.users import UserRepository
from gatehouse.core import totp
from gatehouse.core.clock import Clock, from_us
from gatehouse.core.errors import (
    InvalidCredentials,
    InvalidInput,
    InvalidOneTimePassword,
    RateLimited,
    UserNotFound,
)
from gatehouse.core.identifiers import normalize_login
from gatehouse.core.models import User
from gatehouse.core.passwords import is_prehash, prehash
from gatehouse.core.secretbox import SecretBox
from gatehouse.core.tokens import TokenHasher
from gatehouse.services.accounts import check_password
from gatehouse.services.ports import RateLimiter
from gatehouse.services.sessions import SessionService

__all__ = ["CredentialService", "Limit", "TotpEnrolment"]


@dataclass(frozen=True, slots=True)
class Limit:
    attempts: int
    window: int


PASSWORD_PER_ACCOUNT = Limit(5, 300)
PASSWORD_PER_ADDRESS = Limit(30, 300)
SECOND_FACTOR_PER_ACCOUNT = Limit(5, 300)
SECOND_FACTOR_PER_ADDRESS = Limit(30, 300)


@dataclass(frozen=True, slots=True)
class TotpEnrolment:
    secret: str
    otpauth_uri: str
    recovery_codes: list[str]


class CredentialService:
    def __init__(
        self,
        *,
        db: Database,
        users: UserRepository,
        sessions: SessionService,
        passwords: PasswordHasher,
        tokens: TokenHasher,
        secretbox: SecretBox,
        clock: Clock,
        limiter: RateLimiter,
    ) -> None:
        self._db = db
        self._users = users
        self._sessions = sessions
        self._passwords = passwords
        self._tokens = tokens
        self._box = secretbox
        self._clock = clock
        self._limiter = limiter

    # -- throttling --------------------------------------------------------------------

    async def _refuse_if_throttled(self, checks: list[tuple[str, Limit]]) -> None:
        for key, limit in checks:
            retry = await self._limiter.peek(key, limit=limit.attempts, window=limit.window)
            if retry is not None:
                raise RateLimited(retry)

    async def _count_failure(self, checks: list[tuple[str, Limit]]) -> None:
        for key, limit in checks:
            await self._limiter.hit(key, limit=limit.attempts, window=limit.window)

    # -- passwords -----------------------------------------------------------------------

    async def check_password(
        self, project_id: int, *, login: str, password_hash: str, by: str, caller: str
    ) -> User:
        """The user whose ``by`` ("username" or "email") is ``login`` and whose
        password prehash is ``password_hash``. Unknown account and wrong password
        raise the same error after the same work (one full argon2id verify)."""
        if not is_prehash(password_hash):
            raise InvalidInput(
                "passwordHash must be 64 lowercase hex characters", field="passwordHash"
            )
        account_key = f"pw:acct:{project_id}:{normalize_login(login, by=by)[:320]}"
        checks = [(account_key, PASSWORD_PER_ACCOUNT), (f"pw:addr:{caller}", PASSWORD_PER_ADDRESS)]
        await self._refuse_if_throttled(checks)
        row: Any = None
        if 0 < len(login) <= 320:
            async with self._db.read() as conn:
                if by == "email":
                    row = await self._users.by_email(conn, project_id, login)
                else:
                    row = await self._users.by_username(conn, project_id, login)
        stored = row.password_hash if row is not None else None
        result = await self._passwords.verify(stored, password_hash)
        if not result.ok or row is None:
            await self._count_failure(checks)
            raise InvalidCredentials("Invalid user name or password")
        await self._limiter.reset(account_key)
        if result.new_hash is not None:  # parameters changed since this hash was made
            async with self._db.write() as conn:
                await self._users.update(
                    conn, row.id, now=self._clock.now_us(), password_hash=result.new_hash
                )
        async with self._db.read() as conn:
            user = await self._users.get(conn, row.id)
        assert user is not None
        return user

    async def check_plain_password(
        self, project_id: int, *, login: str, password: str, by: str, caller: str
    ) -> User:
        return await self.check_password(
            project_id, login=login, password_hash=prehash(password), by=by, caller=caller
        )

    async def set_password(self, user_id: int, password: str) -> int:
        """Set a new password; every session of the user ends. Returns how many."""
        check_password(password)
        new_hash = await self._passwords.hash(prehash(password))
        async with self._db.write() as conn:
            if not await self._users.update(
                conn, user_id, now=self._clock.now_us(), password_hash=new_hash
            ):
                raise UserNotFound()
        return await self._sessions.revoke_all(user_id, origin="password-change")

    # -- second factor -------------------------------------------------------------------

    async def check_second_factor(self, user: User, code: str, *, caller: str) -> str:
        """Accept a current TOTP code (once: no replay, ±1 step) or an unused recovery
        code. Returns the factor satisfied: ``"totp"`` or ``"recovery-code"``."""
        checks = [
            (f"2fa:acct:{user.id}", SECOND_FACTOR_PER_ACCOUNT),
            (f"2fa:addr:{caller}", SECOND_FACTOR_PER_ADDRESS),
        ]
        await self._refuse_if_throttled(checks)
        code = code.strip()
        factor = None
        if len(code) == totp.DIGITS and code.isascii() and code.isdigit():
            if await self._check_totp(user.id, code):
                factor = "totp"
        elif 0 < len(code) <= 64 and await self._use_recovery_code(user.id, code):
            factor = "recovery-code"
        if factor is None:
            await self._count_failure(checks)
            raise InvalidOneTimePassword()
        return factor

    async def _check_totp(self, user_id: int, code: str) -> bool:
        async with self._db.read() as conn:
            row = await self._users.row(conn, user_id)
        if row is None or row.totp_secret_enc is None:
            return False
        secret = self._box.open(row.totp_secret_enc, context=f"totp:user:{user_id}")
        step = totp.verify(
            secret, code, at=from_us(self._clock.now_us()), last_used_step=row.totp_last_step
        )
        if step is None:
            return False
        # The compare-and-set is what makes the code single-use across processes.
        async with self._db.write() as conn:
            return await self._users.advance_totp_step(conn, user_id, step)

    async def _use_recovery_code(self, user_id: int, code: str) -> bool:
        try:
            normalized = totp.normalize_recovery_code(code)
        except InvalidOneTimePassword:
            return False
        async with self._db.write() as conn:
            return await self._users.use_recovery_code(
                conn, user_id, self._tokens.hash(normalized), self._clock.now_us()
            )

    async def enable_totp(self, user_id: int, *, issuer: str = "Gatehouse") -> TotpEnrolment:
        """(Re)enrol an authenticator: new seed (stored encrypted), ten new recovery
        codes (stored hashed). Every session of the user ends."""
        secret = totp.new_secret()
        codes = totp.new_recovery_codes()
        async with self._db.write() as conn:
            user = await self._users.get(conn, user_id)
            if user is None:
                raise UserNotFound()
            await self._users.update(
                conn,
                user_id,
                now=self._clock.now_us(),
                totp_secret_enc=self._box.seal(secret, context=f"totp:user:{user_id}"),
                totp_last_step=None,
            )
            await self._users.replace_recovery_codes(
                conn, user_id, [self._tokens.hash(totp.normalize_recovery_code(c)) for c in codes]
            )
        await self._sessions.revoke_all(user_id, origin="totp-reset")
        label = user.email or user.username
        return TotpEnrolment(secret, totp.provisioning_uri(secret, label, issuer), codes)

    async def disable_totp(self, user_id: int) -> None:
        async with self._db.write() as conn:
            if not await self._users.update(
                conn, user_id, now=self._clock.now_us(), totp_secret_enc=None, totp_last_step=None
            ):
                raise UserNotFound()
            await self._users.replace_recovery_codes(conn, user_id, [])
        await self._sessions.revoke_all(user_id, origin="totp-reset")
