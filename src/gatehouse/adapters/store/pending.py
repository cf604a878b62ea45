"""Pending sign-ins: "password OK, waiting for the one-time password".

One row per device token (its id is the token's hash), a short expiry, a
counter of wrong codes. Taking one is a single ``DELETE … WHERE`` so exactly
one caller wins, across processes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gatehouse.adapters.store.tables import pending_sign_ins

__all__ = ["PendingRepository"]

_p = pending_sign_ins

_GET = select(_p).where(_p.c.id == bindparam("pid"), _p.c.project_id == bindparam("proj"))
_INSERT = insert(_p)
_DELETE = delete(_p).where(_p.c.id == bindparam("pid"))
_TAKE = delete(_p).where(
    _p.c.id == bindparam("pid"),
    _p.c.project_id == bindparam("proj"),
    _p.c.expires_at > bindparam("now"),
    _p.c.attempts < bindparam("max_attempts"),
)
_FAIL = (
    update(_p)
    .where(_p.c.id == bindparam("pid"), _p.c.project_id == bindparam("proj"))
    .values(attempts=_p.c.attempts + 1)
)
_END_EXHAUSTED = delete(_p).where(
    _p.c.id == bindparam("pid"), _p.c.attempts >= bindparam("max_attempts")
)
_DELETE_EXPIRED = delete(_p).where(
    _p.c.id.in_(
        select(_p.c.id)
        .where(_p.c.expires_at <= bindparam("now"))
        .limit(bindparam("batch"))
        .scalar_subquery()
    )
)


class PendingRepository:
    async def replace(
        self,
        conn: AsyncConnection,
        *,
        pending_id: str,
        project_id: int,
        user_id: int,
        now: int,
        expires_at: int,
        data: str,
    ) -> None:
        """Start (or restart) the pending sign-in of one device token."""
        await conn.execute(_DELETE, {"pid": pending_id})
        await conn.execute(
            _INSERT,
            {
                "id": pending_id,
                "project_id": project_id,
                "user_id": user_id,
                "created_at": now,
                "expires_at": expires_at,
                "attempts": 0,
                "data": data,
            },
        )

    async def get(self, conn: AsyncConnection, pending_id: str, project_id: int) -> Any:
        return (await conn.execute(_GET, {"pid": pending_id, "proj": project_id})).first()

    async def take(
        self,
        conn: AsyncConnection,
        pending_id: str,
        project_id: int,
        *,
        now: int,
        max_attempts: int,
    ) -> bool:
        """Consume a live pending sign-in; True for the one caller that got it."""
        result = await conn.execute(
            _TAKE,
            {"pid": pending_id, "proj": project_id, "now": now, "max_attempts": max_attempts},
        )
        return bool(result.rowcount)

    async def fail(
        self, conn: AsyncConnection, pending_id: str, project_id: int, *, max_attempts: int
    ) -> None:
        """Count one wrong code; the pending sign-in ends at ``max_attempts``."""
        await conn.execute(_FAIL, {"pid": pending_id, "proj": project_id})
        await conn.execute(_END_EXHAUSTED, {"pid": pending_id, "max_attempts": max_attempts})

    async def delete(self, conn: AsyncConnection, pending_id: str) -> None:
        await conn.execute(_DELETE, {"pid": pending_id})

    async def delete_for_user(self, conn: AsyncConnection, user_id: int) -> int:
        """End every sign-in of ``user_id`` waiting for its second step."""
        result = await conn.execute(delete(_p).where(_p.c.user_id == user_id))
        return int(result.rowcount or 0)

    async def delete_expired(self, conn: AsyncConnection, now: int, batch: int) -> int:
        params = {"now": now, "batch": batch}
        return int((await conn.execute(_DELETE_EXPIRED, params)).rowcount or 0)
