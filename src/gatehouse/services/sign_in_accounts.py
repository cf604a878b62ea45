"""The accounts a HiveMP sign-in finds, creates and links to a Steam account, and
the operator's own Steam link and unlink (no HTTP)."""

from __future__ import annotations

import secrets
from typing import Any, Final

from gatehouse.adapters.store.audit import AuditRepository
from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.errors import DuplicateKey
from gatehouse.adapters.store.users import UserRepository
from gatehouse.core.clock import Clock
from gatehouse.core.errors import (
    Conflict,
    IdentityAlreadyLinked,
    InvalidInput,
    NotFound,
    UserNotFound,
)
from gatehouse.core.identifiers import normalize_username
from gatehouse.core.models import User
from gatehouse.services.sign_in_messages import TICKETS_FIELD

__all__ = ["STEAM", "SignInAccounts"]

#: The provider name of Steam identities in ``external_identities``.
STEAM: Final = "steam"


class SignInAccounts:
    def __init__(
        self,
        *,
        db: Database,
        users: UserRepository,
        clock: Clock,
        audit: AuditRepository | None = None,
    ) -> None:
        self._db = db
        self._audit = audit
        self._users = users
        self._clock = clock

    async def get(self, user_id: int) -> User:
        async with self._db.read() as conn:
            user = await self._users.get(conn, user_id)
        if user is None:
            raise UserNotFound()
        return user

    async def email_exists(self, project_id: int, email: str) -> bool:
        async with self._db.read() as conn:
            return await self._users.by_email(conn, project_id, email) is not None

    async def steam_owner(self, project_id: int, steam_id: str) -> int | None:
        """The id of the user the SteamID is linked to in the project, if any."""
        async with self._db.read() as conn:
            return await self._users.by_identity(conn, project_id, STEAM, steam_id)

    async def create(
        self,
        project_id: int,
        *,
        username_hint: str,
        email: str = "",
        password_hash: str | None = None,
        marketing_opt_in: bool | None = None,
        steam_id: str | None = None,
    ) -> User:
        """A new user, with its Steam link in the same transaction. A taken user
        name gets a random suffix: the hint is no choice of the player's."""
        try:
            async with self._db.write() as conn:
                if email and await self._users.by_email(conn, project_id, email) is not None:
                    raise Conflict(
                        "An account with that email address exists", field="emailAddress"
                    )
                if steam_id and await self._users.by_identity(conn, project_id, STEAM, steam_id):
                    raise IdentityAlreadyLinked(field=TICKETS_FIELD)
                username = normalize_username(username_hint)
                if await self._users.by_username(conn, project_id, username) is not None:
                    username = f"{username_hint[:240]}-{secrets.token_hex(4)}"
                now = self._clock.now_us()
                user_id = await self._users.create(
                    conn,
                    project_id=project_id,
                    now=now,
                    username=username,
                    email=email,
                    password_hash=password_hash,
                    marketing_opt_in=marketing_opt_in,
                )
                if steam_id:
                    await self._users.link_identity(
                        conn,
                        project_id=project_id,
                        user_id=user_id,
                        provider=STEAM,
                        subject=steam_id,
                        now=now,
                    )
                user = await self._users.get(conn, user_id)
        except DuplicateKey:  # a concurrent sign-in created or linked the same account
            raise Conflict("The account was created concurrently; try again") from None
        assert user is not None
        return user

    async def link(self, project_id: int, user_id: int, steam_id: str) -> None:
        """Link the SteamID to the user; already linked to this user is fine."""
        try:
            async with self._db.write() as conn:
                owner = await self._users.by_identity(conn, project_id, STEAM, steam_id)
                if owner is not None and owner != user_id:
                    raise IdentityAlreadyLinked(field=TICKETS_FIELD)
                if owner is None:
                    if await self._users.identity_of(conn, user_id, STEAM) is not None:
                        raise Conflict(
                            "This account is already linked to another Steam account",
                            field=TICKETS_FIELD,
                        )
                    await self._users.link_identity(
                        conn,
                        project_id=project_id,
                        user_id=user_id,
                        provider=STEAM,
                        subject=steam_id,
                        now=self._clock.now_us(),
                    )
        except DuplicateKey:
            raise IdentityAlreadyLinked(field=TICKETS_FIELD) from None

    # -- operator actions (CLI) --------------------------------------------------------------

    async def link_steam(self, user_id: int, steam_id: str) -> None:
        if not (steam_id.isascii() and steam_id.isdigit() and 0 < int(steam_id) < 2**64):
            raise InvalidInput("steam id must be a SteamID64 (decimal)", field="steam_id")
        user = await self.get(user_id)
        await self.link(user.project_id, user.id, str(int(steam_id)))
        async with self._db.write() as conn:
            await self._record(conn, user, "steam-linked", str(int(steam_id)))

    async def unlink_steam(self, user_id: int) -> None:
        user = await self.get(user_id)
        async with self._db.write() as conn:
            if not await self._users.unlink_identity(conn, user_id, STEAM):
                raise NotFound("The user has no linked Steam account")
            await self._record(conn, user, "steam-unlinked")

    async def _record(self, conn: Any, user: User, action: str, detail: str = "") -> None:
        if self._audit is not None:
            await self._audit.record(
                conn,
                at=self._clock.now_us(),
                action=action,
                project_id=user.project_id,
                user_id=user.id,
                detail=detail,
            )
