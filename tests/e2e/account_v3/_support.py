"""Helpers for the account API v3 tests (imported by the test modules)."""

from __future__ import annotations

import uuid
from datetime import datetime

import httpx
import pyotp

from gatehouse.core.clock import FrozenClock, from_us
from gatehouse.core.models import User
from gatehouse.services.accounts import NewUser
from gatehouse.wiring import Services

PASSWORD = "correct horse battery staple"
V3 = "/v3/session"


async def make_user(services: Services, project_id: int, name: str = "alice") -> User:
    return await services.accounts.create_user(
        project_id,
        NewUser(
            username=f"{name}-{uuid.uuid4().hex[:6]}",
            email=f"{name}@example.com",
            first_name="Alice",
            last_name="Liddell",
            password=PASSWORD,
        ),
    )


async def new_token(client: httpx.AsyncClient, **headers: str) -> str:
    r = await client.post(f"{V3}/token", headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


def h(token: str) -> dict[str, str]:
    return {"PRIVATE-TOKEN": token}


async def login(
    client: httpx.AsyncClient, token: str, user: User, password: str = PASSWORD, **extra: object
) -> httpx.Response:
    body = {"userName": user.username, "password": password, **extra}
    return await client.post(f"{V3}/login", json=body, headers=h(token))


def code_at(secret: str, clock: FrozenClock, offset_seconds: int = 0) -> str:
    when: datetime = from_us(clock.now_us() + offset_seconds * 1_000_000)
    return str(pyotp.TOTP(secret).at(when))


def assert_v3_error(r: httpx.Response, status: int, code: int | None = None) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"errorCode", "errorMessage", "errors"}, body
    assert isinstance(body["errorCode"], int) and isinstance(body["errorMessage"], str)
    assert isinstance(body["errors"], list)
    if code is not None:
        assert body["errorCode"] == code, body
    return body
