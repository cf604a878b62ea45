from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatehouse.core.errors import SessionLimitReached
from gatehouse.core.limits import sessions_to_evict
from gatehouse.core.models import LimitPolicy

counts = st.integers(min_value=0, max_value=10_000)
limits = st.integers(min_value=0, max_value=10_000)


@given(counts, limits)
def test_reject_raises_exactly_at_or_over_a_positive_limit(active: int, limit: int) -> None:
    if limit > 0 and active >= limit:
        with pytest.raises(SessionLimitReached, match=str(limit)):
            sessions_to_evict(active, limit, LimitPolicy.REJECT)
    else:
        assert sessions_to_evict(active, limit, LimitPolicy.REJECT) == 0


@given(counts, limits)
def test_evict_oldest_makes_room_for_exactly_one_more(active: int, limit: int) -> None:
    evict = sessions_to_evict(active, limit, LimitPolicy.EVICT_OLDEST)
    if limit > 0 and active >= limit:
        assert evict == active - limit + 1
        assert active - evict + 1 == limit  # after evicting and starting one: at the limit
    else:
        assert evict == 0


@given(counts, st.sampled_from(LimitPolicy))
def test_limit_zero_is_unlimited(active: int, policy: LimitPolicy) -> None:
    assert sessions_to_evict(active, 0, policy) == 0


@pytest.mark.parametrize(
    ("active", "limit", "expected"),
    [(0, 1, 0), (1, 1, 1), (9, 10, 0), (10, 10, 1), (15, 10, 6), (3, 0, 0)],
)
def test_evict_oldest_examples(active: int, limit: int, expected: int) -> None:
    assert sessions_to_evict(active, limit, LimitPolicy.EVICT_OLDEST) == expected


def test_reject_error_is_a_conflict_with_a_stable_code() -> None:
    with pytest.raises(SessionLimitReached) as caught:
        sessions_to_evict(10, 10, LimitPolicy.REJECT)
    assert caught.value.code.value == "session-limit-reached"
