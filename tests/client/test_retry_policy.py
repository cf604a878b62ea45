"""The retry rules themselves (pure, no server): what is retried, how long the
waits are, and that ``Retry-After`` and the time budget are honoured."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from gatehouse_client import (
    BadRequest,
    GatehouseError,
    HiveMPErrorBody,
    RateLimited,
    RetryPolicy,
    ServerError,
    ServiceUnavailable,
    Unauthorized,
)
from gatehouse_client.retry import parse_retry_after


def hivemp(status: int, code: int, cls: type[GatehouseError]) -> GatehouseError:
    body = HiveMPErrorBody(code=code, message="m", fields=None, data=None)
    return cls("m", status=status, code=code, surface="user-session-v1", body=body)


@pytest.mark.parametrize(
    "error",
    [
        RateLimited("m", status=429),
        ServiceUnavailable("m", status=503),
        hivemp(502, 6001, ServiceUnavailable),
        hivemp(429, 6002, RateLimited),
    ],
)
def test_what_is_retried(error: GatehouseError) -> None:
    assert RetryPolicy().delay(1, error, elapsed=0) is not None


@pytest.mark.parametrize(
    "error",
    [
        Unauthorized("m", status=401),
        BadRequest("m", status=400),
        ServerError("m", status=500),
        ServiceUnavailable("bad gateway", status=502),  # not 6001: not said to be transient
        hivemp(401, 1002, Unauthorized),
    ],
)
def test_what_is_never_retried(error: GatehouseError) -> None:
    assert RetryPolicy().delay(1, error, elapsed=0) is None


def test_backoff_grows_with_jitter_below_the_cap() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0, jitter=0.5)
    rng = random.Random(7)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (9, 3.0)]:
        waits = [policy.backoff(attempt, rng) for _ in range(200)]
        assert all(ceiling / 2 <= w <= ceiling for w in waits)
        assert max(waits) - min(waits) > ceiling / 4  # jittered, not fixed


def test_retry_after_is_a_floor_and_the_budget_a_ceiling() -> None:
    policy = RetryPolicy(max_attempts=5, max_elapsed=10)
    assert policy.delay(1, RateLimited("m", status=429, retry_after=4), elapsed=0) == 4
    # 4 more seconds after 7 spent would end past the 10-second budget: give up now.
    assert policy.delay(2, RateLimited("m", status=429, retry_after=4), elapsed=7) is None
    assert policy.delay(5, RateLimited("m", status=429, retry_after=0), elapsed=0) is None


def test_retry_after_is_read_as_seconds_or_a_date() -> None:
    assert parse_retry_after("7") == 7
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("-3") is None and parse_retry_after("soon") is None
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC).timestamp()
    date = format_datetime(datetime(2026, 1, 1, 12, 0, 30, tzinfo=UTC), usegmt=True)
    assert parse_retry_after(date, now=now) == 30
