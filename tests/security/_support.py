"""Helpers of the security checklist: accounts with and without a second factor,
signing in on each surface, caller addresses, and the 429 shape of each surface."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import httpx
import pyotp

from gatehouse.core.clock import FrozenClock
from gatehouse.core.models import ApiKeyType, User
from gatehouse.core.passwords import prehash
from gatehouse.services.accounts import NewUser
from gatehouse.wiring import Services

PASSWORD = "correct horse battery staple"
V3 = "/v3/session"
SS = "/session-storage"
V1 = "/v1"


def at(address: str) -> dict[str, str]:
    """Headers that make the request come from ``address`` (the app trusts the
    in-process caller as a proxy, see conftest.py)."""
    return {"X-Forwarded-For": address}


def address(i: int) -> str:
    """A distinct caller address for every ``i`` (10.0.0.0/8)."""
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


@dataclass
class Account:
    user: User
    password: str = PASSWORD
    totp_secret: str | None = None
    recovery_codes: list[str] = field(default_factory=list)

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def email(self) -> str:
        return self.user.email

    def hive_body(self, password: str | None = None, code: str | None = None) -> dict:
        """A HiveMP email sign-in: the game sends the prehash, never the password."""
        body: dict = {
            "emailAddress": self.email,
            "passwordHash": prehash(self.password if password is None else password),
        }
        if code is not None:
            body["twoFactor"] = {"twoFactorCode": code}
        return body

    def v3_body(self, password: str | None = None) -> dict:
        return {"userName": self.username, "password": password or self.password}


async def make_account(
    services: Services, project_id: int, *, totp: bool = False, name: str = "player"
) -> Account:
    tag = uuid.uuid4().hex[:8]
    user = await services.accounts.create_user(
        project_id,
        NewUser(username=f"{name}-{tag}", email=f"{name}-{tag}@example.com", password=PASSWORD),
    )
    account = Account(user)
    if totp:
        enrolment = await services.credentials.enable_totp(user.id)
        account.totp_secret = enrolment.secret
        account.recovery_codes = list(enrolment.recovery_codes)
        account.user = await services.accounts.get_user(user.id)
    return account


def totp_code(secret: str, clock: FrozenClock) -> str:
    return str(pyotp.TOTP(secret).at(clock.now_us() // 1_000_000))


async def api_key(services: Services, project_id: int, kind: str = "public") -> str:
    _, key = await services.projects.create_api_key(project_id, ApiKeyType(kind))
    return key


async def device_token(client: httpx.AsyncClient, *, from_address: str = "192.0.2.1") -> str:
    r = await client.post(f"{V3}/token", headers=at(from_address))
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


async def v3_login(
    client: httpx.AsyncClient,
    account: Account,
    clock: FrozenClock,
    *,
    from_address: str = "192.0.2.2",
) -> str:
    """A device token logged in as ``account`` (with its TOTP code when it has one)."""
    token = await device_token(client, from_address=from_address)
    headers = {"PRIVATE-TOKEN": token, **at(from_address)}
    r = await client.post(f"{V3}/login", headers=headers, json=account.v3_body())
    assert r.status_code == 200, r.text
    if r.json()["requiresOtp"]:
        assert account.totp_secret is not None
        otp = {"otp": totp_code(account.totp_secret, clock)}
        r = await client.post(f"{V3}/login/otp", headers=headers, json=otp)
        assert r.status_code == 204, r.text
    return token


async def hive_sign_in(
    client: httpx.AsyncClient,
    key: str,
    account: Account,
    clock: FrozenClock,
    *,
    from_address: str = "192.0.2.3",
) -> dict:
    """A HiveMP session (``UserSessionWithSecrets``) of ``account``."""
    code = totp_code(account.totp_secret, clock) if account.totp_secret else None
    r = await client.put(
        f"{V1}/authenticate",
        headers={"X-API-Key": key, **at(from_address)},
        json=account.hive_body(code=code),
    )
    assert r.status_code == 200, r.text
    session = r.json()["authenticatedSession"]
    assert session is not None, r.text
    return dict(session)


def retry_after(r: httpx.Response) -> int:
    value = int(r.headers["Retry-After"])
    assert value >= 1, r.headers
    return value


def assert_v3_throttled(r: httpx.Response) -> None:
    assert r.status_code == 429, r.text
    body = r.json()
    assert body["errorCode"] == 10029 and set(body) == {"errorCode", "errorMessage", "errors"}
    retry_after(r)


def assert_storage_throttled(r: httpx.Response) -> None:
    assert r.status_code == 429, r.text
    body = r.json()
    assert body["ok"] is False and body["errors"][0]["status"] == 429, body
    assert body["errors"][0]["type"] == "/errors/rate-limited", body
    retry_after(r)


def assert_v1_throttled(r: httpx.Response) -> None:
    assert r.status_code == 429, r.text
    body = r.json()
    assert body["code"] == 6002, body
    assert body["data"] == {"retryAfterSeconds": retry_after(r)}, body
