"""The renewal rule: holders renew only renewable sessions, nobody past max TTL."""

from __future__ import annotations

import pytest

from gatehouse.core.errors import Forbidden
from gatehouse.core.models import Session
from gatehouse.core.renewal import renewed_expiry

S = 1_000_000
T0 = 1_772_366_400 * S
HOUR = 3600


def _session(*, renewable: bool, created_at: int = T0) -> Session:
    return Session(
        "1.00000000.00000000",
        1,
        1,
        created_at,
        created_at,
        created_at + 120 * S,
        renewable=renewable,
    )


@pytest.mark.parametrize("by_holder", [True, False])
def test_a_renewable_session_moves_to_now_plus_the_period(by_holder: bool) -> None:
    got = renewed_expiry(
        _session(renewable=True),
        now_us=T0 + 60 * S,
        seconds=HOUR,
        max_ttl_seconds=365 * 86_400,
        by_holder=by_holder,
    )
    assert got == T0 + 60 * S + HOUR * S


def test_the_holder_cannot_renew_a_session_a_back_end_owns() -> None:
    with pytest.raises(Forbidden):
        renewed_expiry(
            _session(renewable=False),
            now_us=T0,
            seconds=HOUR,
            max_ttl_seconds=365 * 86_400,
            by_holder=True,
        )


def test_a_back_end_may_renew_any_session_of_its_project() -> None:
    got = renewed_expiry(
        _session(renewable=False),
        now_us=T0,
        seconds=HOUR,
        max_ttl_seconds=365 * 86_400,
        by_holder=False,
    )
    assert got == T0 + HOUR * S


def test_no_renewal_goes_past_the_projects_maximum_lifetime() -> None:
    session = _session(renewable=True)
    got = renewed_expiry(
        session, now_us=T0 + 1000 * S, seconds=HOUR, max_ttl_seconds=1800, by_holder=True
    )
    assert got == T0 + 1800 * S
    with pytest.raises(Forbidden):
        renewed_expiry(
            session, now_us=T0 + 1800 * S, seconds=HOUR, max_ttl_seconds=1800, by_holder=False
        )
