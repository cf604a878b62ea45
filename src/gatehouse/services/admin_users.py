"""What an operator does to a user that no other service offers: read a user of
a project, change the profile, disable and enable, delete with all their data,
and the personal-data export. Credential changes and Steam links stay with
their own services (credentials.py, sign_in_accounts.py), which the CLI calls
too."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gatehouse.adapters.store.admin import AdminRepository, DeviceInfo, IdentityInfo
from gatehouse.adapters.store.audit import AuditRepository
from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.errors import DuplicateKey
from gatehouse.adapters.store.users import UserRepository
from gatehouse.core.clock import Clock
from gatehouse.core.errors import Conflict, InvalidInput, UserNotFound
from gatehouse.core.identifiers import normalize_email
from gatehouse.core.models import AccessLevel, AuditEvent, Client, SessionDetail, User
from gatehouse.services.ports import CredentialCache, UserCache
from gatehouse.services.sessions import SessionService

__all__ = ["AdminUsers", "UserChanges", "UserExport"]

ADMIN_ORIGIN = "admin"


@dataclass(frozen=True, slots=True)
class UserChanges:
    """A partial profile update; None leaves a value as it is."""

    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    access_level: AccessLevel | None = None
    email_validated: bool | None = None

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.email is not None:
            email = normalize_email(self.email)
            if email and ("@" not in email or len(email) > 320):
                raise InvalidInput("email must be an email address", field="email")
            out["email"] = email
        for key in ("first_name", "last_name"):
            value = getattr(self, key)
            if value is not None:
                if len(value) > 255:
                    raise InvalidInput(f"{key} must be at most 255 characters", field=key)
                out[key] = value
        if self.access_level is not None:
            out["access_level"] = int(self.access_level)
        if self.email_validated is not None:
            out["email_validated"] = self.email_validated
        return out


@dataclass(frozen=True, slots=True)
class UserExport:
    user: User
    identities: list[IdentityInfo] = field(default_factory=list)
    sessions: list[SessionDetail] = field(default_factory=list)
    devices: list[DeviceInfo] = field(default_factory=list)
    clients: list[Client] = field(default_factory=list)
    events: list[AuditEvent] = field(default_factory=list)


class AdminUsers:
    def __init__(
        self,
        *,
        db: Database,
        users: UserRepository,
        repo: AdminRepository,
        audit: AuditRepository,
        sessions: SessionService,
        clock: Clock,
        user_cache: UserCache | None = None,
        credential_cache: CredentialCache | None = None,
    ) -> None:
        self._db = db
        self._users = users
        self._repo = repo
        self._audit = audit
        self._sessions = sessions
        self._clock = clock
        self._user_cache = user_cache
        self._credential_cache = credential_cache

    async def get(self, project_id: int, user_id: int) -> User:
        """A user of ``project_id``; one of another project is not found."""
        async with self._db.read() as conn:
            user = await self._users.get(conn, user_id)
        if user is None or user.project_id != project_id:
            raise UserNotFound()
        return user

    async def update(self, project_id: int, user_id: int, changes: UserChanges) -> User:
        """Change the profile. A new email address is unconfirmed unless
        ``email_validated`` says otherwise."""
        values = changes.values()
        current = await self.get(project_id, user_id)
        if "email" in values and values["email"] != current.email:
            values.setdefault("email_validated", False)
        try:
            async with self._db.write() as conn:
                if "email" in values:
                    other = await self._users.by_email(conn, project_id, values["email"])
                    if other is not None and other.id != user_id:
                        raise Conflict(
                            "A user with that email address already exists", field="email"
                        )
                now = self._clock.now_us()
                if values:
                    await self._users.update(conn, user_id, now=now, **values)
                    await self._audit.record(
                        conn,
                        at=now,
                        action="profile-changed",
                        project_id=project_id,
                        user_id=user_id,
                        origin=ADMIN_ORIGIN,
                        detail=",".join(sorted(values)),
                    )
                user = await self._users.get(conn, user_id)
        except DuplicateKey:
            raise Conflict("A user with that email address already exists", field="email") from None
        if self._user_cache is not None:
            await self._user_cache.user_changed(user_id)
        assert user is not None
        return user

    async def set_disabled(self, project_id: int, user_id: int, disabled: bool) -> User:
        """Disable (no sign-in on any surface; every session ends) or enable."""
        await self.get(project_id, user_id)
        async with self._db.write() as conn:
            now = self._clock.now_us()
            await self._repo.set_disabled(conn, user_id, now if disabled else None)
            await self._audit.record(
                conn,
                at=now,
                action="user-disabled" if disabled else "user-enabled",
                project_id=project_id,
                user_id=user_id,
                origin=ADMIN_ORIGIN,
            )
            user = await self._users.get(conn, user_id)
        if self._user_cache is not None:
            await self._user_cache.user_changed(user_id)
        if disabled:
            await self._sessions.revoke_all(user_id, origin=ADMIN_ORIGIN)
        assert user is not None
        return user

    async def delete(self, project_id: int, user_id: int) -> int:
        """Remove the user and everything of theirs. Every session is revoked
        first through the session service (so every process's cache buries its
        tokens); their audit rows stay, without addresses. Returns the number of
        sessions ended."""
        user = await self.get(project_id, user_id)
        ended = await self._sessions.revoke_all(user_id, origin=ADMIN_ORIGIN)
        async with self._db.write() as conn:
            client_ids = await self._repo.client_ids_of(conn, user_id)
            if not await self._repo.delete_user(conn, user_id):
                raise UserNotFound()
            await self._repo.forget_addresses(conn, user_id)
            await self._audit.record(
                conn,
                at=self._clock.now_us(),
                action="user-deleted",
                project_id=project_id,
                user_id=user_id,
                origin=ADMIN_ORIGIN,
                detail=f"sessions={ended}",
            )
        if self._credential_cache is not None:
            for client_id in client_ids:
                await self._credential_cache.client_changed(client_id)
        if self._user_cache is not None:
            await self._user_cache.user_changed(user.id)
        return ended

    async def export(self, project_id: int, user_id: int) -> UserExport:
        """Everything stored about the user (secrets and hashes excepted)."""
        user = await self.get(project_id, user_id)
        now = self._clock.now_us()
        async with self._db.read() as conn:
            return UserExport(
                user=user,
                identities=await self._repo.identities_of(conn, user_id),
                sessions=await self._repo.sessions(
                    conn, user_id, now=now, after=None, limit=10_000
                ),
                devices=await self._repo.devices_of(conn, user_id),
                clients=await self._repo.clients_of(conn, user_id),
                events=await self._repo.audit_of(conn, user_id),
            )
