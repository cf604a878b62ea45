"""Throttling of presented bearer secrets (session tokens, API keys, account tokens),
counted per caller address.

The secrets are 256-bit random, so the throttle is not what keeps them from
being guessed: it stops sprays from one address early, bounds the database work
junk credentials cost, and makes a list of stolen-but-maybe-revoked secrets slow
to try. Like the client-credential check (services/projects.py):

* ``check`` comes before the secret is looked at: once an address is over its
  limit, even a right secret from it is refused (429) until the window closes,
  so a guesser learns nothing more;
* ``failed`` counts one failed presentation;
* ``throttled`` answers without counting, for the fast lane, which defers every
  failure to the framework path where it is counted exactly once.

There is no per-account counter for these secrets: the account is named by the
secret itself, and a lockout keyed on anything public (a ClientID, a session id)
would let anyone lock a legitimate caller out.
"""

from __future__ import annotations

from typing import Final

from gatehouse.core.errors import RateLimited
from gatehouse.services.ports import RateLimiter

__all__ = ["TOKEN_FAILURES_PER_MINUTE", "AddressThrottle"]

#: Failed bearer-secret presentations allowed per caller address per minute. Higher
#: than the client-credential limit (20): a back-end validating its players' tokens
#: from one address meets expired ones in the ordinary course of things.
TOKEN_FAILURES_PER_MINUTE: Final = 60


class AddressThrottle:
    """Failed presentations of one kind of secret, per caller address."""

    __slots__ = ("_limit", "_limiter", "_message", "_name", "_window")

    def __init__(
        self,
        limiter: RateLimiter,
        name: str,
        *,
        limit: int = TOKEN_FAILURES_PER_MINUTE,
        window: int = 60,
        message: str = "Too many failed authentication attempts",
    ) -> None:
        self._limiter = limiter
        self._name = name
        self._limit = limit
        self._window = window
        self._message = message

    def _key(self, caller: str) -> str:
        return f"{self._name}:{caller}"

    async def throttled(self, caller: str) -> int | None:
        """Seconds until ``caller`` may try again, or None; counts nothing."""
        return await self._limiter.peek(self._key(caller), limit=self._limit, window=self._window)

    async def check(self, caller: str) -> None:
        """Raise ``RateLimited`` while ``caller`` is over the limit."""
        retry = await self.throttled(caller)
        if retry is not None:
            raise RateLimited(retry, self._message)

    async def failed(self, caller: str) -> None:
        await self._limiter.hit(self._key(caller), limit=self._limit, window=self._window)
