"""Timing does not tell an unknown account from a wrong password: over 200 tries of
each, interleaved, the median answer times differ by less than 10 % — on the v3
login and on the HiveMP email sign-in.

Both paths do the same work: one account lookup, one argon2id verification (an
unknown account is verified against a dummy hash made with the same parameters)
and the same failure counting. The suite's hasher is cheap (1 MiB) but still the
largest single cost of a try, so a path that skipped the verification would be
tens of per cent faster. Each try comes from its own address and no account sees
more than 4 failures, so throttling never answers instead of the check.
SQLite only: the point is the code path, not the storage engine.
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest

from gatehouse.core.passwords import prehash
from gatehouse.wiring import Services

from ._support import V1, V3, address, api_key, at, device_token, make_account

TRIES = 200
TOLERANCE = 0.10
PER_ACCOUNT = 4  # below the per-account limit of 5

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

Try = Callable[[str, str, str], Awaitable[httpx.Response]]


async def measure(known: list[tuple[str, str]], attempt: Try) -> tuple[float, float]:
    """Median seconds of (unknown account, wrong password) attempts, interleaved and
    alternating which goes first."""
    unknown: list[float] = []
    wrong: list[float] = []
    for i in range(TRIES):
        name, email = known[i // PER_ACCOUNT]
        tag = uuid.uuid4().hex[:10]
        runs = [
            (unknown, (f"nobody-{tag}", f"nobody-{tag}@example.com")),
            (wrong, (name, email)),
        ]
        for samples, (login, mail) in runs if i % 2 else reversed(runs):
            start = time.perf_counter()
            r = await attempt(login, mail, address(2 * i + (samples is wrong)))
            samples.append(time.perf_counter() - start)
            assert r.status_code == 401, r.text  # never 429: the check really ran
    return statistics.median(unknown), statistics.median(wrong)


def assert_close(unknown: float, wrong: float) -> None:
    gap = abs(unknown - wrong) / min(unknown, wrong)
    assert gap < TOLERANCE, (
        f"unknown account {unknown * 1e3:.3f} ms vs wrong password {wrong * 1e3:.3f} ms "
        f"(median of {TRIES}): {gap:.1%} apart"
    )


async def accounts(services: Services, project_id: int) -> list[tuple[str, str]]:
    made = [await make_account(services, project_id) for _ in range(-(-TRIES // PER_ACCOUNT))]
    return [(a.username, a.email) for a in made]


async def test_v3_login_timing_does_not_reveal_whether_the_account_exists(
    client, services: Services, project_id: int
) -> None:
    known = await accounts(services, project_id)
    token = await device_token(client)

    async def attempt(login: str, email: str, caller: str) -> httpx.Response:
        return await client.post(
            f"{V3}/login",
            headers={"PRIVATE-TOKEN": token, **at(caller)},
            json={"userName": login, "password": "not the password"},
        )

    assert_close(*await measure(known, attempt))


async def test_hivemp_email_timing_does_not_reveal_whether_the_account_exists(
    client, services: Services, project_id: int
) -> None:
    known = await accounts(services, project_id)
    key = await api_key(services, project_id)
    wrong = prehash("not the password")

    async def attempt(login: str, email: str, caller: str) -> httpx.Response:
        return await client.put(
            f"{V1}/authenticate",
            headers={"X-API-Key": key, **at(caller)},
            json={"emailAddress": email, "passwordHash": wrong},
        )

    assert_close(*await measure(known, attempt))
