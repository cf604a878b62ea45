"""Every guessable secret is throttled, in the answer shape of the surface it came
through (429, ``Retry-After``; v3 ``errorCode`` 10029, HiveMP code 6002 with
``data.retryAfterSeconds``, Session Storage ``/errors/rate-limited``).

| secret | per account | per caller address | code (services/) |
|---|---|---|---|
| password (v3 login, HiveMP email) | 5 failures / 5 min | 30 failures / 5 min | credentials.py |
| TOTP code, recovery code | 5 failures / 5 min | 30 failures / 5 min | credentials.py |
| client secret | none (*) | 20 failures / min | projects.py |
| X-API-Key (typed key or session apiKey) | none (*) | 60 failures / min | api_callers.py |
| session bearer token | none (*) | 60 failures / min | sessions.py |
| PRIVATE-TOKEN | none (*) | 60 failures / min | account_tokens.py |
| device-token creation | n/a | 30 requests / min | account_tokens.py |

(*) 256-bit random secrets: the "account" is named by the secret itself, and a
lockout keyed on something public (a ClientID) would let anyone lock its owner
out; the last test here shows that it does not happen.

Over a limit, the right secret is refused too (the guesser learns nothing more
until the window closes). Failures are counted once per request: the fast lane
defers them to the framework path, which counts — so exactly ``limit`` failures
answer 401/403 and the next request answers 429.
"""

from __future__ import annotations

import secrets
import uuid

import httpx
import pytest

from gatehouse.core.clock import FrozenClock
from gatehouse.core.models import ApiKeyType
from gatehouse.core.passwords import prehash
from gatehouse.services.throttling import (
    BEARER_PER_ADDRESS,
    CLIENT_SECRET_PER_ADDRESS,
    DEVICE_TOKENS_PER_ADDRESS,
    PASSWORD_PER_ACCOUNT,
    PASSWORD_PER_ADDRESS,
    SECOND_FACTOR_PER_ACCOUNT,
    SECOND_FACTOR_PER_ADDRESS,
)
from gatehouse.wiring import Services
from tests.helpers import make_tenant

from ._support import (
    PASSWORD,
    SS,
    V1,
    V3,
    Account,
    address,
    api_key,
    assert_storage_throttled,
    assert_v1_throttled,
    assert_v3_throttled,
    at,
    device_token,
    hive_sign_in,
    make_account,
    totp_code,
)

GUESSER = "198.51.100.66"
BYSTANDER = "198.51.100.77"


def assert_throttled(surface: str, r: httpx.Response) -> None:
    {"v3": assert_v3_throttled, "v1": assert_v1_throttled}[surface](r)


def wrong_code(account: Account, clock: FrozenClock, factor: str) -> str:
    """A well-formed second factor that is certainly not valid right now."""
    if factor == "recovery":
        return "zzzzz-zzzzz"  # 50 random bits per issued code: never one of them
    assert account.totp_secret is not None
    valid = {totp_code(account.totp_secret, clock)}
    for offset in (-30, 30):
        clock.advance(offset)
        valid.add(totp_code(account.totp_secret, clock))
        clock.advance(-offset)
    return next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in valid)


def right_code(account: Account, clock: FrozenClock, factor: str) -> str:
    if factor == "recovery":
        return account.recovery_codes[0]
    assert account.totp_secret is not None
    return totp_code(account.totp_secret, clock)


class Passwords:
    """One password attempt on the v3 login or the HiveMP email sign-in."""

    def __init__(self, client: httpx.AsyncClient, surface: str, key: str) -> None:
        self.client, self.surface, self.key = client, surface, key

    async def attempt(
        self, who: Account | None, password: str, caller: str, token: str | None = None
    ) -> httpx.Response:
        tag = uuid.uuid4().hex[:10]
        if self.surface == "v3":
            token = token or await device_token(self.client)
            name = who.username if who else f"nobody-{tag}"
            return await self.client.post(
                f"{V3}/login",
                headers={"PRIVATE-TOKEN": token, **at(caller)},
                json={"userName": name, "password": password},
            )
        email = who.email if who else f"nobody-{tag}@example.com"
        return await self.client.put(
            f"{V1}/authenticate",
            headers={"X-API-Key": self.key, **at(caller)},
            json={"emailAddress": email, "passwordHash": prehash(password)},
        )


