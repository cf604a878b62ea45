"""Throttling of every guessable secret: one table of limits, two counting rules
chosen in it by what verifying a guess costs and reveals.

**Reserve first, verify second** (passwords, TOTP and recovery codes, trusted
devices, Steam tickets, device-token creation). An attempt takes a slot on each
of its counters (per account, per caller address) *before* the secret is looked
at, atomically for all counters at once (a Lua script in Redis; a dict that no
other coroutine can touch mid-update in-process). An attempt over any limit is
refused (429) without being verified, so 40 guesses arriving together meet the
limit exactly as 40 guesses one after the other would. A failed attempt keeps
its slot; a successful one gives it back, and so does one that ends in
something that is no guess (storage trouble). A counter therefore holds the
failures of its window plus the attempts in flight.

**Look up first, count the failure atomically** (256-bit bearer secrets: client
secrets, API keys, session tokens, ``PRIVATE-TOKEN``). Their check is a keyed
lookup that tells a guesser nothing, and one back-end presents hundreds of them
at once from one address: counting attempts in flight would throttle it at the
failure limit. A caller at its limit is refused before the lookup (even with a
right secret); a failed lookup then takes its slot atomically, and a failure that
finds no slot left answers 429 instead of 401. However many arrive together, at
most the limit's worth of failures is answered in a window.

Per-address counters group IPv6 callers by their /64 (``GATEHOUSE_IPV6_PREFIX``,
core/addresses.py). Bearer secrets have no per-account counter: the account is
named by the secret, and a lockout keyed on anything public would let anyone
lock its owner out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Final

from gatehouse.core.addresses import caller_group
from gatehouse.core.errors import RateLimited
from gatehouse.services.ports import Counter, RateLimiter

__all__ = ["Attempt", "Limit", "Throttle", "Throttles"]


@dataclass(frozen=True, slots=True)
class Limit:
    attempts: int
    window: int  # seconds


class Attempt:
    """One attempt: ``async with throttle.attempt(...) as attempt`` raises
    ``RateLimited`` on entry when over a limit; ``await attempt.failed()`` when the
    secret was wrong (under the look-up-first rule it raises ``RateLimited`` when
    no slot is left). Leaving without ``failed()`` counts nothing."""

    __slots__ = ("_counters", "_failed", "_throttle")

    def __init__(self, throttle: Throttle, counters: Sequence[Counter]) -> None:
        self._throttle = throttle
        self._counters = counters
        self._failed = False

    async def failed(self) -> None:
        self._failed = True
        if not self._throttle._reserve_first:
            await self._throttle._reserve(self._counters)

    async def __aenter__(self) -> Attempt:
        if self._throttle._reserve_first:
            await self._throttle._reserve(self._counters)
        else:
            retry = await self._throttle._limiter.over(self._counters)
            if retry is not None:
                raise RateLimited(retry, self._throttle._message)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._throttle._reserve_first and not self._failed:
            await self._throttle._limiter.release(self._counters)


class Throttle:
    """Attempts at one kind of secret."""

    __slots__ = (
        "_limiter",
        "_message",
        "_name",
        "_per_account",
        "_per_address",
        "_prefix",
        "_reserve_first",
    )

    def __init__(
        self,
        limiter: RateLimiter,
        name: str,
        *,
        per_address: Limit | None,
        per_account: Limit | None = None,
        message: str | None = None,
        ipv6_prefix: int = 64,
        reserve_first: bool = True,
    ) -> None:
        self._limiter = limiter
        self._reserve_first = reserve_first
        self._name = name
        self._per_address = per_address
        self._per_account = per_account
        self._message = message
        self._prefix = ipv6_prefix

    def _counters(self, caller: str, account: str | None) -> list[Counter]:
        counters = []
        if (a := self._per_address) is not None:
            group = caller_group(caller, self._prefix)
            counters.append(Counter(f"{self._name}:addr:{group}", a.attempts, a.window))
        if account is not None and self._per_account is not None:
            b = self._per_account
            counters.append(Counter(f"{self._name}:acct:{account}", b.attempts, b.window))
        return counters

    async def _reserve(self, counters: Sequence[Counter]) -> None:
        retry = await self._limiter.reserve(counters)
        if retry is not None:
            raise RateLimited(retry, self._message)

    def attempt(self, *, caller: str, account: str | None = None) -> Attempt:
        return Attempt(self, self._counters(caller, account))

    async def spend(self, *, caller: str, account: str | None = None) -> None:
        """Count a request that costs its slot whatever its outcome (issuing
        tokens; an answer that tells something about an account)."""
        await self._reserve(self._counters(caller, account))


#: The throttling table of docs/security.md, in one place.
PASSWORD_PER_ACCOUNT: Final = Limit(5, 300)
PASSWORD_PER_ADDRESS: Final = Limit(30, 300)
SECOND_FACTOR_PER_ACCOUNT: Final = Limit(5, 300)
SECOND_FACTOR_PER_ADDRESS: Final = Limit(30, 300)
CLIENT_SECRET_PER_ADDRESS: Final = Limit(20, 60)
#: Higher than the client-secret limit: a back-end validating its players' tokens
#: from one address meets expired ones in the ordinary course of things.
BEARER_PER_ADDRESS: Final = Limit(60, 60)
DEVICE_TOKENS_PER_ADDRESS: Final = Limit(30, 60)
#: Tickets Steam rejected ("account" = the project).
STEAM_REJECTED_PER_ADDRESS: Final = Limit(20, 300)
STEAM_REJECTED_PER_PROJECT: Final = Limit(300, 300)
#: Mail the account pages send (password reset, address confirmation): per
#: caller address, and per account (the address asked for, known or not).
MAIL_PER_ADDRESS: Final = Limit(10, 3600)
MAIL_PER_ACCOUNT: Final = Limit(3, 3600)
#: Single-use links from mail (256-bit secrets, but each use does writes).
MAIL_LINK_PER_ADDRESS: Final = Limit(30, 300)
#: Every call to Steam's Web API, per project and minute, by default
#: (``GATEHOUSE_STEAM_CALLS_PER_MINUTE``): whatever arrives, the studio's Web API
#: quota is spent at most this fast.
STEAM_CALLS_PER_MINUTE: Final = 600


class Throttles:
    """Every throttle of the service, sharing one limiter."""

    def __init__(
        self,
        limiter: RateLimiter,
        *,
        ipv6_prefix: int = 64,
        steam_calls_per_minute: int = STEAM_CALLS_PER_MINUTE,
    ) -> None:
        auth_message = "Too many failed authentication attempts"

        def make(
            name: str,
            per_address: Limit | None,
            per_account: Limit | None = None,
            message: str | None = auth_message,
            reserve_first: bool = True,
        ) -> Throttle:
            return Throttle(
                limiter,
                name,
                per_address=per_address,
                per_account=per_account,
                message=message,
                ipv6_prefix=ipv6_prefix,
                reserve_first=reserve_first,
            )

        self.password = make("pw", PASSWORD_PER_ADDRESS, PASSWORD_PER_ACCOUNT, None)
        self.second_factor = make("2fa", SECOND_FACTOR_PER_ADDRESS, SECOND_FACTOR_PER_ACCOUNT, None)
        # 256-bit bearer secrets: looked up first (see the module's docstring).
        self.client_secret = make("client-auth", CLIENT_SECRET_PER_ADDRESS, reserve_first=False)
        self.session_token = make("bearer-auth", BEARER_PER_ADDRESS, reserve_first=False)
        self.api_key = make("api-key-auth", BEARER_PER_ADDRESS, reserve_first=False)
        self.admin_key = make("admin-key-auth", BEARER_PER_ADDRESS, reserve_first=False)
        self.private_token = make("private-token-auth", BEARER_PER_ADDRESS, reserve_first=False)
        self.device_tokens = make(
            "v3-token", DEVICE_TOKENS_PER_ADDRESS, message="Too many tokens requested"
        )
        self.steam_rejected = make(
            "steam-rejected",
            STEAM_REJECTED_PER_ADDRESS,
            STEAM_REJECTED_PER_PROJECT,
            "Too many rejected Steam tickets",
        )
        self.mail = make(
            "mail", MAIL_PER_ADDRESS, MAIL_PER_ACCOUNT, "Too many messages asked for; try later"
        )
        self.mail_link = make("mail-link", MAIL_LINK_PER_ADDRESS)
        self.steam_calls = make(
            "steam-calls",
            None,
            Limit(steam_calls_per_minute, 60),
            "Too many Steam sign-ins for this project right now",
        )
