"""ClientID + ClientSecret: 401 alike for every failure, 403 disabled, 429 throttled."""

from __future__ import annotations

import pytest

from tests.helpers import make_tenant

from ._helpers import Api, P, assert_error, row_counts, whoami

LISTING = f"{P}/sessions"


def bad_headers(tenant, stranger) -> dict[str, dict[str, str]]:
    return {
        "none": {},
        "id-only": {"ClientID": tenant.client_id},
        "secret-only": {"ClientSecret": tenant.client_secret},
        "wrong-secret": {"ClientID": tenant.client_id, "ClientSecret": "gc_" + "x" * 43},
        "empty-secret": {"ClientID": tenant.client_id, "ClientSecret": ""},
        "others-secret": {"ClientID": tenant.client_id, "ClientSecret": stranger.client_secret},
        "unknown-id": {"ClientID": "0" * 32, "ClientSecret": tenant.client_secret},
        "long-id": {"ClientID": "a" * 500, "ClientSecret": tenant.client_secret},
        "long-secret": {"ClientID": tenant.client_id, "ClientSecret": "s" * 10_000},
        "swapped": {"ClientID": tenant.client_secret, "ClientSecret": tenant.client_id},
    }


async def test_every_credential_failure_answers_the_same_401(client, services, tenant) -> None:
    stranger = await make_tenant(services, name="stranger")
    bodies = {}
    for name, headers in bad_headers(tenant, stranger).items():
        resp = await client.get(LISTING, headers=headers)
        assert_error(resp, 401, LISTING)
        bodies[name] = resp.json()
    first = bodies["none"]
    assert all(body == first for body in bodies.values()), bodies


async def test_401_on_every_call_and_nothing_changes(api, client, tenant) -> None:
    made = await api.new()
    bad = {"ClientID": tenant.client_id, "ClientSecret": "wrong"}
    sid = made["id"]

    calls = [
        client.post(f"{P}/session", headers=bad),
        client.post(f"{P}/session", headers=bad, json={"data": {"intent": "x"}}),
        client.get(f"{P}/sessions/{sid}", headers=bad),
        client.delete(f"{P}/sessions/{sid}", headers=bad),
        client.post(f"{P}/sessions/{sid}", headers=bad, params={"ttl_seconds": 60}),
    ]
    for call in calls:
        assert_error(await call, 401)

    assert await api.ids() == [sid]
    assert (await api.get_ok(sid))["expires_at"] == made["expires_at"]


async def test_credentials_are_checked_before_the_body(client, tenant) -> None:
    bad = {"ClientID": tenant.client_id, "ClientSecret": "wrong", "Content-Type": "text/plain"}
    assert_error(await client.post(f"{P}/session", headers=bad, content=b"{"), 401)


@pytest.mark.parametrize(
    ("id_name", "secret_name"),
    [("clientid", "clientsecret"), ("ClientId", "ClientSecret"), ("CLIENTID", "CLIENTSECRET")],
)
async def test_header_names_are_case_insensitive(client, tenant, id_name, secret_name) -> None:
    headers = {id_name: tenant.client_id, secret_name: tenant.client_secret}
    created = await client.post(f"{P}/session", headers=headers)
    assert created.status_code == 201, created.text
    listed = await client.get(LISTING, headers=headers)
    assert [s["id"] for s in listed.json()["data"]] == [created.json()["data"]["id"]]


async def test_all_clients_of_a_user_share_the_users_sessions(api, client, services, tenant):
    second, secret = await services.projects.create_client(tenant.user_id, "second")
    api2 = Api(client, {"ClientID": second.id, "ClientSecret": secret})

    made = await api.new()
    assert await api2.ids() == [made["id"]]
    assert (await api2.delete(made["id"])).status_code == 204
    assert await api.ids() == []


async def test_disabled_client_is_403_and_nothing_happens(api, client, services, tenant) -> None:
    made = await api.new()
    await services.projects.set_client_disabled(tenant.client_id, True)

    assert_error(await api.create(), 403, f"{P}/session")
    assert_error(await api.list(), 403, LISTING)
    assert_error(await api.get(made["id"]), 403)
    assert_error(await api.delete(made["id"]), 403)
    assert_error(await api.ttl(made["id"], 60), 403)
    # A wrong secret still answers 401: 403 is only for the real owner.
    wrong = {"ClientID": tenant.client_id, "ClientSecret": "wrong"}
    assert_error(await client.get(LISTING, headers=wrong), 401)
    # The session lives on (its tokens are not the client's).
    assert (await whoami(client, made["publisher"])).status_code == 200

    await services.projects.set_client_disabled(tenant.client_id, False)
    assert await api.ids() == [made["id"]]
    assert (await api.get_ok(made["id"]))["expires_at"] == made["expires_at"]


async def test_repeated_failures_from_one_address_are_429(client, tenant) -> None:
    wrong = {"ClientID": tenant.client_id, "ClientSecret": "wrong"}
    for _ in range(20):
        assert_error(await client.get(LISTING, headers=wrong), 401)

    resp = await client.get(LISTING, headers=wrong)

    assert_error(resp, 429, LISTING)
    assert 1 <= int(resp.headers["Retry-After"]) <= 60
    # Forging X-Forwarded-For (no trusted proxy is configured) does not escape it,
    # nor does switching to an unknown ClientID or to missing headers.
    for headers in (
        {**wrong, "X-Forwarded-For": "198.51.100.1"},
        {"ClientID": "0" * 32, "ClientSecret": "x"},
        {},
    ):
        limited = await client.post(f"{P}/session", headers=headers)
        assert_error(limited, 429, f"{P}/session")
        assert "Retry-After" in limited.headers


async def test_throttled_address_creates_nothing(client, services, tenant) -> None:
    wrong = {"ClientID": tenant.client_id, "ClientSecret": "wrong"}
    for _ in range(25):
        resp = await client.post(f"{P}/session", headers=wrong)
        assert resp.status_code in (401, 429)
    assert resp.status_code == 429
    assert await row_counts(services) == (0, 0)
