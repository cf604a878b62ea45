"""Who may move a session's expiry by renewing it, and to when (pure).

A lifetime chosen by a back-end holds against the token's holder:

* the holder of a session's own token (its ``apiKey``) renews only a session
  issued as renewable (HiveMP sign-ins). Session Storage sessions are not, and
  a session whose TTL a back-end sets stops being renewable; for those the
  holder is refused and the expiry stays;
* a back-end (a server or admin key of the project) may renew any session of
  its project;
* no renewal sets the expiry beyond ``created_at + max_ttl_seconds`` of the
  project: the maximum is a session's absolute lifetime, so a renewable session
  cannot be kept alive forever either. A session already at that limit is not
  renewed (refused, expiry unchanged).
"""

from __future__ import annotations

from gatehouse.core.errors import Forbidden
from gatehouse.core.models import Session

__all__ = ["not_renewable", "renewed_expiry"]

_US = 1_000_000


def not_renewable() -> Forbidden:
    """The refusal a holder gets for a session it may not renew."""
    return Forbidden(
        "This session's lifetime was set by its back-end; its apiKey cannot renew it",
        field="X-API-Key",
    )


def renewed_expiry(
    session: Session, *, now_us: int, seconds: int, max_ttl_seconds: int, by_holder: bool
) -> int:
    """The expiry a renewal sets (``now + seconds``, capped), or ``Forbidden``."""
    if by_holder and not session.renewable:
        raise not_renewable()
    expires_at = min(now_us + seconds * _US, session.created_at + max_ttl_seconds * _US)
    if expires_at <= now_us:
        raise Forbidden("The session has reached the project's maximum lifetime")
    return expires_at
