"""Single-use links sent by mail (password reset, email confirmation).

Only the link's keyed hash is stored (computed by the caller). Taking a link
deletes it, so of two parallel uses exactly one wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gatehouse.adapters.store.tables import email_links

__all__ = ["EmailLink", "EmailLinkRepository"]


@dataclass(frozen=True, slots=True)
class EmailLink:
    purpose: str
    project_id: int
    user_id: int
    email: str
    expires_at: int


class EmailLinkRepository:
    async def issue(
        self,
        conn: AsyncConnection,
        *,
        token_hash: str,
        purpose: str,
        project_id: int,
        user_id: int,
        email: str,
        now: int,
        expires_at: int,
    ) -> None:
        """Store a new link; the user's earlier links for ``purpose`` stop working."""
        await self.delete_for_user(conn, user_id, purpose)
        await conn.execute(
            insert(email_links).values(
                token_hash=token_hash,
                purpose=purpose,
                project_id=project_id,
                user_id=user_id,
                email=email,
                created_at=now,
                expires_at=expires_at,
            )
        )

    async def peek(
        self, conn: AsyncConnection, token_hash: str, purpose: str, now: int
    ) -> EmailLink | None:
        row = (
            await conn.execute(
                select(email_links).where(
                    email_links.c.token_hash == token_hash,
                    email_links.c.purpose == purpose,
                    email_links.c.expires_at > now,
                )
            )
        ).first()
        return _link(row) if row is not None else None

    async def take(
        self, conn: AsyncConnection, token_hash: str, purpose: str, now: int
    ) -> EmailLink | None:
        """The live link, deleted; None when unknown, expired or already taken."""
        link = await self.peek(conn, token_hash, purpose, now)
        if link is None:
            return None
        gone = await conn.execute(
            delete(email_links).where(
                and_(email_links.c.token_hash == token_hash, email_links.c.purpose == purpose)
            )
        )
        return link if gone.rowcount == 1 else None

    async def delete_for_user(
        self, conn: AsyncConnection, user_id: int, purpose: str | None = None
    ) -> None:
        where = email_links.c.user_id == user_id
        if purpose is not None:
            where = and_(where, email_links.c.purpose == purpose)
        await conn.execute(delete(email_links).where(where))

    async def delete_expired(self, conn: AsyncConnection, now: int) -> int:
        result = await conn.execute(delete(email_links).where(email_links.c.expires_at <= now))
        return int(result.rowcount or 0)


def _link(row: Any) -> EmailLink:
    return EmailLink(row.purpose, row.project_id, row.user_id, row.email, row.expires_at)
