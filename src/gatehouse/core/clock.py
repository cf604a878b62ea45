"""Time, injected. Services ask a ``Clock`` so expiry is testable without sleeping.

Stored times are integer microseconds since the UNIX epoch (UTC): exact, cheap to
compare and identical on SQLite and PostgreSQL.
"""

from __future__ import annotations

import functools
import time
from datetime import UTC, datetime
from typing import Protocol

__all__ = [
    "Clock",
    "FrozenClock",
    "SystemClock",
    "from_us",
    "rfc3339",
    "to_unix_seconds",
    "to_us",
]

_US = 1_000_000


class Clock(Protocol):
    def now_us(self) -> int:
        """Microseconds since the epoch, UTC."""
        ...


class SystemClock:
    __slots__ = ()

    def now_us(self) -> int:
        return time.time_ns() // 1000


class FrozenClock:
    """A clock that only moves when told to (tests, simulations)."""

    __slots__ = ("_now",)

    def __init__(self, start: datetime | int | None = None) -> None:
        if start is None:
            start = datetime(2026, 1, 1, tzinfo=UTC)
        self._now = start if isinstance(start, int) else to_us(start)

    def now_us(self) -> int:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += int(seconds * _US)

    def set(self, when: datetime) -> None:
        self._now = to_us(when)


def to_us(when: datetime) -> int:
    if when.tzinfo is None:
        raise ValueError("naive datetime; Gatehouse works in UTC")
    delta = when - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * _US + delta.microseconds


def from_us(us: int) -> datetime:
    return datetime.fromtimestamp(us // _US, tz=UTC).replace(microsecond=us % _US)


def to_unix_seconds(us: int) -> int:
    return us // _US


@functools.lru_cache(maxsize=4096)
def _rfc3339_seconds(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def rfc3339(us: int) -> str:
    """Second precision, ``Z`` suffix: ``2024-10-11T09:02:56Z``."""
    return _rfc3339_seconds(us // _US)
