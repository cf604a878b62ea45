"""Projects, their client applications and API keys."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gatehouse.adapters.store.prepared import Prepared, first
from gatehouse.adapters.store.rows import client_from_row, project_from_row
from gatehouse.adapters.store.tables import api_keys, clients, project_admins, projects
from gatehouse.core.models import ApiKeyRecord, ApiKeyType, Client, Project

__all__ = ["ProjectRepository"]

_CLIENT_BY_ID = Prepared(select(clients).where(clients.c.id == bindparam("id")))
_DEFAULTS = Project(id=0, name="", created_at=0)
_API_KEY_BY_HASH = Prepared(select(api_keys).where(api_keys.c.key_hash == bindparam("h")))
_PROJECT_BY_ID = Prepared(select(projects).where(projects.c.id == bindparam("id")))


class ProjectRepository:
    """Every query is scoped by primary key or project id; no cross-tenant reads."""

    async def create(self, conn: AsyncConnection, *, name: str, now: int, **settings: Any) -> int:
        values: dict[str, Any] = {
            "session_ttl_seconds": _DEFAULTS.session_ttl_seconds,
            "max_ttl_seconds": _DEFAULTS.max_ttl_seconds,
            "session_limit": _DEFAULTS.session_limit,
            "session_limit_policy": str(_DEFAULTS.session_limit_policy),
            "ws_url": _DEFAULTS.ws_url,
            "webrtc_url": _DEFAULTS.webrtc_url,
            "steam_auto_create": _DEFAULTS.steam_auto_create,
            "password_registration": _DEFAULTS.password_registration,
            **settings,
        }
        result = await conn.execute(
            insert(projects).values(name=name, created_at=now, **values).returning(projects.c.id)
        )
        return int(result.scalar_one())

    async def get(self, conn: AsyncConnection, project_id: int) -> Project | None:
        row = await first(conn, _PROJECT_BY_ID, {"id": project_id})
        return project_from_row(row) if row else None

    async def all(self, conn: AsyncConnection) -> list[Project]:
        rows = await conn.execute(select(projects).order_by(projects.c.id))
        return [project_from_row(r) for r in rows]

    async def update(self, conn: AsyncConnection, project_id: int, **values: Any) -> bool:
        result = await conn.execute(
            update(projects).where(projects.c.id == project_id).values(**values)
        )
        return bool(result.rowcount)

    async def steam_web_api_key_enc(self, conn: AsyncConnection, project_id: int) -> str | None:
        stmt = select(projects.c.steam_web_api_key_enc).where(projects.c.id == project_id)
        value = (await conn.execute(stmt)).scalar_one_or_none()
        return str(value) if value is not None else None

    # -- project administrators --------------------------------------------------------

    async def add_admin(self, conn: AsyncConnection, project_id: int, user_id: int) -> None:
        exists = await conn.execute(
            select(func.count()).where(
                project_admins.c.project_id == project_id, project_admins.c.user_id == user_id
            )
        )
        if not exists.scalar_one():
            await conn.execute(
                insert(project_admins).values(project_id=project_id, user_id=user_id)
            )

    async def count_administered(self, conn: AsyncConnection, user_id: int) -> int:
        stmt = select(func.count()).where(project_admins.c.user_id == user_id)
        return int((await conn.execute(stmt)).scalar_one())

    async def administered_by(self, conn: AsyncConnection, user_id: int) -> list[Project]:
        stmt = (
            select(projects)
            .join(project_admins, project_admins.c.project_id == projects.c.id)
            .where(project_admins.c.user_id == user_id)
            .order_by(projects.c.id)
        )
        return [project_from_row(r) for r in await conn.execute(stmt)]

    # -- client applications -------------------------------------------------------------

    async def create_client(
        self,
        conn: AsyncConnection,
        *,
        client_id: str,
        project_id: int,
        user_id: int,
        name: str,
        secret_hash: str,
        now: int,
    ) -> None:
        await conn.execute(
            insert(clients).values(
                id=client_id,
                project_id=project_id,
                user_id=user_id,
                name=name,
                secret_hash=secret_hash,
                disabled=False,
                created_at=now,
            )
        )

    async def client_with_hash(
        self, conn: AsyncConnection, client_id: str
    ) -> tuple[Client, str] | None:
        row = await first(conn, _CLIENT_BY_ID, {"id": client_id})
        return (client_from_row(row), row.secret_hash) if row else None

    async def set_client_disabled(
        self, conn: AsyncConnection, client_id: str, disabled: bool
    ) -> bool:
        result = await conn.execute(
            update(clients).where(clients.c.id == client_id).values(disabled=disabled)
        )
        return bool(result.rowcount)

    async def clients_of(self, conn: AsyncConnection, user_id: int) -> list[Client]:
        stmt = select(clients).where(clients.c.user_id == user_id).order_by(clients.c.created_at)
        return [client_from_row(r) for r in await conn.execute(stmt)]

    # -- API keys ----------------------------------------------------------------------

    async def create_api_key(
        self,
        conn: AsyncConnection,
        *,
        project_id: int,
        key_type: ApiKeyType,
        key_hash: str,
        name: str,
        now: int,
    ) -> int:
        result = await conn.execute(
            insert(api_keys)
            .values(
                project_id=project_id,
                key_type=str(key_type),
                key_hash=key_hash,
                name=name,
                created_at=now,
            )
            .returning(api_keys.c.id)
        )
        return int(result.scalar_one())

    async def api_key_by_hash(self, conn: AsyncConnection, key_hash: str) -> ApiKeyRecord | None:
        row = await first(conn, _API_KEY_BY_HASH, {"h": key_hash})
        if row is None:
            return None
        return ApiKeyRecord(
            row.id, row.project_id, ApiKeyType(row.key_type), row.revoked_at is not None
        )

    async def revoke_api_key(self, conn: AsyncConnection, key_id: int, now: int) -> str | None:
        """Revoke a live key; its hash (for the shared cache), or None if there is none."""
        result = await conn.execute(
            update(api_keys)
            .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=now)
            .returning(api_keys.c.key_hash)
        )
        return result.scalar_one_or_none()  # type: ignore[no-any-return]