# -- passwords ----------------------------------------------------------------------------


@pytest.mark.parametrize("surface", ["v3", "v1"])
async def test_password_guessing_is_throttled_per_account(
    client, services: Services, project_id: int, surface: str
) -> None:
    tries = Passwords(client, surface, await api_key(services, project_id))
    token = await device_token(client)
    victim = await make_account(services, project_id)
    for i in range(PASSWORD_PER_ACCOUNT.attempts):  # each guess from another address
        r = await tries.attempt(victim, f"guess {i}", address(i), token)
        assert r.status_code == 401, r.text

    # The right password, from an address that never failed: still refused.
    assert_throttled(surface, await tries.attempt(victim, PASSWORD, BYSTANDER, token))
    # Another account, from that same address, is not affected.
    other = await make_account(services, project_id)
    assert (await tries.attempt(other, PASSWORD, BYSTANDER, token)).status_code == 200


@pytest.mark.parametrize("surface", ["v3", "v1"])
async def test_password_guessing_is_throttled_per_address(
    client, services: Services, project_id: int, surface: str
) -> None:
    tries = Passwords(client, surface, await api_key(services, project_id))
    token = await device_token(client)
    for _ in range(PASSWORD_PER_ADDRESS.attempts):  # one guess per account: a spray
        r = await tries.attempt(None, "Summer2026!", GUESSER, token)
        assert r.status_code == 401, r.text

    victim = await make_account(services, project_id)
    assert_throttled(surface, await tries.attempt(victim, PASSWORD, GUESSER, token))
    assert (await tries.attempt(victim, PASSWORD, BYSTANDER, token)).status_code == 200


# -- second factors ------------------------------------------------------------------------


@pytest.mark.parametrize("factor", ["totp", "recovery"])
async def test_second_factor_guessing_is_throttled_per_account_hivemp(
    client, services: Services, project_id: int, clock: FrozenClock, factor: str
) -> None:
    key = await api_key(services, project_id)
    victim = await make_account(services, project_id, totp=True)

    async def attempt(code: str, caller: str) -> httpx.Response:
        body = victim.hive_body(code=code)
        return await client.put(
            f"{V1}/authenticate", headers={"X-API-Key": key, **at(caller)}, json=body
        )

    for i in range(SECOND_FACTOR_PER_ACCOUNT.attempts):
        r = await attempt(wrong_code(victim, clock, factor), address(i))
        assert r.status_code == 401 and r.json()["code"] == 1014, r.text
    assert_v1_throttled(await attempt(right_code(victim, clock, factor), BYSTANDER))


@pytest.mark.parametrize("factor", ["totp", "recovery"])
async def test_second_factor_guessing_is_throttled_per_account_v3(
    client, services: Services, project_id: int, clock: FrozenClock, factor: str
) -> None:
    victim = await make_account(services, project_id, totp=True)
    token = await device_token(client)
    login = await client.post(
        f"{V3}/login", headers={"PRIVATE-TOKEN": token, **at(address(0))}, json=victim.v3_body()
    )
    assert login.json()["requiresOtp"] is True
    for i in range(SECOND_FACTOR_PER_ACCOUNT.attempts):
        r = await client.post(
            f"{V3}/login/otp",
            headers={"PRIVATE-TOKEN": token, **at(address(i))},
            json={"otp": wrong_code(victim, clock, factor)},
        )
        assert r.status_code == 401 and r.json()["errorCode"] == 10011, r.text

    # A new login (right password) from a clean address, then the right code: refused.
    headers = {"PRIVATE-TOKEN": token, **at(BYSTANDER)}
    login = await client.post(f"{V3}/login", headers=headers, json=victim.v3_body())
    assert login.status_code == 200 and login.json()["requiresOtp"] is True, login.text
    otp = {"otp": right_code(victim, clock, factor)}
    assert_v3_throttled(await client.post(f"{V3}/login/otp", headers=headers, json=otp))
    assert (await client.get(f"{V3}/user", headers=headers)).status_code == 404


