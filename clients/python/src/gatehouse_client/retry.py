"""When to try a call again, and after how long (pure: no I/O, no clock of its own).

Retried: HTTP 429 and 503 on every surface, and the HiveMP codes 6001 (transient)
and 6002 (throttled), which the original HiveMP clients retried too. Nothing else
is ever retried: not a 401, not a 500, not a connection failure (a request that
may have reached the server is not sent twice behind the caller's back).

The wait is exponential backoff with jitter, and never less than what the server
asked for in ``Retry-After``. A retry that would end past the time budget is not
attempted: the error is raised at once, with its ``retry_after``, so the caller
can decide.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from gatehouse_client.errors import GatehouseError, HiveMPErrorBody

__all__ = ["NO_RETRY", "RetryPolicy", "is_retryable", "parse_retry_after"]

RETRY_STATUSES = frozenset({429, 503})
RETRY_HIVEMP_CODES = frozenset({6001, 6002})


def is_retryable(error: GatehouseError) -> bool:
    if error.status in RETRY_STATUSES:
        return True
    body = error.body
    return isinstance(body, HiveMPErrorBody) and body.code in RETRY_HIVEMP_CODES


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds: delta-seconds (the form Gatehouse sends), or an
    HTTP date (``now``: UNIX seconds). ``None`` when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    if now is None:
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``max_attempts`` counts the first try; ``max_elapsed`` bounds the whole call,
    waits included (seconds). Backoff: ``base_delay * 2**(n-1)`` capped at
    ``max_delay``, of which a random fraction (``jitter``, 0-1) is taken off."""

    max_attempts: int = 4
    max_elapsed: float = 30.0
    base_delay: float = 0.25
    max_delay: float = 8.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.max_elapsed < 0 or self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("times must not be negative")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be between 0 and 1")

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """The backoff after failed attempt number ``attempt`` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        draw = rng.random() if rng is not None else random.random()
        return ceiling * (1 - self.jitter * draw)

    def delay(
        self,
        attempt: int,
        error: GatehouseError,
        elapsed: float,
        rng: random.Random | None = None,
    ) -> float | None:
        """Seconds to wait before the next attempt, or ``None``: raise ``error``."""
        if attempt >= self.max_attempts or not is_retryable(error):
            return None
        wait = self.backoff(attempt, rng)
        if error.retry_after is not None:
            wait = max(wait, error.retry_after)
        if elapsed + wait > self.max_elapsed:
            return None
        return wait


#: Try once, whatever happens.
NO_RETRY = RetryPolicy(max_attempts=1)
