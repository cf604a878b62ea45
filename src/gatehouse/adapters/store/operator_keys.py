"""Operator keys: the admin API's instance-wide keys (only their HMAC is stored)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gatehouse.adapters.store.tables import operator_keys

__all__ = ["OperatorKey", "OperatorKeyRepository"]


@dataclass(frozen=True, slots=True)
class OperatorKey:
    id: int
    name: str
    created_at: int
    revoked_at: int | None = None


def _key(row: object) -> OperatorKey:
    return OperatorKey(row.id, row.name, row.created_at, row.revoked_at)  # type: ignore[attr-defined]


class OperatorKeyRepository:
    async def create(self, conn: AsyncConnection, *, name: str, key_hash: str, now: int) -> int:
        result = await conn.execute(
            insert(operator_keys)
            .values(name=name, key_hash=key_hash, created_at=now)
            .returning(operator_keys.c.id)
        )
        return int(result.scalar_one())

    async def get(self, conn: AsyncConnection, key_id: int) -> OperatorKey | None:
        stmt = select(operator_keys).where(operator_keys.c.id == key_id)
        row = (await conn.execute(stmt)).first()
        return _key(row) if row is not None else None

    async def by_hash(self, conn: AsyncConnection, key_hash: str) -> OperatorKey | None:
        stmt = select(operator_keys).where(operator_keys.c.key_hash == key_hash)
        row = (await conn.execute(stmt)).first()
        return _key(row) if row is not None else None

    async def all(self, conn: AsyncConnection) -> list[OperatorKey]:
        stmt = select(operator_keys).order_by(operator_keys.c.id)
        return [_key(r) for r in await conn.execute(stmt)]

    async def revoke(self, conn: AsyncConnection, key_id: int, now: int) -> bool:
        result = await conn.execute(
            update(operator_keys)
            .where(operator_keys.c.id == key_id, operator_keys.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return bool(result.rowcount)
