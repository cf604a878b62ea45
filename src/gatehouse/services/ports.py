"""What services need from the outside world, as Protocols."""

from __future__ import annotations

from typing import Protocol

__all__ = ["RateLimiter"]


class RateLimiter(Protocol):
    async def hit(self, key: str, *, limit: int, window: int) -> int | None:
        """Count one attempt; None while allowed, else seconds until allowed again."""
        ...

    async def peek(self, key: str, *, limit: int, window: int) -> int | None:
        """Without counting: None while allowed, else seconds until allowed again."""
        ...

    async def reset(self, key: str) -> None: ...
