"""Idempotency records of the admin API: (owner, key) -> request fingerprint and,
once answered, the answer (its body sealed by the service)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gatehouse.adapters.store.tables import idempotency_keys

__all__ = ["IdempotencyRecord", "IdempotencyRepository"]

_t = idempotency_keys


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    fingerprint: str
    #: None while the first request is still being answered.
    status: int | None
    body: str | None
    expires_at: int


class IdempotencyRepository:
    async def get(self, conn: AsyncConnection, owner: str, key: str) -> IdempotencyRecord | None:
        stmt = select(_t).where(_t.c.owner == owner, _t.c.key == key)
        row = (await conn.execute(stmt)).first()
        if row is None:
            return None
        return IdempotencyRecord(row.fingerprint, row.status, row.body, row.expires_at)

    async def claim(
        self,
        conn: AsyncConnection,
        *,
        owner: str,
        key: str,
        fingerprint: str,
        now: int,
        expires_at: int,
    ) -> None:
        await conn.execute(
            insert(_t).values(
                owner=owner, key=key, fingerprint=fingerprint, created_at=now, expires_at=expires_at
            )
        )

    async def complete(
        self, conn: AsyncConnection, owner: str, key: str, status: int, body: str
    ) -> None:
        await conn.execute(
            update(_t).where(_t.c.owner == owner, _t.c.key == key).values(status=status, body=body)
        )

    async def remove(self, conn: AsyncConnection, owner: str, key: str) -> None:
        await conn.execute(delete(_t).where(_t.c.owner == owner, _t.c.key == key))

    async def delete_expired(self, conn: AsyncConnection, now: int, batch: int) -> int:
        stmt = delete(_t).where(
            _t.c.key.in_(select(_t.c.key).where(_t.c.expires_at <= now).limit(batch)),
            _t.c.expires_at <= now,
        )
        return int((await conn.execute(stmt)).rowcount or 0)
