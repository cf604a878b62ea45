"""Sessions and their bearer tokens; the hot path lives here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    String,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from gatehouse.adapters.store.audit import audit_stamp
from gatehouse.adapters.store.postgres import PgCompiled, PgConnection
from gatehouse.adapters.store.prepared import Prepared, first, rows, run
from gatehouse.adapters.store.rows import session_from_row
from gatehouse.adapters.store.tables import audit_events, session_tokens, sessions
from gatehouse.core.cursors import Cursor
from gatehouse.core.models import Session, SessionDetail, TokenRole

__all__ = ["SessionRepository"]

# "Who is this token?": one primary-key probe on session_tokens joined to the
# session's primary key. Built once at import.
_BY_TOKEN = Prepared(
    select(sessions, session_tokens.c.role)
    .join(session_tokens, session_tokens.c.session_id == sessions.c.id)
    .where(session_tokens.c.token_hash == bindparam("h"))
)
_BY_ID = Prepared(select(sessions).where(sessions.c.id == bindparam("id")))
_COUNT_ACTIVE = Prepared(
    select(func.count().label("n")).where(
        sessions.c.user_id == bindparam("user_id"), sessions.c.expires_at > bindparam("now")
    )
)
# Bind names differ from column names, as SQLAlchemy requires for INSERT/UPDATE.
_INSERT_SESSION = Prepared(
    insert(sessions).values(
        {c: bindparam(f"v_{c.name}") for c in sessions.c if c.name != "last_seen_at"}
    )
)
_INSERT_TOKEN = Prepared(
    insert(session_tokens).values(
        token_hash=bindparam("v_hash"),
        session_id=bindparam("v_session_id"),
        role=bindparam("v_role"),
    )
)
_DELETE = Prepared(delete(sessions).where(sessions.c.id == bindparam("id")))
_DELETE_TOKENS = Prepared(
    delete(session_tokens).where(session_tokens.c.session_id == bindparam("id"))
)
_TOKENS_OF = Prepared(
    select(session_tokens.c.token_hash, session_tokens.c.role).where(
        session_tokens.c.session_id == bindparam("id")
    )
)
_ACTIVE_OF_USER = (
    sessions.c.user_id == bindparam("user_id"),
    sessions.c.expires_at > bindparam("now"),
)
_OLDEST_FIRST = (sessions.c.created_at, sessions.c.id)
_FIRST_PAGE = Prepared(
    select(sessions).where(*_ACTIVE_OF_USER).order_by(*_OLDEST_FIRST).limit(bindparam("limit"))
)
# The keyset condition is spelled out rather than a row-value comparison so both
# SQLite and PostgreSQL plan it on ix_sessions_user_created.
_NEXT_PAGE = Prepared(
    select(sessions)
    .where(
        *_ACTIVE_OF_USER,
        or_(
            sessions.c.created_at > bindparam("created_at"),
            and_(
                sessions.c.created_at == bindparam("created_at"),
                sessions.c.id > bindparam("after_id"),
            ),
        ),
    )
    .order_by(*_OLDEST_FIRST)
    .limit(bindparam("limit"))
)
# A move by the holder needs a renewable session (``any_session`` false); a TTL set
# by a back-end makes the session non-renewable (``keep_renewable`` false). Both
# are decided in the UPDATE itself, so a concurrent change cannot slip between.
_MOVABLE = (
    sessions.c.id == bindparam("sid"),
    sessions.c.expires_at > bindparam("now"),
    or_(sessions.c.renewable, bindparam("any_session", type_=Boolean)),
)
_MOVE = {
    "expires_at": bindparam("new_expiry"),
    "updated_at": bindparam("now"),
    "renewable": and_(sessions.c.renewable, bindparam("keep_renewable", type_=Boolean)),
}
_SET_EXPIRY = Prepared(update(sessions).where(*_MOVABLE).values(_MOVE))
# A renewal on PostgreSQL: move the expiry, write the audit row and read the token
# hashes (for the cache) in ONE statement, run in autocommit: one round trip
# instead of five (BEGIN, UPDATE, INSERT, SELECT, COMMIT), still atomic. No rows
# means the session was gone or expired.
_MOVED = (
    update(sessions)
    .where(*_MOVABLE)
    .values(_MOVE)
    .returning(sessions.c.id, sessions.c.project_id, sessions.c.user_id)
    .cte("moved")
)
_MOVED_AUDIT = (
    insert(audit_events)
    .from_select(
        ["at", "project_id", "user_id", "session_id", "action", "origin", "detail"],
        select(
            bindparam("now", type_=BigInteger),
            _MOVED.c.project_id,
            _MOVED.c.user_id,
            _MOVED.c.id,
            bindparam("action", type_=String),
            bindparam("origin", type_=String),
            bindparam("detail", type_=String),
        ),
    )
    .cte("logged")
)
_MOVE_EXPIRY_PG = PgCompiled(
    select(_MOVED.c.id, session_tokens.c.token_hash, session_tokens.c.role)
    .select_from(_MOVED.outerjoin(session_tokens, session_tokens.c.session_id == _MOVED.c.id))
    .add_cte(_MOVED_AUDIT)
)
_AUDIT = Prepared(
    insert(audit_events).values(
        # Bind names differ from the column names, as SQLAlchemy requires.
        at=bindparam("v_at"),
        project_id=bindparam("v_project_id"),
        user_id=bindparam("v_user_id"),
        session_id=bindparam("v_session_id"),
        action=bindparam("v_action"),
        origin=bindparam("v_origin"),
        detail=bindparam("v_detail"),
        ip=bindparam("v_ip"),
        actor=bindparam("v_actor"),
    )
)


class SessionRepository:
    async def insert(
        self,
        conn: AsyncConnection,
        session: Session,
        tokens: Sequence[tuple[str, TokenRole]],
        *,
        client_id: str | None = None,
        ip: str = "",
        user_agent: str = "",
    ) -> None:
        row = {
            "v_id": session.id,
            "v_project_id": session.project_id,
            "v_user_id": session.user_id,
            "v_created_at": session.created_at,
            "v_updated_at": session.updated_at,
            "v_expires_at": session.expires_at,
            "v_origin": str(session.origin),
            "v_intent": session.intent,
            "v_room_name": session.room_name,
            "v_factors": ",".join(session.factors),
            "v_scope": session.scope,
            "v_client_id": client_id,
            "v_ip": ip[:45],
            "v_user_agent": user_agent[:512],
            "v_renewable": session.renewable,
        }
        await run(conn, _INSERT_SESSION, row)
        for token_hash, role in tokens:  # 1 to 11 rows
            params = {"v_hash": token_hash, "v_session_id": session.id, "v_role": str(role)}
            await run(conn, _INSERT_TOKEN, params)

    async def by_token(
        self, conn: AsyncConnection, token_hash: str
    ) -> tuple[Session, TokenRole] | None:
        row = await first(conn, _BY_TOKEN, {"h": token_hash})
        if row is None:
            return None
        return session_from_row(row), TokenRole(row.role)

    async def get(self, conn: AsyncConnection, session_id: str) -> Session | None:
        row = await first(conn, _BY_ID, {"id": session_id})
        return session_from_row(row) if row else None

    async def count_active(self, conn: AsyncConnection, user_id: int, now: int) -> int:
        return int((await first(conn, _COUNT_ACTIVE, {"user_id": user_id, "now": now})).n)

    async def count_all_active(self, conn: AsyncConnection, now: int) -> int:
        stmt = select(func.count()).where(sessions.c.expires_at > now)
        return int((await conn.execute(stmt)).scalar_one())

    async def oldest_active(
        self, conn: AsyncConnection, user_id: int, now: int, limit: int
    ) -> list[str]:
        stmt = (
            select(sessions.c.id)
            .where(sessions.c.user_id == user_id, sessions.c.expires_at > now)
            .order_by(sessions.c.created_at, sessions.c.id)
            .limit(limit)
        )
        return [r.id for r in await conn.execute(stmt)]

    async def active_ids(self, conn: AsyncConnection, user_id: int, now: int) -> list[str]:
        stmt = select(sessions.c.id).where(
            sessions.c.user_id == user_id, sessions.c.expires_at > now
        )
        return [r.id for r in await conn.execute(stmt)]

    async def details(self, conn: AsyncConnection, user_id: int, now: int) -> list[SessionDetail]:
        """Every active session of a user, newest first, with where it was made."""
        stmt = (
            select(sessions)
            .where(sessions.c.user_id == user_id, sessions.c.expires_at > now)
            .order_by(sessions.c.created_at.desc(), sessions.c.id)
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

    async def seen(self, conn: AsyncConnection, session_id: str, now: int) -> None:
        """The session was used just now (the account pages say so)."""
        await conn.execute(
            update(sessions).where(sessions.c.id == session_id).values(last_seen_at=now)
        )

    async def page(
        self,
        conn: AsyncConnection,
        *,
        user_id: int,
        now: int,
        after: Cursor | None,
        limit: int,
    ) -> list[Session]:
        """Active sessions of a user, oldest first, strictly after ``after`` (keyset)."""
        params: dict[str, Any] = {"user_id": user_id, "now": now, "limit": limit}
        if after is None:
            found = await rows(conn, _FIRST_PAGE, params)
        else:
            params.update(created_at=after.created_at, after_id=after.id)
            found = await rows(conn, _NEXT_PAGE, params)
        return [session_from_row(r) for r in found]

    async def set_expiry(
        self,
        conn: AsyncConnection,
        session_id: str,
        *,
        expires_at: int,
        now: int,
        by_holder: bool = False,
        keep_renewable: bool = True,
    ) -> bool:
        """Move the expiry of a still-active session (renewable, ``by_holder``);
        False when it is gone, expired or not the holder's to renew."""
        params = {
            "sid": session_id,
            "now": now,
            "new_expiry": expires_at,
            "any_session": not by_holder,
            "keep_renewable": keep_renewable,
        }
        return bool(await run(conn, _SET_EXPIRY, params))

    async def move_expiry(
        self,
        conn: AsyncConnection,
        session: Session,
        *,
        expires_at: int,
        now: int,
        action: str,
        detail: str = "",
        by_holder: bool = False,
        keep_renewable: bool = True,
    ) -> list[tuple[str, TokenRole]] | None:
        """Move the expiry of a still-active session and audit it; the session's
        tokens (hash, role), or None when it is gone, expired or (``by_holder``)
        not renewable. ``keep_renewable=False`` makes it non-renewable. One
        statement on PostgreSQL (``Database.write_one``), three in the SQLite
        transaction."""
        if isinstance(conn, PgConnection):
            params = {
                "sid": session.id,
                "now": now,
                "new_expiry": expires_at,
                "any_session": not by_holder,
                "keep_renewable": keep_renewable,
                "action": action,
                "origin": "",
                "detail": detail,
            }
            found = await conn.fetch(_MOVE_EXPIRY_PG, params)
            if not found:
                return None
            return [(r["token_hash"], TokenRole(r["role"])) for r in found if r["token_hash"]]
        moved = await self.set_expiry(
            conn,
            session.id,
            expires_at=expires_at,
            now=now,
            by_holder=by_holder,
            keep_renewable=keep_renewable,
        )
        if not moved:
            return None
        await self.audit(conn, at=now, action=action, session=session, detail=detail)
        tokens = await rows(conn, _TOKENS_OF, {"id": session.id})
        return [(r.token_hash, TokenRole(r.role)) for r in tokens]

    async def token_hashes(self, conn: AsyncConnection, session_ids: Sequence[str]) -> list[str]:
        if not session_ids:
            return []
        if len(session_ids) == 1:
            found = await rows(conn, _TOKENS_OF, {"id": session_ids[0]})
            return [r.token_hash for r in found]
        stmt = select(session_tokens.c.token_hash).where(
            session_tokens.c.session_id.in_(list(session_ids))
        )
        return [r.token_hash for r in await conn.execute(stmt)]

    async def delete(self, conn: AsyncConnection, session_id: str) -> bool:
        await run(conn, _DELETE_TOKENS, {"id": session_id})
        return bool(await run(conn, _DELETE, {"id": session_id}))

    async def delete_expired(self, conn: AsyncConnection, now: int, batch: int) -> list[str]:
        """Remove up to ``batch`` expired sessions (and their tokens); returns their ids."""
        ids = [
            r.id
            for r in await conn.execute(
                select(sessions.c.id).where(sessions.c.expires_at <= now).limit(batch)
            )
        ]
        if ids:
            await conn.execute(delete(session_tokens).where(session_tokens.c.session_id.in_(ids)))
            await conn.execute(delete(sessions).where(sessions.c.id.in_(ids)))
        return ids

    async def audit(
        self,
        conn: AsyncConnection,
        *,
        at: int,
        action: str,
        session: Session | None = None,
        session_ids: Sequence[str] = (),
        origin: str = "",
        detail: str = "",
        ip: str = "",
    ) -> None:
        actor, origin = audit_stamp(origin)
        if session is not None:
            one = {
                "v_actor": actor,
                "v_at": at,
                "v_project_id": session.project_id,
                "v_user_id": session.user_id,
                "v_session_id": session.id,
                "v_action": action,
                "v_origin": origin,
                "v_detail": detail,
                "v_ip": ip[:45],
            }
            await run(conn, _AUDIT, one)
            return
        events = [
            {
                "at": at,
                "project_id": None,
                "user_id": _user_of(sid),
                "session_id": sid,
                "action": action,
                "origin": origin,
                "detail": detail,
                "ip": ip[:45],
                "actor": actor,
            }
            for sid in session_ids
        ]
        if events:
            await conn.execute(insert(audit_events), events)


def _user_of(session_id: str) -> int | None:
    head = session_id.split(".", 1)[0]
    return int(head) if head.isdigit() else None