@pytest.mark.parametrize("factor", ["totp", "recovery"])
async def test_second_factor_guessing_is_throttled_per_address(
    client, services: Services, project_id: int, clock: FrozenClock, factor: str
) -> None:
    key = await api_key(services, project_id)
    per_account = SECOND_FACTOR_PER_ACCOUNT.attempts - 1  # stay under the account limit
    accounts = -(-SECOND_FACTOR_PER_ADDRESS.attempts // per_account)
    failures = 0
    for _ in range(accounts):
        account = await make_account(services, project_id, totp=True)
        for _ in range(min(per_account, SECOND_FACTOR_PER_ADDRESS.attempts - failures)):
            body = account.hive_body(code=wrong_code(account, clock, factor))
            r = await client.put(
                f"{V1}/authenticate", headers={"X-API-Key": key, **at(GUESSER)}, json=body
            )
            assert r.status_code == 401, r.text
            failures += 1
    assert failures == SECOND_FACTOR_PER_ADDRESS.attempts

    victim = await make_account(services, project_id, totp=True)
    body = victim.hive_body(code=right_code(victim, clock, factor))
    assert_v1_throttled(
        await client.put(f"{V1}/authenticate", headers={"X-API-Key": key, **at(GUESSER)}, json=body)
    )
    ok = await client.put(
        f"{V1}/authenticate", headers={"X-API-Key": key, **at(BYSTANDER)}, json=body
    )
    assert ok.status_code == 200 and ok.json()["authenticatedSession"] is not None, ok.text


# -- client secrets ------------------------------------------------------------------------


async def test_client_secret_guessing_is_throttled_per_address(
    client, services: Services, project_id: int
) -> None:
    tenant = await make_tenant(services, project_id)
    created = await client.post(f"{SS}/session", headers=tenant.headers)
    one = f"{SS}/sessions/{created.json()['data']['id']}"  # a fast-lane route
    for i in range(CLIENT_SECRET_PER_ADDRESS.attempts):
        bad = (
            {"ClientID": tenant.client_id, "ClientSecret": f"gc_{secrets.token_urlsafe(32)}"}
            if i % 2
            else {"ClientID": f"nope{i}", "ClientSecret": tenant.client_secret}
        )
        r = await client.get(one, headers={**bad, **at(GUESSER)})
        assert r.status_code == 401, r.text

    right = {**tenant.headers, **at(GUESSER)}
    assert_storage_throttled(await client.get(one, headers=right))
    assert_storage_throttled(await client.get(f"{SS}/sessions", headers=right))
    assert_storage_throttled(await client.post(f"{SS}/session", headers=right))
    assert (await client.get(one, headers={**tenant.headers, **at(BYSTANDER)})).status_code == 200


async def test_a_client_id_attacked_from_many_addresses_still_works_for_its_owner(
    client, services: Services, project_id: int
) -> None:
    """No lockout keyed on the (public) ClientID: the owner is never locked out."""
    tenant = await make_tenant(services, project_id)
    for i in range(2 * CLIENT_SECRET_PER_ADDRESS.attempts):
        bad = {"ClientID": tenant.client_id, "ClientSecret": "gc_guess", **at(address(i))}
        assert (await client.get(f"{SS}/sessions", headers=bad)).status_code == 401
    owner = {**tenant.headers, **at(BYSTANDER)}
    assert (await client.get(f"{SS}/sessions", headers=owner)).status_code == 200


# -- bearer secrets: API keys, session tokens, account tokens -------------------------------


async def test_api_key_guessing_is_throttled_per_address(
    client, services: Services, project_id: int, clock: FrozenClock
) -> None:
    public = await api_key(services, project_id, "public")
    revoked_id, revoked = await services.projects.create_api_key(project_id, ApiKeyType.SERVER)
    await services.projects.revoke_api_key(revoked_id)
    session = await hive_sign_in(client, public, await make_account(services, project_id), clock)
    guesses = [
        f"gk_{secrets.token_urlsafe(32)}",
        f"gs_{secrets.token_urlsafe(32)}",
        revoked,
        "not-a-key-at-all",
    ]
    for i in range(BEARER_PER_ADDRESS.attempts):
        r = await client.get(
            f"{V1}/session", headers={"X-API-Key": guesses[i % len(guesses)], **at(GUESSER)}
        )
        assert r.status_code == 401 and r.json()["code"] == 1002, r.text

    own = {"X-API-Key": session["apiKey"], **at(GUESSER)}
    clock.advance(60)
    assert_v1_throttled(await client.get(f"{V1}/session", headers=own))  # fast-lane route
    assert_v1_throttled(await client.post(f"{V1}/session", headers=own))  # fast-lane renewal
    assert_v1_throttled(await client.delete(f"{V1}/session", headers=own))
    assert_v1_throttled(
        await client.put(
            f"{V1}/authenticate", headers={"X-API-Key": public, **at(GUESSER)}, json={}
        )
    )
    # Nothing was renewed or ended from the throttled address; elsewhere all is well.
    seen = await client.get(f"{V1}/session", headers={**own, **at(BYSTANDER)})
    assert seen.status_code == 200 and seen.json()["expiry"] == session["expiry"], seen.text


async def test_bearer_token_guessing_is_throttled_per_address(
    client, services: Services, project_id: int
) -> None:
    tenant = await make_tenant(services, project_id)
    publisher = (await client.post(f"{SS}/session", headers=tenant.headers)).json()["data"][
        "publisher"
    ]
    for i in range(BEARER_PER_ADDRESS.attempts):
        guess = f"gs_{secrets.token_urlsafe(32)}" if i % 2 else f"junk{i}"
        r = await client.get(
            f"{SS}/session", headers={"Authorization": f"Bearer {guess}", **at(GUESSER)}
        )
        assert r.status_code == 401, r.text

    right = {"Authorization": f"Bearer {publisher}"}
    assert_storage_throttled(await client.get(f"{SS}/session", headers={**right, **at(GUESSER)}))
    ok = await client.get(f"{SS}/session", headers={**right, **at(BYSTANDER)})
    assert ok.status_code == 200, ok.text


async def test_private_token_guessing_is_throttled_per_address(
    client, services: Services, project_id: int
) -> None:
    account = await make_account(services, project_id)
    personal, _ = await services.account_tokens.create_personal_token(account.user.id)
    device = await device_token(client)
    for i in range(BEARER_PER_ADDRESS.attempts):
        guess = f"gt_{secrets.token_urlsafe(32)}" if i % 2 else f"junk{i}"
        r = await client.get(f"{V3}/user", headers={"PRIVATE-TOKEN": guess, **at(GUESSER)})
        assert r.status_code == 403 and r.json()["errorCode"] == 10020, r.text

    mine = {"PRIVATE-TOKEN": personal.token, **at(GUESSER)}
    assert_v3_throttled(await client.get(f"{V3}/user", headers=mine))  # fast-lane route
    headers = {"PRIVATE-TOKEN": device, **at(GUESSER)}
    assert_v3_throttled(await client.post(f"{V3}/login", headers=headers, json=account.v3_body()))
    assert_v3_throttled(await client.post(f"{V3}/logout", headers=headers))
    ok = await client.get(f"{V3}/user", headers={**mine, **at(BYSTANDER)})
    assert ok.status_code == 200 and ok.json()["userId"] == account.user.id, ok.text


async def test_device_token_creation_is_throttled_per_address(client, project_id: int) -> None:
    for _ in range(DEVICE_TOKENS_PER_ADDRESS.attempts):
        assert (await client.post(f"{V3}/token", headers=at(GUESSER))).status_code == 201
    assert_v3_throttled(await client.post(f"{V3}/token", headers=at(GUESSER)))
    assert (await client.post(f"{V3}/token", headers=at(BYSTANDER))).status_code == 201
