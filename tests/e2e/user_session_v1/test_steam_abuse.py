"""Steam tickets as an attacker sends them: rejected tickets are throttled per
address and per project (429, code 6002), a request carries at most a few
tickets, every project has a bounded rate of calls to Steam, and tickets can be
bound to this service (``identity``)."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from collections.abc import Iterator

import pytest

from gatehouse.adapters.providers.steam import SteamClient
from gatehouse.core.clock import FrozenClock
from gatehouse.services.sign_in_messages import MAX_STEAM_TICKETS
from gatehouse.services.throttling import STEAM_REJECTED_PER_ADDRESS, STEAM_REJECTED_PER_PROJECT
from gatehouse.settings import Settings
from gatehouse.wiring import build_services
from tests.fakes.steam_server import FakeSteam
from tests.helpers import fast_passwords, serve_app

from ._support import STEAM_ID, TICKET, Hive, make_hive, steam_body

A = "/v1/authenticate"
IDENTITY = "gatehouse-test"


@pytest.fixture
def settings(gatehouse_env: dict[str, str], steam: FakeSteam) -> Settings:
    """The in-process caller (203.0.113.7) is a trusted proxy: X-Forwarded-For names
    each request's address."""
    return Settings.from_env(
        {
            **gatehouse_env,
            "GATEHOUSE_STEAM_API_URL": steam.base_url,
            "GATEHOUSE_TRUSTED_PROXIES": "203.0.113.0/24",
        }
    )


@pytest.fixture
def steam_timeout() -> float:
    """Parallel requests wait on the fake Steam together: a generous timeout."""
    return 5.0


def bad_ticket() -> str:
    return secrets.token_hex(16)


def assert_6002(r) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == 429, r.text
    assert r.json()["code"] == 6002 and int(r.headers["Retry-After"]) >= 1


async def test_forty_bad_tickets_from_one_address_meet_the_limit(
    client, hive: Hive, steam: FakeSteam
) -> None:
    at = {"X-Forwarded-For": "198.51.100.5"}
    answers = await asyncio.gather(
        *(
            client.put(A, headers={**hive.h(), **at}, json=steam_body(bad_ticket()))
            for _ in range(40)
        )
    )
    rejected = [r for r in answers if r.status_code == 401]
    refused = [r for r in answers if r.status_code == 429]
    limit = STEAM_REJECTED_PER_ADDRESS.attempts
    assert len(rejected) == limit and len(refused) == 40 - limit
    for r in refused:
        assert_6002(r)
    assert len(steam.requests) == limit  # the refused ones never reached Steam
    # A good ticket from that address waits too; from another address it works.
    user = await hive.user(steam_id=STEAM_ID)
    assert_6002(await client.put(A, headers={**hive.h(), **at}, json=steam_body(TICKET)))
    other = {"X-Forwarded-For": "198.51.100.6"}
    ok = await client.put(A, headers={**hive.h(), **other}, json=steam_body(TICKET))
    assert ok.json()["authenticatedSession"]["accountId"] == str(user.id), ok.text


async def test_rejected_tickets_are_throttled_per_project(client, services, steam) -> None:
    hive, bystander = await make_hive(services), await make_hive(services)
    per_address = STEAM_REJECTED_PER_ADDRESS.attempts - 1
    sent = 0
    while sent < STEAM_REJECTED_PER_PROJECT.attempts:
        batch = min(per_address, STEAM_REJECTED_PER_PROJECT.attempts - sent)
        at = {"X-Forwarded-For": f"10.1.{sent // 250}.{sent % 250}"}
        for _ in range(batch):
            r = await client.put(A, headers={**hive.h(), **at}, json=steam_body(bad_ticket()))
            assert r.status_code == 401, r.text
        sent += batch
    fresh = {"X-Forwarded-For": "192.0.2.99"}
    assert_6002(await client.put(A, headers={**hive.h(), **fresh}, json=steam_body(TICKET)))
    # Another project's players are not affected.
    ok = await client.put(A, headers={**bystander.h(), **fresh}, json=steam_body(TICKET))
    assert ok.status_code == 200 and ok.json()["authenticatedSession"] is not None, ok.text


async def test_a_request_carries_at_most_a_few_tickets(client, hive: Hive, steam) -> None:
    tickets = [bad_ticket() for _ in range(MAX_STEAM_TICKETS + 1)]
    r = await client.put(A, headers=hive.h(), json=steam_body(*tickets))
    assert r.status_code == 400 and r.json()["code"] == 1001, r.text
    assert steam.requests == []
    assert MAX_STEAM_TICKETS <= 4


async def test_calls_to_steam_per_project_are_bounded(
    settings: Settings, clock: FrozenClock, steam: FakeSteam
) -> None:
    bounded = dataclasses.replace(settings, steam_calls_per_minute=5)
    client_ = SteamClient(bounded.steam_api_url, timeout=0.3, retries=0, backoff=0)
    services = build_services(bounded, clock=clock, passwords=fast_passwords(), steam=client_)
    async with serve_app(bounded, services) as http:
        hive = await make_hive(services)
        await hive.user(steam_id=STEAM_ID)
        statuses = []
        for i in range(8):  # good tickets, each from its own address
            at = {"X-Forwarded-For": f"10.2.0.{i}"}
            r = await http.put(A, headers={**hive.h(), **at}, json=steam_body(TICKET))
            statuses.append(r.status_code)
            if r.status_code == 429:
                assert_6002(r)
        assert statuses == [200] * 5 + [429] * 3
        assert len(steam.requests) == 5


@pytest.fixture
def bound_steam() -> Iterator[FakeSteam]:
    with FakeSteam(tickets={TICKET: STEAM_ID}, identity=IDENTITY) as fake:
        yield fake


async def test_tickets_are_bound_to_this_service_by_identity(
    settings: Settings, clock: FrozenClock, bound_steam: FakeSteam
) -> None:
    for identity, works in ((IDENTITY, True), ("", False)):
        configured = dataclasses.replace(
            settings, steam_api_url=bound_steam.base_url, steam_identity=identity
        )
        steam = SteamClient(configured.steam_api_url, timeout=0.3, retries=0, backoff=0)
        services = build_services(configured, clock=clock, passwords=fast_passwords(), steam=steam)
        async with serve_app(configured, services) as http:
            hive = await make_hive(services)
            r = await http.put(A, headers=hive.h(), json=steam_body(TICKET))
            assert (r.status_code == 200) is works, r.text
        assert bound_steam.requests[-1].query.get("identity", "") == identity
