"""Throttles hold when the guesses arrive together.

Each attempt reserves its slot before the secret is verified (services/
throttling.py), so N guesses sent at once on one account get at most the
per-account limit of verifications; the rest are refused with 429 and
``Retry-After`` in the surface's own shape, without being verified. Per-address
limits hold the same way for bearer secrets, and IPv6 callers count per /64."""

from __future__ import annotations

import asyncio
import secrets

import httpx
import pytest

from gatehouse.core.clock import FrozenClock
from gatehouse.wiring import Services
from tests.helpers import make_tenant

from ._support import (
    SS,
    V1,
    V3,
    address,
    api_key,
    assert_storage_throttled,
    assert_v1_throttled,
    assert_v3_throttled,
    at,
    device_token,
    make_account,
)
from .test_throttling import wrong_code

N = 40


def count_verifications(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the argon2id verifications the app runs (one per password verified)."""
    calls: list[int] = []
    original = services.passwords.verify

    async def verify(stored, candidate):  # type: ignore[no-untyped-def]
        calls.append(1)
        return await original(stored, candidate)

    monkeypatch.setattr(services.passwords, "verify", verify)
    return calls


def split(responses: list[httpx.Response]) -> tuple[list[httpx.Response], list[httpx.Response]]:
    refused = [r for r in responses if r.status_code == 429]
    return [r for r in responses if r.status_code != 429], refused


@pytest.mark.parametrize("surface", ["v1", "v3"])
async def test_parallel_wrong_passwords_meet_the_account_limit(
    client, services: Services, project_id: int, surface: str, monkeypatch
) -> None:
    from gatehouse.services.throttling import PASSWORD_PER_ACCOUNT

    victim = await make_account(services, project_id)
    key = await api_key(services, project_id)
    token = await device_token(client)
    verified = count_verifications(services, monkeypatch)

    async def guess(i: int) -> httpx.Response:
        if surface == "v3":
            return await client.post(
                f"{V3}/login",
                headers={"PRIVATE-TOKEN": token, **at(address(i))},
                json=victim.v3_body(password=f"guess {i}"),
            )
        return await client.put(
            f"{V1}/authenticate",
            headers={"X-API-Key": key, **at(address(i))},
            json=victim.hive_body(password=f"guess {i}"),
        )

    answered, refused = split(list(await asyncio.gather(*(guess(i) for i in range(N)))))
    limit = PASSWORD_PER_ACCOUNT.attempts
    assert len(verified) <= limit
    assert len(answered) == limit and all(r.status_code == 401 for r in answered)
    assert len(refused) == N - limit
    for r in refused:
        (assert_v3_throttled if surface == "v3" else assert_v1_throttled)(r)


async def test_parallel_wrong_totp_codes_meet_the_account_limit_hivemp(
    client, services: Services, project_id: int, clock: FrozenClock
) -> None:
    from gatehouse.services.throttling import SECOND_FACTOR_PER_ACCOUNT

    victim = await make_account(services, project_id, totp=True)
    key = await api_key(services, project_id)
    code = wrong_code(victim, clock, "totp")

    async def guess(i: int) -> httpx.Response:
        return await client.put(
            f"{V1}/authenticate",
            headers={"X-API-Key": key, **at(address(i))},
            json=victim.hive_body(code=code),
        )

    answered, refused = split(list(await asyncio.gather(*(guess(i) for i in range(N)))))
    assert len(answered) == SECOND_FACTOR_PER_ACCOUNT.attempts
    assert all(r.json()["code"] == 1014 for r in answered)
    for r in refused:
        assert_v1_throttled(r)


async def test_parallel_wrong_otps_meet_the_account_limit_v3(
    client, services: Services, project_id: int, clock: FrozenClock
) -> None:
    from gatehouse.services.throttling import SECOND_FACTOR_PER_ACCOUNT

    victim = await make_account(services, project_id, totp=True)
    # Many pending logins of one account (one per device token), guessed at once.
    tokens = [await device_token(client, from_address=address(i)) for i in range(8)]
    for i, token in enumerate(tokens):
        login = await client.post(
            f"{V3}/login",
            headers={"PRIVATE-TOKEN": token, **at(address(i))},
            json=victim.v3_body(),
        )
        assert login.json()["requiresOtp"] is True, login.text
    code = wrong_code(victim, clock, "totp")

    async def guess(i: int) -> httpx.Response:
        return await client.post(
            f"{V3}/login/otp",
            headers={"PRIVATE-TOKEN": tokens[i % len(tokens)], **at(address(100 + i))},
            json={"otp": code},
        )

    answered, refused = split(list(await asyncio.gather(*(guess(i) for i in range(N)))))
    wrong = [r for r in answered if r.status_code == 401]
    assert len(wrong) <= SECOND_FACTOR_PER_ACCOUNT.attempts
    assert all(r.json()["errorCode"] in (10011, 10012) for r in answered)  # wrong / ended
    assert len(refused) >= N - SECOND_FACTOR_PER_ACCOUNT.attempts - len(tokens)
    for r in refused:
        assert_v3_throttled(r)


async def test_parallel_bearer_guesses_meet_the_address_limit(
    client, services: Services, project_id: int
) -> None:
    from gatehouse.services.throttling import BEARER_PER_ADDRESS

    limit = BEARER_PER_ADDRESS.attempts
    guesses = [f"gs_{secrets.token_urlsafe(32)}" for _ in range(limit + N)]
    answers = await asyncio.gather(
        *(
            client.get(f"{SS}/session", headers={"Authorization": f"Bearer {g}", **at("10.9.9.9")})
            for g in guesses
        )
    )
    answered, refused = split(list(answers))
    assert len(answered) == limit and all(r.status_code == 401 for r in answered)
    assert len(refused) == N
    for r in refused:
        assert_storage_throttled(r)


async def test_parallel_private_token_guesses_meet_the_address_limit(client) -> None:
    from gatehouse.services.throttling import BEARER_PER_ADDRESS

    limit = BEARER_PER_ADDRESS.attempts
    answers = await asyncio.gather(
        *(
            client.get(
                f"{V3}/user",
                headers={"PRIVATE-TOKEN": f"gt_{secrets.token_urlsafe(32)}", **at("10.8.8.8")},
            )
            for _ in range(limit + N)
        )
    )
    answered, refused = split(list(answers))
    assert len(answered) == limit and all(r.status_code == 403 for r in answered)
    for r in refused:
        assert_v3_throttled(r)


async def test_client_secret_guesses_from_one_ipv6_64_are_one_caller(
    client, services: Services, project_id: int
) -> None:
    from gatehouse.services.throttling import CLIENT_SECRET_PER_ADDRESS

    tenant = await make_tenant(services, project_id)
    limit = CLIENT_SECRET_PER_ADDRESS.attempts

    async def guess(i: int) -> httpx.Response:
        headers = {"ClientID": tenant.client_id, "ClientSecret": f"gc_guess{i}"}
        return await client.get(
            f"{SS}/sessions", headers={**headers, **at(f"2001:db8:1:2::{i + 1:x}")}
        )

    answered, refused = split(list(await asyncio.gather(*(guess(i) for i in range(limit + 5)))))
    assert len(answered) == limit and len(refused) == 5
    # The right secret from the same /64 is refused too; another /64 is a new caller.
    right = {**tenant.headers, **at("2001:db8:1:2:ffff::1")}
    assert_storage_throttled(await client.get(f"{SS}/sessions", headers=right))
    other = {**tenant.headers, **at("2001:db8:1:3::1")}
    assert (await client.get(f"{SS}/sessions", headers=other)).status_code == 200


async def test_ipv4_callers_stay_one_per_address(client, services: Services, project_id) -> None:
    from gatehouse.services.throttling import CLIENT_SECRET_PER_ADDRESS

    tenant = await make_tenant(services, project_id)
    for i in range(CLIENT_SECRET_PER_ADDRESS.attempts):
        bad = {"ClientID": tenant.client_id, "ClientSecret": "gc_guess", **at("10.7.7.1")}
        assert (await client.get(f"{SS}/sessions", headers=bad)).status_code == 401
    neighbour = {**tenant.headers, **at("10.7.7.2")}
    assert (await client.get(f"{SS}/sessions", headers=neighbour)).status_code == 200


async def test_a_back_end_checking_many_tokens_at_once_is_never_throttled(
    client, services: Services, project_id: int
) -> None:
    """Throttles count failures, not successes in flight: a back-end validating
    far more tokens at once than any failure limit, from one address, gets them
    all answered."""
    from gatehouse.services.throttling import BEARER_PER_ADDRESS, CLIENT_SECRET_PER_ADDRESS

    tenant = await make_tenant(services, project_id)
    token = (await client.post(f"{SS}/session", headers=tenant.headers)).json()["data"]
    many = 2 * max(BEARER_PER_ADDRESS.attempts, CLIENT_SECRET_PER_ADDRESS.attempts)
    backend = at("10.6.6.6")
    checks = await asyncio.gather(
        *(
            client.get(
                f"{SS}/session",
                headers={"Authorization": f"Bearer {token['publisher']}", **backend},
            )
            for _ in range(many)
        ),
        *(client.get(f"{SS}/sessions", headers={**tenant.headers, **backend}) for _ in range(many)),
    )
    assert [r.status_code for r in checks] == [200] * (2 * many)
