"""POST /v1/session: a lifetime chosen by a back-end holds against the token's
holder; holders renew only sessions issued as renewable (HiveMP sign-ins), and
no renewal passes the project's maximum lifetime (docs/architecture.md)."""

from __future__ import annotations

from typing import Any

from gatehouse.core.models import ApiKeyType
from gatehouse.services.accounts import NewUser
from tests.helpers import make_tenant

from ._support import PASSWORD, PW_HASH, Hive, make_hive

A = "/v1/authenticate"
S = "/v1/session"
STORAGE = "/session-storage"


async def _expiry(client, hive: Hive, session_id: str) -> int:
    r = await client.get(S, params={"id": session_id}, headers=hive.h("server"))
    assert r.status_code == 200, r.text
    return int(r.json()["expiry"])


async def _sign_in(client, hive: Hive, email: str) -> dict[str, Any]:
    r = await client.put(A, headers=hive.h(), json={"emailAddress": email, "passwordHash": PW_HASH})
    assert r.status_code == 200, r.text
    return dict(r.json()["authenticatedSession"])


async def test_a_storage_sessions_publisher_token_cannot_stretch_it(
    client, services, hive: Hive, clock
) -> None:
    tenant = await make_tenant(services, hive.project_id)
    made = await client.post(
        f"{STORAGE}/session", headers=tenant.headers, json={"data": {"ttl_seconds": 120}}
    )
    assert made.status_code == 201, made.text
    session = made.json()["data"]
    expiry = await _expiry(client, hive, session["id"])
    assert expiry == clock.now_us() // 1_000_000 + 120

    for _ in range(3):  # and again: never moved
        clock.advance(30)
        r = await client.post(S, headers={"X-API-Key": session["publisher"]})
        assert r.status_code == 403, r.text
        assert r.json()["code"] == 1003 and set(r.json()) == {"code", "message", "fields", "data"}
        assert await _expiry(client, hive, session["id"]) == expiry

    clock.advance(31)  # the lifetime the back-end chose ends on time
    whoami = await client.get(S, headers={"X-API-Key": session["publisher"]})
    assert whoami.status_code == 401


async def test_a_hivemp_sign_in_still_renews_with_its_own_api_key(
    client, hive: Hive, clock
) -> None:
    user = await hive.user()
    s = await _sign_in(client, hive, user.email)
    for _ in range(3):
        clock.advance(1800)
        r = await client.post(S, headers={"X-API-Key": s["apiKey"]})
        assert r.status_code == 200, r.text
        assert r.json()["expiry"] == clock.now_us() // 1_000_000 + 3600


async def test_no_renewal_passes_the_projects_maximum_lifetime(client, services, clock) -> None:
    hive = await make_hive(services, session_ttl_seconds=3600, max_ttl_seconds=5400)
    user = await hive.user()
    s = await _sign_in(client, hive, user.email)
    limit = s["start"] + 5400
    clock.advance(3000)
    own = await client.post(S, headers={"X-API-Key": s["apiKey"]})
    assert own.status_code == 200 and own.json()["expiry"] == limit  # not now + 3600
    by_server = await client.post(S, params={"id": s["id"]}, headers=hive.h("server"))
    assert by_server.status_code == 200 and by_server.json()["expiry"] == limit


async def test_a_back_end_ttl_change_ends_renewal_by_the_holder(
    client, services, hive: Hive, clock
) -> None:
    user = await services.accounts.create_user(
        hive.project_id, NewUser(username="dave", email="dave@example.org", password=PASSWORD)
    )
    client_app, secret = await services.projects.create_client(user.id, "back-end")
    s = await _sign_in(client, hive, "dave@example.org")

    set_ttl = await client.post(
        f"{STORAGE}/sessions/{s['id']}",
        params={"ttl_seconds": 600},
        headers={"ClientID": client_app.id, "ClientSecret": secret},
    )
    assert set_ttl.status_code == 204, set_ttl.text
    expiry = clock.now_us() // 1_000_000 + 600

    clock.advance(60)
    r = await client.post(S, headers={"X-API-Key": s["apiKey"]})
    assert r.status_code == 403 and r.json()["code"] == 1003
    assert await _expiry(client, hive, s["id"]) == expiry

    # The project's back-end may still renew it (its sessions are its own).
    for kind in (ApiKeyType.SERVER, ApiKeyType.ADMIN):
        r = await client.post(S, params={"id": s["id"]}, headers=hive.h(str(kind)))
        assert r.status_code == 200, r.text
        assert r.json()["expiry"] == clock.now_us() // 1_000_000 + 3600
    # ... which does not make it renewable by its holder again.
    r = await client.post(S, headers={"X-API-Key": s["apiKey"]})
    assert r.status_code == 403
