"""What services need from the outside world, as Protocols."""

from __future__ import annotations

from typing import Protocol

from gatehouse.core.models import Session, TokenRole

__all__ = ["RateLimiter", "TokenCache"]


class RateLimiter(Protocol):
    async def hit(self, key: str, *, limit: int, window: int) -> int | None:
        """Count one attempt; None while allowed, else seconds until allowed again."""
        ...

    async def peek(self, key: str, *, limit: int, window: int) -> int | None:
        """Without counting: None while allowed, else seconds until allowed again."""
        ...

    async def reset(self, key: str) -> None: ...


class TokenCache(Protocol):
    """token hash → (session, role), shared by every process (Redis)."""

    async def lookup(self, token_hash: str) -> tuple[Session, TokenRole] | bool | None:
        """The cached answer; ``False`` when the token is known to be revoked;
        None when the cache cannot say."""
        ...

    async def remember(self, token_hash: str, session: Session, role: TokenRole) -> None: ...

    async def renewed(self, tokens: list[tuple[str, TokenRole]], session: Session) -> None:
        """The session's expiry moved: its tokens (hash, role) now answer ``session``."""
        ...

    async def revoked(self, token_hashes: list[str]) -> None: ...
