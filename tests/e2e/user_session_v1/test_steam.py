"""Steam tickets through the FakeSteam on 127.0.0.1: login, register, link, failures."""

from __future__ import annotations

import pytest

from ._support import (
    OTHER_STEAM_ID,
    OTHER_TICKET,
    PW_HASH,
    STEAM_ID,
    TICKET,
    Hive,
    make_hive,
    steam_body,
)

A = "/v1/authenticate"


async def users_count(services) -> int:
    from sqlalchemy import func, select

    from gatehouse.adapters.store.tables import external_identities, users

    async with services.db.read() as conn:
        n = (await conn.execute(select(func.count()).select_from(users))).scalar_one()
        m = (await conn.execute(select(func.count()).select_from(external_identities))).scalar_one()
    return int(n) * 1000 + int(m)


async def test_linked_steam_id_logs_in(client, hive: Hive, steam) -> None:
    user = await hive.user(steam_id=STEAM_ID)
    r = await client.put(A, headers=hive.h(), json=steam_body(TICKET))
    assert r.status_code == 200, r.text
    assert r.json()["intent"] == "login"
    s = r.json()["authenticatedSession"]
    assert s["accountId"] == str(user.id) and s["authenticatedWith"] == ["steam"]
    (req,) = steam.requests
    assert req.query["appid"] == "480" and req.query["key"] == "test-web-api-key"


async def test_unlinked_with_auto_create_registers(client, hive: Hive) -> None:
    r = await client.put(A, headers=hive.h(), json=steam_body(TICKET))
    assert r.status_code == 200 and r.json()["intent"] == "register"
    first = r.json()["authenticatedSession"]["accountId"]
    again = await client.put(A, headers=hive.h(), json=steam_body(TICKET))
    assert again.json()["intent"] == "login"
    assert again.json()["authenticatedSession"]["accountId"] == first


async def test_unlinked_without_auto_create_prompts(client, services) -> None:
    hive = await make_hive(services, steam_auto_create=False)
    before = await users_count(services)
    r = await client.put(A, headers=hive.h(), json=steam_body(TICKET))
    assert r.status_code == 200
    body = r.json()
    assert body["authenticatedSession"] is None
    assert body["promptForEmailAddress"] and body["promptForPassword"]
    assert await users_count(services) == before


async def test_link_confirm_then_confirm_link(client, services) -> None:
    hive = await make_hive(services, steam_auto_create=False)
    user = await hive.user()
    req = steam_body(TICKET, emailAddress=user.email, passwordHash=PW_HASH)
    r = await client.put(A, headers=hive.h(), json=req)
    assert r.status_code == 200
    assert r.json()["intent"] == "link-confirm" and r.json()["authenticatedSession"] is None
    r = await client.put(A, headers=hive.h(), json={**req, "confirmLink": True})
    assert r.status_code == 200, r.text
    assert r.json()["intent"] == "link"
    s = r.json()["authenticatedSession"]
    assert s["accountId"] == str(user.id)
    assert sorted(s["authenticatedWith"]) == ["password", "steam"]
    # From now on Steam alone signs this user in.
    r = await client.put(A, headers=hive.h(), json=steam_body(TICKET))
    assert r.json()["intent"] == "login"
    assert r.json()["authenticatedSession"]["accountId"] == str(user.id)


async def test_steam_id_linked_to_another_user_is_409(client, hive: Hive) -> None:
    await hive.user(steam_id=STEAM_ID)
    other = await hive.user()
    req = steam_body(TICKET, emailAddress=other.email, passwordHash=PW_HASH, confirmLink=True)
    r = await client.put(A, headers=hive.h(), json=req)
    assert r.status_code == 409
    assert r.json()["fields"] == "tokens.steamTokens"


async def test_invalid_ticket_is_401(client, hive: Hive) -> None:
    r = await client.put(A, headers=hive.h(), json=steam_body("abcdef"))
    assert r.status_code == 401 and r.json()["fields"] == "tokens.steamTokens"


async def test_tickets_of_two_steam_accounts_are_refused(client, hive: Hive) -> None:
    r = await client.put(A, headers=hive.h(), json=steam_body(TICKET, OTHER_TICKET))
    assert r.status_code == 400
    assert OTHER_STEAM_ID  # both tickets are valid on their own


@pytest.mark.parametrize("mode", ["wrong-key", "timeout", "garbage", "down"])
async def test_steam_trouble_is_502_6001_and_creates_nothing(
    client, services, hive: Hive, steam, mode: str
) -> None:
    user = await hive.user()
    before = await users_count(services)
    if mode == "wrong-key":
        steam.web_api_key = "another-key"
    elif mode == "down":
        steam.stop()
    else:
        steam.mode = mode
    for body in (
        steam_body(TICKET),
        steam_body(TICKET, emailAddress=user.email, passwordHash=PW_HASH, confirmLink=True),
    ):
        r = await client.put(A, headers=hive.h(), json=body)
        assert r.status_code == 502, r.text
        assert r.json()["code"] == 6001
        assert "test-web-api-key" not in r.text
    assert await users_count(services) == before


async def test_project_without_steam_is_400(client, services) -> None:
    project = await services.projects.create("no steam")
    _, key = await services.projects.create_api_key(project.id, "public")
    r = await client.put(A, headers={"X-API-Key": key}, json=steam_body(TICKET))
    assert r.status_code == 400 and r.json()["fields"] == "tokens.steamTokens"
