"""argon2id password hashing, off the event loop in a bounded thread pool.

argon2 releases the GIL while hashing, so a small pool runs hashes in parallel
with request handling; the bound keeps a burst of sign-ins from starving the
machine (excess callers wait their turn).
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = ["PasswordHasher", "Verification"]

# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
OWASP_MEMORY_KIB = 19_456
OWASP_TIME_COST = 2
OWASP_PARALLELISM = 1


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity, e.g. under ``taskset`` or a
    container's cpuset), not the machine's count: two argon2 hashes sharing one
    core each evict the other's 19 MiB from the cache (measured: 33 verifies/s
    with one thread on one core, 30.5 with two)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class Verification:
    __slots__ = ("new_hash", "ok")

    def __init__(self, ok: bool, new_hash: str | None = None) -> None:
        self.ok = ok
        #: Set when the stored hash used old parameters: store this one instead.
        self.new_hash = new_hash


class PasswordHasher:
    def __init__(
        self,
        *,
        memory_cost: int = OWASP_MEMORY_KIB,
        time_cost: int = OWASP_TIME_COST,
        parallelism: int = OWASP_PARALLELISM,
        max_workers: int | None = None,
    ) -> None:
        self._argon2 = _Argon2(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            type=Type.ID,
        )
        self._pool = ThreadPoolExecutor(
            max_workers=max_workers or usable_cpus(),
            thread_name_prefix="argon2",
        )
        # Verified against when the user does not exist, so an unknown account costs
        # exactly what a wrong password costs.
        self._dummy = self._argon2.hash("gatehouse-dummy-password")

    def hash_sync(self, secret: str) -> str:
        return self._argon2.hash(secret)

    def verify_sync(self, stored: str | None, secret: str) -> Verification:
        try:
            self._argon2.verify(stored or self._dummy, secret)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return Verification(False)
        if stored is None:
            return Verification(False)
        if self._argon2.check_needs_rehash(stored):
            return Verification(True, self._argon2.hash(secret))
        return Verification(True)

    async def hash(self, secret: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self.hash_sync, secret)

    async def verify(self, stored: str | None, secret: str) -> Verification:
        """``stored=None`` (unknown user) still pays for one full verification."""
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, self.verify_sync, stored, secret
        )

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
