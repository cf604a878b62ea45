"""Trusted devices: a user's devices that skip the second factor until they expire.

Only a keyed hash of the device identifier is stored (computed by the caller);
every query is scoped by the user.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gatehouse.adapters.store.tables import trusted_devices

__all__ = ["DeviceRepository", "TrustedDevice"]


@dataclass(frozen=True, slots=True)
class TrustedDevice:
    device_hash: str
    user_id: int
    name: str
    created_at: int
    expires_at: int


class DeviceRepository:
    async def trust(
        self,
        conn: AsyncConnection,
        *,
        user_id: int,
        device_hash: str,
        name: str,
        now: int,
        expires_at: int,
    ) -> None:
        """Trust (or trust again, with a new expiry) one device of a user."""
        await conn.execute(
            delete(trusted_devices).where(
                trusted_devices.c.device_hash == device_hash,
                trusted_devices.c.user_id == user_id,
            )
        )
        await conn.execute(
            insert(trusted_devices).values(
                device_hash=device_hash,
                user_id=user_id,
                name=name,
                created_at=now,
                expires_at=expires_at,
            )
        )

    async def is_trusted(
        self, conn: AsyncConnection, *, user_id: int, device_hash: str, now: int
    ) -> bool:
        stmt = select(trusted_devices.c.device_hash).where(
            trusted_devices.c.device_hash == device_hash,
            trusted_devices.c.user_id == user_id,
            trusted_devices.c.expires_at > now,
        )
        return (await conn.execute(stmt)).first() is not None

    async def list_active(
        self, conn: AsyncConnection, *, user_id: int, now: int
    ) -> list[TrustedDevice]:
        stmt = (
            select(trusted_devices)
            .where(trusted_devices.c.user_id == user_id, trusted_devices.c.expires_at > now)
            .order_by(trusted_devices.c.created_at)
        )
        return [
            TrustedDevice(r.device_hash, r.user_id, r.name, r.created_at, r.expires_at)
            for r in await conn.execute(stmt)
        ]

    async def forget(self, conn: AsyncConnection, *, user_id: int, device_hash: str) -> bool:
        result = await conn.execute(
            delete(trusted_devices).where(
                trusted_devices.c.device_hash == device_hash,
                trusted_devices.c.user_id == user_id,
            )
        )
        return bool(result.rowcount)

    async def forget_all(self, conn: AsyncConnection, *, user_id: int) -> int:
        result = await conn.execute(
            delete(trusted_devices).where(trusted_devices.c.user_id == user_id)
        )
        return int(result.rowcount or 0)
