"""What the admin API reads and removes beyond the other repositories: keyset
pages of every listing (each scoped by project or user), a user's disabled flag,
deleting a user, and the rows of a personal-data export."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gatehouse.adapters.store.rows import (
    client_from_row,
    project_from_row,
    session_from_row,
    user_from_row,
)
from gatehouse.adapters.store.tables import (
    api_keys,
    audit_events,
    clients,
    external_identities,
    projects,
    sessions,
    trusted_devices,
    users,
)
from gatehouse.core.cursors import Cursor
from gatehouse.core.models import (
    ApiKeyType,
    AuditEvent,
    Client,
    Project,
    SessionDetail,
    User,
)

__all__ = ["AdminRepository", "ApiKeyInfo", "AuditFilter", "DeviceInfo", "IdentityInfo"]


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    id: int
    project_id: int
    key_type: ApiKeyType
    name: str
    created_at: int
    revoked_at: int | None


@dataclass(frozen=True, slots=True)
class IdentityInfo:
    provider: str
    subject: str
    created_at: int


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    name: str
    created_at: int
    expires_at: int


@dataclass(frozen=True, slots=True)
class AuditFilter:
    user_id: int | None = None
    action: str | None = None
    since: int | None = None
    until: int | None = None


def _audit(r: Any) -> AuditEvent:
    return AuditEvent(
        id=r.id,
        at=r.at,
        project_id=r.project_id,
        user_id=r.user_id,
        session_id=r.session_id,
        action=r.action,
        origin=r.origin,
        detail=r.detail,
        ip=r.ip,
        actor=r.actor,
    )


def _after_id(column: Any, after: Cursor | None) -> Any:
    return column > after.created_at if after is not None else column.is_not(None)


class AdminRepository:
    # -- keyset pages (``limit`` rows after ``after``) -----------------------------------

    async def projects(
        self, conn: AsyncConnection, *, only: int | None, after: Cursor | None, limit: int
    ) -> list[Project]:
        where = [_after_id(projects.c.id, after)]
        if only is not None:
            where.append(projects.c.id == only)
        stmt = select(projects).where(*where).order_by(projects.c.id).limit(limit)
        return [project_from_row(r) for r in await conn.execute(stmt)]

    async def users(
        self,
        conn: AsyncConnection,
        project_id: int,
        *,
        username: str | None,
        email: str | None,
        steam_id: str | None,
        after: Cursor | None,
        limit: int,
    ) -> list[User]:
        where = [users.c.project_id == project_id, _after_id(users.c.id, after)]
        if username is not None:
            where.append(users.c.username == username)
        if email is not None:
            where.append(users.c.email == email)
        if steam_id is not None:
            where.append(
                users.c.id.in_(
                    select(external_identities.c.user_id).where(
                        external_identities.c.project_id == project_id,
                        external_identities.c.provider == "steam",
                        external_identities.c.subject == steam_id,
                    )
                )
            )
        stmt = select(users).where(*where).order_by(users.c.id).limit(limit)
        return [user_from_row(r) for r in await conn.execute(stmt)]

    async def clients(
        self,
        conn: AsyncConnection,
        project_id: int,
        *,
        user_id: int | None,
        after: Cursor | None,
        limit: int,
    ) -> list[Client]:
        where = [clients.c.project_id == project_id]
        if user_id is not None:
            where.append(clients.c.user_id == user_id)
        if after is not None:
            where.append(
                or_(
                    clients.c.created_at > after.created_at,
                    and_(clients.c.created_at == after.created_at, clients.c.id > after.id),
                )
            )
        stmt = (
            select(clients).where(*where).order_by(clients.c.created_at, clients.c.id).limit(limit)
        )
        return [client_from_row(r) for r in await conn.execute(stmt)]

    async def api_keys(
        self, conn: AsyncConnection, project_id: int, *, after: Cursor | None, limit: int
    ) -> list[ApiKeyInfo]:
        stmt = (
            select(api_keys)
            .where(api_keys.c.project_id == project_id, _after_id(api_keys.c.id, after))
            .order_by(api_keys.c.id)
            .limit(limit)
        )
        return [
            ApiKeyInfo(
                r.id, r.project_id, ApiKeyType(r.key_type), r.name, r.created_at, r.revoked_at
            )
            for r in await conn.execute(stmt)
        ]

    async def api_key(self, conn: AsyncConnection, key_id: int) -> ApiKeyInfo | None:
        row = (await conn.execute(select(api_keys).where(api_keys.c.id == key_id))).first()
        if row is None:
            return None
        return ApiKeyInfo(
            row.id,
            row.project_id,
            ApiKeyType(row.key_type),
            row.name,
            row.created_at,
            row.revoked_at,
        )

    async def sessions(
        self, conn: AsyncConnection, user_id: int, *, now: int, after: Cursor | None, limit: int
    ) -> list[SessionDetail]:
        """Active sessions of a user, oldest first, with where they were made."""
        where = [sessions.c.user_id == user_id, sessions.c.expires_at > now]
        if after is not None:
            where.append(
                or_(
                    sessions.c.created_at > after.created_at,
                    and_(sessions.c.created_at == after.created_at, sessions.c.id > after.id),
                )
            )
        stmt = (
            select(sessions)
            .where(*where)
            .order_by(sessions.c.created_at, sessions.c.id)
            .limit(limit)
        )
        return [
            SessionDetail(
                session=session_from_row(r),
                ip=r.ip,
                user_agent=r.user_agent,
                last_used_at=max(r.updated_at, r.last_seen_at or 0),
            )
            for r in await conn.execute(stmt)
        ]

    async def session(
        self, conn: AsyncConnection, session_id: str, now: int
    ) -> SessionDetail | None:
        stmt = select(sessions).where(sessions.c.id == session_id, sessions.c.expires_at > now)
        r = (await conn.execute(stmt)).first()
        if r is None:
            return None
        return SessionDetail(
            session=session_from_row(r),
            ip=r.ip,
            user_agent=r.user_agent,
            last_used_at=max(r.updated_at, r.last_seen_at or 0),
        )

    async def audit_events(
        self,
        conn: AsyncConnection,
        project_id: int,
        found: AuditFilter,
        *,
        after: Cursor | None,
        limit: int,
    ) -> list[AuditEvent]:
        """A project's events, newest first. Session events written in bulk carry
        no project, only the user: they belong to the user's project."""
        in_project = or_(
            audit_events.c.project_id == project_id,
            and_(
                audit_events.c.project_id.is_(None),
                audit_events.c.user_id.in_(
                    select(users.c.id).where(users.c.project_id == project_id)
                ),
            ),
        )
        where = [in_project]
        if found.user_id is not None:
            where.append(audit_events.c.user_id == found.user_id)
        if found.action is not None:
            where.append(audit_events.c.action == found.action)
        if found.since is not None:
            where.append(audit_events.c.at >= found.since)
        if found.until is not None:
            where.append(audit_events.c.at < found.until)
        if after is not None:
            last_id = int(after.id)
            where.append(
                or_(
                    audit_events.c.at < after.created_at,
                    and_(audit_events.c.at == after.created_at, audit_events.c.id < last_id),
                )
            )
        stmt = (
            select(audit_events)
            .where(*where)
            .order_by(audit_events.c.at.desc(), audit_events.c.id.desc())
            .limit(limit)
        )
        return [_audit(r) for r in await conn.execute(stmt)]

    # -- changes -----------------------------------------------------------------------

    async def set_disabled(self, conn: AsyncConnection, user_id: int, at: int | None) -> bool:
        result = await conn.execute(
            update(users).where(users.c.id == user_id).values(disabled_at=at)
        )
        return bool(result.rowcount)

    async def client_ids_of(self, conn: AsyncConnection, user_id: int) -> list[str]:
        stmt = select(clients.c.id).where(clients.c.user_id == user_id)
        return [str(r.id) for r in await conn.execute(stmt)]

    async def delete_user(self, conn: AsyncConnection, user_id: int) -> bool:
        """The user's row; everything hanging off it goes by ``ON DELETE CASCADE``
        (sessions and their tokens, clients, identities, devices, codes, links)."""
        for table in (sessions, clients, external_identities, trusted_devices):
            await conn.execute(delete(table).where(table.c.user_id == user_id))
        result = await conn.execute(delete(users).where(users.c.id == user_id))
        return bool(result.rowcount)

    async def forget_addresses(self, conn: AsyncConnection, user_id: int) -> None:
        """The user's audit rows stay (the trail of what was done) without the
        addresses they came from (personal data)."""
        await conn.execute(
            update(audit_events).where(audit_events.c.user_id == user_id).values(ip="")
        )

    # -- export ------------------------------------------------------------------------

    async def identities_of(self, conn: AsyncConnection, user_id: int) -> list[IdentityInfo]:
        t = external_identities
        stmt = select(t).where(t.c.user_id == user_id).order_by(t.c.provider)
        return [IdentityInfo(r.provider, r.subject, r.created_at) for r in await conn.execute(stmt)]

    async def devices_of(self, conn: AsyncConnection, user_id: int) -> list[DeviceInfo]:
        t = trusted_devices
        stmt = select(t.c.name, t.c.created_at, t.c.expires_at).where(t.c.user_id == user_id)
        return [DeviceInfo(r.name, r.created_at, r.expires_at) for r in await conn.execute(stmt)]

    async def clients_of(self, conn: AsyncConnection, user_id: int) -> list[Client]:
        stmt = select(clients).where(clients.c.user_id == user_id).order_by(clients.c.created_at)
        return [client_from_row(r) for r in await conn.execute(stmt)]

    async def audit_of(self, conn: AsyncConnection, user_id: int) -> list[AuditEvent]:
        stmt = (
            select(audit_events)
            .where(audit_events.c.user_id == user_id)
            .order_by(audit_events.c.at, audit_events.c.id)
        )
        return [_audit(r) for r in await conn.execute(stmt)]
