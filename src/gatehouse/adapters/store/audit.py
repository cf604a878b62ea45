"""The audit trail of a user's account: sign-ins that failed, credential
changes (session events are written by the session repository, in the same
transaction as the change they record), and reading it back.

Who made a change is the ``actor`` of the request or command that made it
(``operator-key:3``, ``api-key:12``, ``cli``): set once with ``acting_as`` where
the caller is known (the admin API, the CLI), read by every audit write below it,
so the services need no parameter for it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterator
from contextvars import ContextVar

from sqlalchemy import and_, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gatehouse.adapters.store.tables import audit_events
from gatehouse.core.models import AuditEvent

__all__ = ["AuditRepository", "acting_as", "audit_stamp"]

_ACTING: ContextVar[tuple[str, str] | None] = ContextVar("gatehouse_audit_actor", default=None)


@contextlib.contextmanager
def acting_as(actor: str, origin: str = "") -> Iterator[None]:
    """Audit rows written inside the block name ``actor`` (and ``origin`` where
    the writer gave none)."""
    token = _ACTING.set((actor[:64], origin))
    try:
        yield
    finally:
        _ACTING.reset(token)


def audit_stamp(origin: str) -> tuple[str, str]:
    """(actor, origin) of an audit row written now with ``origin``."""
    acting = _ACTING.get()
    if acting is None:
        return "", origin
    return acting[0], origin or acting[1]


class AuditRepository:
    async def record(
        self,
        conn: AsyncConnection,
        *,
        at: int,
        action: str,
        project_id: int | None,
        user_id: int | None,
        origin: str = "",
        ip: str = "",
        detail: str = "",
        session_id: str | None = None,
    ) -> None:
        actor, origin = audit_stamp(origin)
        await conn.execute(
            insert(audit_events).values(
                actor=actor,
                at=at,
                action=action,
                project_id=project_id,
                user_id=user_id,
                session_id=session_id,
                origin=origin[:16],
                ip=ip[:45],
                detail=detail[:500],
            )
        )

    async def recent(
        self,
        conn: AsyncConnection,
        user_id: int,
        *,
        actions: Collection[str] | None = None,
        limit: int = 50,
    ) -> list[AuditEvent]:
        """The user's latest events (of ``actions``), newest first."""
        where = audit_events.c.user_id == user_id
        if actions is not None:
            where = and_(where, audit_events.c.action.in_(sorted(actions)))
        stmt = (
            select(audit_events)
            .where(where)
            .order_by(audit_events.c.at.desc(), audit_events.c.id.desc())
            .limit(limit)
        )
        return [
            AuditEvent(
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
            for r in await conn.execute(stmt)
        ]
