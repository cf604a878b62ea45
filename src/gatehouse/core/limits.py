"""The per-user session limit, as a pure decision."""

from __future__ import annotations

from gatehouse.core.errors import SessionLimitReached
from gatehouse.core.models import LimitPolicy

__all__ = ["sessions_to_evict"]


def sessions_to_evict(active: int, limit: int, policy: LimitPolicy) -> int:
    """How many of the oldest active sessions must end before one more may start.

    Raises ``SessionLimitReached`` under the ``reject`` policy when the user is at
    (or, after a limit was lowered, over) the limit.
    """
    if limit <= 0 or active < limit:
        return 0
    if policy is LimitPolicy.REJECT:
        raise SessionLimitReached(
            f"Session limit of {limit} reached; delete sessions that are no longer used."
        )
    return active - limit + 1
