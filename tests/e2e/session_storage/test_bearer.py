"""GET /session-storage/session: "who is this token?" with a session's bearer token."""

from __future__ import annotations

import base64

import pytest

from ._helpers import SESSION_KEYS, P, assert_error, iso, whoami

WHO = f"{P}/session"


async def test_publisher_token(api, client, tenant) -> None:
    made = await api.new(intent="talk", subscriber_count=1)

    resp = await whoami(client, made["publisher"])

    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"ok", "data"} and body["ok"] is True
    data = body["data"]
    assert data["role"] == "publisher"
    assert data["user_id"] == str(tenant.user_id)
    got = await api.get_ok(made["id"])
    assert set(data) >= SESSION_KEYS | {"user_id", "role"}
    assert {k: data[k] for k in got} == got  # same Session keys and values as GET
    assert data["intent"] == "talk"


async def test_subscriber_tokens(api, client, tenant) -> None:
    made = await api.new(subscriber_count=2)
    for token in made["subscriber"]:
        data = (await whoami(client, token)).json()["data"]
        assert (data["id"], data["role"], data["user_id"]) == (
            made["id"],
            "subscriber",
            str(tenant.user_id),
        )


async def test_scheme_is_case_insensitive(api, client) -> None:
    made = await api.new()
    resp = await client.get(WHO, headers={"Authorization": f"bearer {made['publisher']}"})
    assert resp.status_code == 200
    assert resp.json()["data"]["id"] == made["id"]


async def test_token_reflects_a_ttl_update(api, client, clock) -> None:
    made = await api.new()
    clock.advance(30)
    assert (await api.ttl(made["id"], 120)).status_code == 204
    data = (await whoami(client, made["publisher"])).json()["data"]
    assert (data["updated_at"], data["expires_at"]) == (iso(clock), iso(clock, 120))


def bad_authorizations(publisher: str) -> dict[str, list[tuple[str, str]]]:
    basic = base64.b64encode(b"user:pass").decode()
    return {
        "none": [],
        "unknown": [("Authorization", "Bearer gs_" + "A" * 43)],
        "junk": [("Authorization", "junk")],
        "bearer-alone": [("Authorization", "Bearer")],
        "bearer-space": [("Authorization", "Bearer ")],
        "two-words": [("Authorization", "Bearer a b")],
        "token-and-junk": [("Authorization", f"Bearer {publisher} x")],
        "ten-kb": [("Authorization", "Bearer " + "x" * 10_000)],
        "ten-kb-prefixed": [("Authorization", "Bearer gs_" + "x" * 10_000)],
        "basic": [("Authorization", f"Basic {basic}")],
        "basic-with-token": [("Authorization", f"Basic {publisher}")],
        "token-without-scheme": [("Authorization", publisher)],
        "two-headers": [("Authorization", f"Bearer {publisher}")] * 2,
        "truncated": [("Authorization", f"Bearer {publisher[:-1]}")],
        "extended": [("Authorization", f"Bearer {publisher}A")],
    }


@pytest.mark.parametrize("case", list(bad_authorizations("x")))
async def test_bad_authorization_is_401(api, client, case) -> None:
    made = await api.new()
    headers = bad_authorizations(made["publisher"])[case]

    resp = await client.get(WHO, headers=headers)

    assert_error(resp, 401, WHO)


async def test_client_credentials_are_not_a_bearer_token(api, client, tenant) -> None:
    await api.new()
    assert_error(await client.get(WHO, headers=tenant.headers), 401, WHO)
    resp = await client.get(WHO, headers={"Authorization": f"Bearer {tenant.client_secret}"})
    assert_error(resp, 401, WHO)


async def test_expired_session_token_is_401(api, client, clock) -> None:
    made = await api.new(ttl_seconds=60, subscriber_count=1)
    clock.advance(59)
    assert (await whoami(client, made["publisher"])).status_code == 200

    clock.advance(1)  # exactly expires_at

    for token in (made["publisher"], *made["subscriber"]):
        assert_error(await whoami(client, token), 401, WHO)


async def test_each_token_names_its_own_session_and_user(
    api, other_api, client, tenant, other
) -> None:
    mine = await api.new()
    theirs = await other_api.new()
    for made, owner in ((mine, tenant), (theirs, other)):
        data = (await whoami(client, made["publisher"])).json()["data"]
        assert (data["id"], data["user_id"]) == (made["id"], str(owner.user_id))
