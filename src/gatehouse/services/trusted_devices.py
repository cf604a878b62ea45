"""Devices that skip the second factor at HiveMP sign-in ("trust this device"), as
the operator sees them. Trusting one is part of the second-factor check
(``CredentialService.trust_device``)."""

from __future__ import annotations

from gatehouse.adapters.store.devices import DeviceRepository, TrustedDevice
from gatehouse.adapters.store.engine import Database
from gatehouse.core.clock import Clock
from gatehouse.core.errors import NotFound

__all__ = ["TrustedDevices"]


class TrustedDevices:
    def __init__(self, *, db: Database, devices: DeviceRepository, clock: Clock) -> None:
        self._db = db
        self._devices = devices
        self._clock = clock

    async def list_active(self, user_id: int) -> list[TrustedDevice]:
        async with self._db.read() as conn:
            return await self._devices.list_active(conn, user_id=user_id, now=self._clock.now_us())

    async def forget(self, user_id: int, device_hash: str) -> None:
        async with self._db.write() as conn:
            if not await self._devices.forget(conn, user_id=user_id, device_hash=device_hash):
                raise NotFound("No such trusted device")
