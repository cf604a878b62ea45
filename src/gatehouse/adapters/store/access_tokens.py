"""Account tokens (``PRIVATE-TOKEN``): device tokens and personal access tokens.

The hot path is ``resolve``: one primary-key probe on ``access_tokens``, LEFT
JOINed to the bound session and to the user, both by primary key. Every
statement is built once at import.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gatehouse.adapters.store.prepared import Prepared, first
from gatehouse.adapters.store.rows import session_from_row, user_from_row
from gatehouse.adapters.store.tables import access_tokens, projects, sessions, users
from gatehouse.core.models import Session, User

__all__ = ["AccessTokenRepository", "StoredAccessToken"]


@dataclass(frozen=True, slots=True)
class StoredAccessToken:
    kind: str
    project_id: int
    expires_at: int | None
    session_id: str | None  # as stored: the session may have expired since
    session: Session | None
    user: User | None


_t = access_tokens
_s = sessions
_u = users

_RESOLVE = Prepared(
    select(
        _t.c.kind,
        _t.c.project_id,
        _t.c.expires_at,
        _t.c.session_id,
        *(c.label(f"s_{c.name}") for c in _s.c),
        *(c.label(f"u_{c.name}") for c in _u.c),
    )
    .select_from(
        _t.outerjoin(_s, _s.c.id == _t.c.session_id).outerjoin(_u, _u.c.id == _t.c.user_id)
    )
    .where(_t.c.token_hash == bindparam("h"))
)
_INSERT = insert(_t)
_TOUCH = (
    update(_t)
    .where(_t.c.token_hash == bindparam("h"), _t.c.expires_at < bindparam("new_expiry"))
    .values(expires_at=bindparam("new_expiry"))
)
# Compare-and-set: bind only if the token still holds what the caller saw.
_BIND_FROM_NONE = (
    update(_t)
    .where(_t.c.token_hash == bindparam("h"), _t.c.session_id.is_(None))
    .values(session_id=bindparam("sid"), user_id=bindparam("uid"), expires_at=bindparam("exp"))
)
_BIND_FROM = (
    update(_t)
    .where(_t.c.token_hash == bindparam("h"), _t.c.session_id == bindparam("old"))
    .values(session_id=bindparam("sid"), user_id=bindparam("uid"), expires_at=bindparam("exp"))
)
_UNBIND = (
    update(_t)
    .where(_t.c.token_hash == bindparam("h"), _t.c.kind == "device")
    .values(session_id=None, user_id=None)
)
_DEFAULT_PROJECT = select(func.min(projects.c.id))
# Logged-out device tokens past their idle expiry, a bounded batch at a time. A
# token's session_id turns NULL when its session row goes (ON DELETE SET NULL).
_DELETE_EXPIRED = delete(_t).where(
    _t.c.token_hash.in_(
        select(_t.c.token_hash)
        .where(
            _t.c.kind == "device",
            _t.c.expires_at <= bindparam("now"),
            _t.c.session_id.is_(None),
        )
        .limit(bindparam("batch"))
        .scalar_subquery()
    )
)


class AccessTokenRepository:
    async def insert(
        self,
        conn: AsyncConnection,
        *,
        token_hash: str,
        project_id: int,
        kind: str,
        user_id: int | None,
        now: int,
        expires_at: int | None,
    ) -> None:
        await conn.execute(
            _INSERT,
            {
                "token_hash": token_hash,
                "project_id": project_id,
                "kind": kind,
                "user_id": user_id,
                "session_id": None,
                "created_at": now,
                "expires_at": expires_at,
            },
        )

    async def resolve(self, conn: AsyncConnection, token_hash: str) -> StoredAccessToken | None:
        """The token with its bound session and its user (either may be None)."""
        row = await first(conn, _RESOLVE, {"h": token_hash})
        if row is None:
            return None
        return StoredAccessToken(
            kind=row.kind,
            project_id=row.project_id,
            expires_at=row.expires_at,
            session_id=row.session_id,
            session=session_from_row(row, "s_") if row.s_id is not None else None,
            user=user_from_row(row, "u_") if row.u_id is not None else None,
        )

    async def touch(self, conn: AsyncConnection, token_hash: str, new_expiry: int) -> None:
        """Move a device token's idle expiry forward (never backward)."""
        await conn.execute(_TOUCH, {"h": token_hash, "new_expiry": new_expiry})

    async def bind(
        self,
        conn: AsyncConnection,
        token_hash: str,
        *,
        expected_session_id: str | None,
        session_id: str,
        user_id: int,
        expires_at: int,
    ) -> bool:
        params = {"h": token_hash, "sid": session_id, "uid": user_id, "exp": expires_at}
        if expected_session_id is None:
            result = await conn.execute(_BIND_FROM_NONE, params)
        else:
            result = await conn.execute(_BIND_FROM, {**params, "old": expected_session_id})
        return bool(result.rowcount)

    async def unbind(self, conn: AsyncConnection, token_hash: str) -> None:
        await conn.execute(_UNBIND, {"h": token_hash})

    async def default_project_id(self, conn: AsyncConnection) -> int | None:
        """The project device tokens belong to when no API key names one: the lowest id."""
        value = (await conn.execute(_DEFAULT_PROJECT)).scalar_one_or_none()
        return int(value) if value is not None else None

    async def delete_expired(self, conn: AsyncConnection, now: int, batch: int) -> int:
        """Up to ``batch`` device tokens past their idle expiry, not logged in."""
        params = {"now": now, "batch": batch}
        return int((await conn.execute(_DELETE_EXPIRED, params)).rowcount or 0)
