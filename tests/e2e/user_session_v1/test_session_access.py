"""GET / POST / DELETE /v1/session and every row of the access-policy table."""

from __future__ import annotations

import pytest

from ._support import PW_HASH, Hive, make_hive

A = "/v1/authenticate"
S = "/v1/session"


async def sign_in(client, hive: Hive, user=None) -> dict:
    user = user or await hive.user()
    r = await client.put(
        A, headers=hive.h(), json={"emailAddress": user.email, "passwordHash": PW_HASH}
    )
    assert r.status_code == 200, r.text
    return r.json()["authenticatedSession"]


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_public_key_is_refused(client, hive: Hive, method: str) -> None:
    s = await sign_in(client, hive)
    r = await client.request(method, S, params={"id": s["id"]}, headers=hive.h("public"))
    assert r.status_code == 403
    assert r.json()["fields"] == "X-API-Key"


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_user_session_key_own_only(client, hive: Hive, method: str) -> None:
    mine = await sign_in(client, hive)
    other = await sign_in(client, hive)
    own = {"X-API-Key": mine["apiKey"]}
    r = await client.request(method, S, params={"id": other["id"]}, headers=own)
    assert r.status_code == 403 and r.json()["fields"] == "id"
    # Unknown ids are refused the same way (nothing leaks about other sessions).
    r = await client.request(method, S, params={"id": "1.00000000.00000000"}, headers=own)
    assert r.status_code == 403
    r = await client.request(method, S, params={"id": mine["id"]}, headers=own)
    assert r.status_code == 200
    r = await client.request(method, S, headers={"X-API-Key": other["apiKey"]})
    assert r.status_code == 200
    if method != "DELETE":
        assert r.json()["id"] == other["id"]
    else:
        assert r.json() is True


@pytest.mark.parametrize("kind", ["server", "admin"])
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_server_and_admin_keys_any_session_of_their_project(
    client, services, hive: Hive, kind: str, method: str
) -> None:
    s = await sign_in(client, hive)
    other_hive = await make_hive(services)
    foreign = await sign_in(client, other_hive)
    r = await client.request(method, S, params={"id": foreign["id"]}, headers=hive.h(kind))
    assert r.status_code == 404
    r = await client.request(method, S, params={"id": "junk"}, headers=hive.h(kind))
    assert r.status_code == 404
    r = await client.request(method, S, params={"id": s["id"]}, headers=hive.h(kind))
    assert r.status_code == 200, r.text
    # Without id a typed key names no session.
    r = await client.request(method, S, headers=hive.h(kind))
    assert r.status_code == 400 and r.json()["fields"] == "id"


async def test_user_session_key_may_not_authenticate(client, hive: Hive) -> None:
    s = await sign_in(client, hive)
    r = await client.put(A, headers={"X-API-Key": s["apiKey"]})
    assert r.status_code == 403


@pytest.mark.parametrize("kind", ["public", "server", "admin"])
async def test_typed_keys_may_authenticate(client, hive: Hive, kind: str) -> None:
    r = await client.put(A, headers=hive.h(kind))
    assert r.status_code == 200


async def test_missing_unknown_and_revoked_keys(client, services, hive: Hive) -> None:
    for headers in ({}, {"X-API-Key": "gk_nope"}, {"X-API-Key": "x" * 5000}, {"X-API-Key": "gs_x"}):
        r = await client.put(A, headers=headers)
        assert r.status_code == 401 and r.json()["fields"] == "X-API-Key"
    key_id, key = await services.projects.create_api_key(hive.project_id, "server")
    assert (await client.put(A, headers={"X-API-Key": key})).status_code == 200
    await services.projects.revoke_api_key(key_id)
    assert (await client.put(A, headers={"X-API-Key": key})).status_code == 401


async def test_renew_sets_expiry_to_now_plus_an_hour(client, hive: Hive, clock) -> None:
    s = await sign_in(client, hive)
    clock.advance(1800)
    r = await client.post(S, params={"id": s["id"]}, headers={"X-API-Key": s["apiKey"]})
    assert r.status_code == 200
    now = clock.now_us() // 1_000_000
    assert r.json()["expiry"] == now + 3600 and r.json()["start"] == s["start"]
    clock.advance(3599)
    assert (await client.get(S, headers={"X-API-Key": s["apiKey"]})).status_code == 200
    clock.advance(2)
    r = await client.get(S, headers={"X-API-Key": s["apiKey"]})
    assert r.status_code == 401


async def test_delete_answers_true_and_kills_the_api_key(client, hive: Hive) -> None:
    s = await sign_in(client, hive)
    r = await client.delete(S, params={"id": s["id"]}, headers=hive.h("server"))
    assert r.status_code == 200 and r.json() is True
    assert (await client.get(S, headers={"X-API-Key": s["apiKey"]})).status_code == 401
    r = await client.get(S, params={"id": s["id"]}, headers=hive.h("server"))
    assert r.status_code == 404 and r.json()["code"] not in range(6000, 7000)


async def test_listed_and_deleted_through_session_storage(client, services, hive: Hive) -> None:
    user = await hive.user()
    s = await sign_in(client, hive, user)
    c, secret = await services.projects.create_client(user.id, "storage")
    h = {"ClientID": c.id, "ClientSecret": secret}
    listed = await client.get("/session-storage/sessions", headers=h)
    assert [x["id"] for x in listed.json()["data"]] == [s["id"]]
    assert (
        await client.delete(f"/session-storage/sessions/{s['id']}", headers=h)
    ).status_code == 204
    assert (await client.get(S, headers={"X-API-Key": s["apiKey"]})).status_code == 401
