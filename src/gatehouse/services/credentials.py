"""Checking what a person knows: passwords and second factors (TOTP, recovery
codes, trusted devices), with the throttling every guessable secret needs, and
changing them. Shared by every sign-in surface, so one password and one
authenticator work everywhere.

Every check reserves its attempt before any secret is compared
(services/throttling.py): per account and per caller address, atomically, so
parallel guesses meet the same limits as sequential ones.

Every credential change closes every door opened by the old credentials: the
user's sessions end, trusted devices are forgotten and sign-ins waiting for a
second step are dropped. A sign-in that verified the old credentials carries
their stamp (core/passwords.py), and its session cannot start after the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from gatehouse.adapters.hashing import PasswordHasher
from gatehouse.adapters.store.audit import AuditRepository
from gatehouse.adapters.store.devices import DeviceRepository
from gatehouse.adapters.store.email_links import EmailLinkRepository
from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.pending import PendingRepository
from gatehouse.adapters.store.users import UserRepository
from gatehouse.core import totp
from gatehouse.core.clock import Clock, from_us
from gatehouse.core.errors import (
    AccountDisabled,
    InvalidCredentials,
    InvalidInput,
    InvalidOneTimePassword,
    UserNotFound,
)
from gatehouse.core.identifiers import normalize_login
from gatehouse.core.models import User
from gatehouse.core.passwords import credential_stamp, is_prehash, prehash, same_stamp
from gatehouse.core.secretbox import SecretBox
from gatehouse.core.tokens import TokenHasher
from gatehouse.services.accounts import check_password
from gatehouse.services.background import Background
from gatehouse.services.ports import UserCache
from gatehouse.services.sessions import SessionService
from gatehouse.services.throttling import Throttles

__all__ = ["TRUSTED_DEVICE_SECONDS", "CredentialService", "TotpEnrolment"]

TRUSTED_DEVICE_SECONDS: Final = 30 * 86_400
_US: Final = 1_000_000
#: The factor a trusted device stands in for.
TRUSTED_DEVICE: Final = "trusted-device"


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
        devices: DeviceRepository,
        pending: PendingRepository,
        sessions: SessionService,
        passwords: PasswordHasher,
        tokens: TokenHasher,
        secretbox: SecretBox,
        clock: Clock,
        throttles: Throttles,
        audit: AuditRepository,
        email_links: EmailLinkRepository,
        background: Background,
        user_cache: UserCache | None = None,
    ) -> None:
        self._db = db
        self._background = background
        self._audit = audit
        self._email_links = email_links
        self._user_cache = user_cache
        self._users = users
        self._devices = devices
        self._pending = pending
        self._sessions = sessions
        self._passwords = passwords
        self._tokens = tokens
        self._box = secretbox
        self._clock = clock
        self._throttles = throttles

    # -- passwords -----------------------------------------------------------------------

    async def check_password(
        self,
        project_id: int,
        *,
        login: str,
        password_hash: str,
        by: str,
        caller: str,
        origin: str = "",
    ) -> User:
        """The user whose ``by`` ("username" or "email") is ``login`` and whose
        password prehash is ``password_hash``. Unknown account and wrong password
        raise the same error after the same work (one full argon2id verify). The
        user carries the stamp of the credentials verified here."""
        if not is_prehash(password_hash):
            raise InvalidInput(
                "passwordHash must be 64 lowercase hex characters", field="passwordHash"
            )
        row: Any = None
        if 0 < len(login) <= 320:
            async with self._db.read() as conn:
                if by == "email":
                    row = await self._users.by_email(conn, project_id, login)
                else:
                    row = await self._users.by_username(conn, project_id, login)
        # One counter per account, whichever name it was signed in by (username on
        # v3 and the pages, email on HiveMP and the pages); a login that names no
        # account counts under that login. Both are counted before any verify.
        account = (
            f"user:{row.id}"
            if row is not None
            else f"{project_id}:{normalize_login(login, by=by)[:320]}"
        )
        async with self._throttles.password.attempt(caller=caller, account=account) as attempt:
            stored = row.password_hash if row is not None else None
            result = await self._passwords.verify(stored, password_hash)
            if not result.ok or row is None:
                await attempt.failed()
                if row is not None:  # the owner's activity shows the guess
                    await self._failed(row.project_id, row.id, "password", origin, caller)
                raise InvalidCredentials("Invalid user name or password")
        verified = row.password_hash
        if result.new_hash is not None:  # parameters changed since this hash was made
            async with self._db.write() as conn:
                if await self._users.replace_password_hash(
                    conn, row.id, old=verified, new=result.new_hash, now=self._clock.now_us()
                ):
                    verified = result.new_hash
        async with self._db.read() as conn:
            user = await self._users.get(conn, row.id)
        if user is None or not same_stamp(
            user.credential_stamp, credential_stamp(verified, row.totp_secret_enc)
        ):  # changed while it was being verified: the old password opens nothing
            raise InvalidCredentials("Invalid user name or password")
        if user.disabled:  # no second step, no session (SessionService.start refuses too)
            raise AccountDisabled()
        return user

    async def check_plain_password(
        self,
        project_id: int,
        *,
        login: str,
        password: str,
        by: str,
        caller: str,
        origin: str = "",
    ) -> User:
        return await self.check_password(
            project_id,
            login=login,
            password_hash=prehash(password),
            by=by,
            caller=caller,
            origin=origin,
        )

    async def _failed(
        self, project_id: int, user_id: int, factor: str, origin: str, caller: str
    ) -> None:
        """The owner's activity shows the guess. Written in the background: an answer
        that waited for the write would time differently for an unknown account."""
        self._background.spawn(
            self._record_failure(project_id, user_id, factor, origin, caller),
            what="audit of a failed sign-in",
        )

    async def _record_failure(
        self, project_id: int, user_id: int, factor: str, origin: str, caller: str
    ) -> None:
        async with self._db.write() as conn:
            await self._audit.record(
                conn,
                at=self._clock.now_us(),
                action="sign-in-failed",
                project_id=project_id,
                user_id=user_id,
                origin=origin,
                ip=caller,
                detail=factor,
            )

    async def set_password(
        self,
        user_id: int,
        password: str,
        *,
        keep: str | None = None,
        ip: str = "",
        origin: str = "password-change",
    ) -> int:
        """Set a new password; every door the old one opened closes (every session
        but ``keep``). Returns how many sessions ended."""
        check_password(password)
        new_hash = await self._passwords.hash(prehash(password))
        return await self._change(
            user_id,
            action="password-changed",
            origin=origin,
            keep=keep,
            ip=ip,
            password_hash=new_hash,
        )

    async def change_password(
        self, user: User, *, current: str, new: str, caller: str, keep: str | None, origin: str
    ) -> int:
        """The player's own change: the current password first (a guess, throttled
        and counted like any other), then ``set_password``."""
        check_password(new)
        await self.check_plain_password(
            user.project_id,
            login=user.username,
            password=current,
            by="username",
            caller=caller,
            origin=origin,
        )
        return await self.set_password(user.id, new, keep=keep, ip=caller)

    async def _change(
        self,
        user_id: int,
        *,
        action: str,
        origin: str,
        keep: str | None = None,
        ip: str = "",
        **values: Any,
    ) -> int:
        """Write a credential change, and in the same transaction forget the user's
        trusted devices, end their pending sign-ins and drop the links mailed to
        them; then end every session but ``keep``. Returns how many sessions ended."""
        codes: list[str] | None = values.pop("recovery_code_hashes", None)
        async with self._db.write() as conn:
            now = self._clock.now_us()
            if not await self._users.update(conn, user_id, now=now, **values):
                raise UserNotFound()
            if codes is not None:
                await self._users.replace_recovery_codes(conn, user_id, codes)
            await self._devices.forget_all(conn, user_id=user_id)
            await self._pending.delete_for_user(conn, user_id)
            await self._email_links.delete_for_user(conn, user_id)
            project_id = (await self._users.row(conn, user_id)).project_id
            await self._audit.record(
                conn, at=now, action=action, project_id=project_id, user_id=user_id, ip=ip
            )
        if self._user_cache is not None:  # the v3 answer's user (its second factor)
            await self._user_cache.user_changed(user_id)
        return await self._sessions.revoke_all(user_id, origin=origin, keep=keep, ip=ip)

    # -- second factor -------------------------------------------------------------------

    def _device_hash(self, user_id: int, identifier: str) -> str:
        return self._tokens.hash(f"trusted-device:{user_id}:{identifier}")

    async def second_factor(
        self,
        user: User,
        code: str | None,
        *,
        device_identifier: str | None,
        caller: str,
        origin: str = "",
    ) -> str | None:
        """The second factor satisfied: a trusted device (``device_identifier``), or
        a current TOTP code (once: no replay, ±1 step), or an unused recovery code;
        None when nothing was offered and the code must be asked for.

        One attempt per call, throttled per account and per address: a device
        probe that fails with no code counts as a failure, as does a wrong code."""
        if not device_identifier and not code:
            return None
        account = str(user.id)
        async with self._throttles.second_factor.attempt(caller=caller, account=account) as attempt:
            if device_identifier and await self._device_trusted(user.id, device_identifier):
                return TRUSTED_DEVICE
            if not code:
                await attempt.failed()
                return None
            factor = await self._check_code(user.id, code.strip())
            if factor is None:
                await attempt.failed()
                await self._failed(user.project_id, user.id, "second-factor", origin, caller)
                raise InvalidOneTimePassword()
            return factor

    async def check_second_factor(
        self, user: User, code: str, *, caller: str, origin: str = ""
    ) -> str:
        """A TOTP or recovery code (no trusted device): see ``second_factor``."""
        factor = await self.second_factor(
            user, code, device_identifier=None, caller=caller, origin=origin
        )
        if factor is None:
            raise InvalidOneTimePassword()
        return factor

    async def _check_code(self, user_id: int, code: str) -> str | None:
        if len(code) == totp.DIGITS and code.isascii() and code.isdigit():
            return "totp" if await self._check_totp(user_id, code) else None
        if 0 < len(code) <= 64 and await self._use_recovery_code(user_id, code):
            return "recovery-code"
        return None

    async def _device_trusted(self, user_id: int, identifier: str) -> bool:
        async with self._db.read() as conn:
            return await self._devices.is_trusted(
                conn,
                user_id=user_id,
                device_hash=self._device_hash(user_id, identifier),
                now=self._clock.now_us(),
            )

    async def trust_device(self, user: User, identifier: str, name: str) -> None:
        """Let ``identifier`` skip the second factor for 30 days, unless the
        credentials changed since ``user`` was read (then nothing is trusted)."""
        now = self._clock.now_us()
        async with self._db.write() as conn:
            if not same_stamp(await self._users.lock(conn, user.id), user.credential_stamp):
                return
            await self._devices.trust(
                conn,
                user_id=user.id,
                device_hash=self._device_hash(user.id, identifier),
                name=name,
                now=now,
                expires_at=now + TRUSTED_DEVICE_SECONDS * _US,
            )

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

    def _recovery_codes(self) -> tuple[list[str], list[str]]:
        """Ten new recovery codes and their hashes (only the hashes are stored)."""
        codes = totp.new_recovery_codes()
        return codes, [self._tokens.hash(totp.normalize_recovery_code(c)) for c in codes]

    async def enable_totp(self, user_id: int, *, issuer: str = "Gatehouse") -> TotpEnrolment:
        """(Re)enrol an authenticator (the operator's way: effective at once): new
        seed (stored encrypted), ten new recovery codes (stored hashed). Every door
        the old factor opened closes."""
        secret = totp.new_secret()
        user = await self._user(user_id)
        codes = await self._store_totp(user_id, secret, step=None, keep=None, ip="")
        label = user.email or user.username
        return TotpEnrolment(secret, totp.provisioning_uri(secret, label, issuer), codes)

    async def confirm_totp(
        self, user: User, secret: str, code: str, *, caller: str, keep: str | None
    ) -> list[str]:
        """The player's own enrolment: ``secret`` (proposed to them, not stored yet)
        becomes their second factor only when ``code`` is a current code of it.
        Returns the new recovery codes."""
        async with self._throttles.second_factor.attempt(
            caller=caller, account=str(user.id)
        ) as attempt:
            step = totp.verify(
                secret, code.strip(), at=from_us(self._clock.now_us()), last_used_step=None
            )
            if step is None:
                await attempt.failed()
                raise InvalidOneTimePassword()
        return await self._store_totp(user.id, secret, step=step, keep=keep, ip=caller)

    async def _store_totp(
        self, user_id: int, secret: str, *, step: int | None, keep: str | None, ip: str
    ) -> list[str]:
        codes, hashes = self._recovery_codes()
        await self._change(
            user_id,
            action="two-factor-on",
            origin="totp-reset",
            keep=keep,
            ip=ip,
            totp_secret_enc=self._box.seal(secret, context=f"totp:user:{user_id}"),
            # The code that confirmed the enrolment cannot be replayed.
            totp_last_step=step,
            recovery_code_hashes=hashes,
        )
        return codes

    async def regenerate_recovery_codes(
        self, user: User, code: str, *, caller: str, keep: str | None, origin: str
    ) -> list[str]:
        """New recovery codes (the old ones stop working), on a current code."""
        await self.check_second_factor(user, code, caller=caller, origin=origin)
        codes, hashes = self._recovery_codes()
        await self._change(
            user.id,
            action="recovery-codes-new",
            origin="totp-reset",
            keep=keep,
            ip=caller,
            recovery_code_hashes=hashes,
        )
        return codes

    async def turn_off_totp(
        self, user: User, code: str, *, caller: str, keep: str | None, origin: str
    ) -> None:
        """The player's own: two-factor off, on a current code."""
        await self.check_second_factor(user, code, caller=caller, origin=origin)
        await self.disable_totp(user.id, keep=keep, ip=caller)

    async def disable_totp(self, user_id: int, *, keep: str | None = None, ip: str = "") -> None:
        await self._change(
            user_id,
            action="two-factor-off",
            origin="totp-reset",
            keep=keep,
            ip=ip,
            totp_secret_enc=None,
            totp_last_step=None,
            recovery_code_hashes=[],
        )

    async def _user(self, user_id: int) -> User:
        async with self._db.read() as conn:
            user = await self._users.get(conn, user_id)
        if user is None:
            raise UserNotFound()
        return user
