from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatehouse.core.clock import (
    FrozenClock,
    SystemClock,
    from_us,
    rfc3339,
    to_unix_seconds,
    to_us,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)

fixed_offsets = st.builds(
    timezone,
    st.timedeltas(
        min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)
    ),
)
zones = st.one_of(st.just(UTC), fixed_offsets, st.timezones())
aware = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(9998, 12, 30), timezones=zones
)
# from_us covers the years 1900-9998 (datetime's own range, less a day at each end).
micros = st.integers(
    min_value=to_us(datetime(1900, 1, 2, tzinfo=UTC)),
    max_value=to_us(datetime(9998, 12, 30, tzinfo=UTC)),
)


@pytest.mark.parametrize(
    ("when", "text"),
    [
        (datetime(2024, 10, 11, 9, 2, 56, tzinfo=UTC), "2024-10-11T09:02:56Z"),
        (datetime(2024, 10, 11, 9, 2, 56, 999_999, tzinfo=UTC), "2024-10-11T09:02:56Z"),
        (datetime(2024, 10, 11, 9, 2, 56, 1, tzinfo=UTC), "2024-10-11T09:02:56Z"),
        (datetime(1970, 1, 1, tzinfo=UTC), "1970-01-01T00:00:00Z"),
        (datetime(2024, 2, 29, 23, 59, 59, 500_000, tzinfo=UTC), "2024-02-29T23:59:59Z"),
        # Another offset renders in UTC.
        (
            datetime(2024, 10, 11, 11, 2, 56, tzinfo=timezone(timedelta(hours=2))),
            "2024-10-11T09:02:56Z",
        ),
    ],
)
def test_rfc3339(when: datetime, text: str) -> None:
    assert rfc3339(to_us(when)) == text


def test_rfc3339_truncates_before_the_epoch_too() -> None:
    assert rfc3339(-1) == "1969-12-31T23:59:59Z"


@given(micros)
def test_rfc3339_agrees_with_isoformat(us: int) -> None:
    expected = (EPOCH + timedelta(microseconds=us)).replace(microsecond=0)
    assert rfc3339(us) == expected.strftime("%Y-%m-%dT%H:%M:%S") + "Z"


@given(aware)
def test_to_us_counts_microseconds_since_the_epoch(when: datetime) -> None:
    assert to_us(when) == (when - EPOCH) // ONE_US


@given(aware)
def test_from_us_inverts_to_us(when: datetime) -> None:
    back = from_us(to_us(when))
    assert back.tzinfo is UTC
    assert back == when.astimezone(UTC)


@given(micros)
def test_to_us_inverts_from_us(us: int) -> None:
    assert to_us(from_us(us)) == us


def test_to_unix_seconds_floors() -> None:
    assert to_unix_seconds(1_999_999) == 1
    assert to_unix_seconds(-1) == -1


@pytest.mark.parametrize("naive", [datetime(2024, 1, 1), datetime.now()])
def test_naive_datetimes_are_refused(naive: datetime) -> None:
    with pytest.raises(ValueError, match="naive"):
        to_us(naive)
    with pytest.raises(ValueError, match="naive"):
        FrozenClock(naive)
    with pytest.raises(ValueError, match="naive"):
        FrozenClock().set(naive)


def test_frozen_clock_stands_still_until_advanced() -> None:
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    clock = FrozenClock(start)
    assert clock.now_us() == clock.now_us() == to_us(start)
    clock.advance(1.5)
    assert clock.now_us() == to_us(start) + 1_500_000
    clock.advance(0.000_001)
    assert clock.now_us() == to_us(start) + 1_500_001
    clock.advance(86_400)
    assert from_us(clock.now_us()) == start + timedelta(days=1, seconds=1.5, microseconds=1)


def test_frozen_clock_start_and_set() -> None:
    assert FrozenClock().now_us() == to_us(datetime(2026, 1, 1, tzinfo=UTC))
    assert FrozenClock(123).now_us() == 123
    clock = FrozenClock(0)
    later = datetime(2030, 6, 1, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    clock.set(later)
    assert clock.now_us() == to_us(later)


def test_system_clock_is_near_now() -> None:
    before = to_us(datetime.now(UTC))
    now = SystemClock().now_us()
    after = to_us(datetime.now(UTC))
    assert before - 1_000_000 <= now <= after + 1_000_000
