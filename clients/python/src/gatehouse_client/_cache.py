"""A small in-process cache of token verdicts, bounded in time and in size.

An entry is trusted until the earlier of ``max_staleness`` seconds after it was
learnt and the moment its session expires, so a token revoked on the server is
refused here within ``max_staleness`` at most, and an expired one at once. Keys
are SHA-256 digests of the tokens: the cache never holds a token itself. Safe
to share between threads (and coroutines: no call waits while holding the lock).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["VerdictCache"]

V = TypeVar("V")


class VerdictCache(Generic[V]):
    def __init__(
        self,
        *,
        max_staleness: float,
        max_entries: int,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if max_staleness < 0:
            raise ValueError("max_staleness must not be negative")
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_staleness = max_staleness
        self.max_entries = max_entries
        self._monotonic = monotonic
        self._wall = wall
        self._entries: OrderedDict[bytes, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(token: str) -> bytes:
        return hashlib.sha256(token.encode()).digest()

    def get(self, token: str) -> V | None:
        key = self.key(token)
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            deadline, value = found
            if self._monotonic() >= deadline:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, token: str, value: V, *, expires_at: float | None = None) -> None:
        """Remember ``value`` for ``max_staleness`` seconds, and never past
        ``expires_at`` (UNIX seconds)."""
        ttl = self.max_staleness
        if expires_at is not None:
            ttl = min(ttl, expires_at - self._wall())
        if ttl <= 0:
            return
        key = self.key(token)
        with self._lock:
            self._entries[key] = (self._monotonic() + ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def forget(self, token: str) -> None:
        with self._lock:
            self._entries.pop(self.key(token), None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
