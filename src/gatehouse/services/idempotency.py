"""``Idempotency-Key`` on the admin API's creations: a retried request gets the
first answer again instead of creating a second thing.

A key belongs to the caller that sent it (its actor) for 24 hours. The first
request claims it with the request's fingerprint (method, path, canonical body);
once it succeeds, its status and body are stored, the body sealed
(core/secretbox.py) because it may carry a secret shown once (a client secret,
an API key), so a replay shows the same secret and a database dump shows none.
A failed request gives the key back (the client may retry with it). The same key
with another request is ``KeyReused``; while the first is still being answered,
``KeyInFlight``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Final

from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.errors import DuplicateKey
from gatehouse.adapters.store.idempotency import IdempotencyRepository
from gatehouse.core.clock import Clock
from gatehouse.core.secretbox import SecretBox

__all__ = ["KEEP_SECONDS", "Idempotency", "KeyInFlight", "KeyReused", "Replay", "fingerprint"]

KEEP_SECONDS: Final = 24 * 3600
_US: Final = 1_000_000


class KeyReused(Exception):
    """The key came with a different request."""


class KeyInFlight(Exception):
    """The first request with this key is still being answered."""


@dataclass(frozen=True, slots=True)
class Replay:
    status: int
    body: bytes


def fingerprint(method: str, path: str, body: bytes) -> str:
    """The request as compared: a JSON body by its meaning (key order and spacing
    do not matter), any other body by its bytes."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    digest = hashlib.sha256(f"{method} {path}\n".encode() + canonical)
    return digest.hexdigest()


class Idempotency:
    def __init__(
        self, *, db: Database, repo: IdempotencyRepository, box: SecretBox, clock: Clock
    ) -> None:
        self._db = db
        self._repo = repo
        self._box = box
        self._clock = clock

    async def begin(self, owner: str, key: str, print_: str) -> Replay | None:
        """Claim ``key`` for this request (None: go ahead), or the stored answer."""
        now = self._clock.now_us()
        try:
            async with self._db.write() as conn:
                found = await self._repo.get(conn, owner, key)
                if found is not None and found.expires_at <= now:
                    await self._repo.remove(conn, owner, key)
                    found = None
                if found is None:
                    await self._repo.claim(
                        conn,
                        owner=owner,
                        key=key,
                        fingerprint=print_,
                        now=now,
                        expires_at=now + KEEP_SECONDS * _US,
                    )
                    return None
        except DuplicateKey:  # a concurrent first request claimed it meanwhile
            raise KeyInFlight() from None
        if found.fingerprint != print_:
            raise KeyReused()
        if found.status is None or found.body is None:
            raise KeyInFlight()
        body = self._box.open(found.body, context=self._context(owner, key))
        return Replay(found.status, body.encode())

    async def finish(self, owner: str, key: str, status: int, body: bytes) -> None:
        sealed = self._box.seal(body.decode(), context=self._context(owner, key))
        async with self._db.write() as conn:
            await self._repo.complete(conn, owner, key, status, sealed)

    async def release(self, owner: str, key: str) -> None:
        async with self._db.write() as conn:
            await self._repo.remove(conn, owner, key)

    async def sweep(self, *, batch: int = 1000, max_batches: int = 100) -> int:
        removed = 0
        for _ in range(max_batches):
            async with self._db.write() as conn:
                count = await self._repo.delete_expired(conn, self._clock.now_us(), batch)
            removed += count
            if count < batch:
                break
        return removed

    @staticmethod
    def _context(owner: str, key: str) -> str:
        return f"idempotency:{owner}:{key}"
