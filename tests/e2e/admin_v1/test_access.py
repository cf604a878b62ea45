"""Sessions, client applications and API keys."""

from __future__ import annotations

from gatehouse.core.models import SessionOrigin
from gatehouse.wiring import Services
from tests.helpers import Tenant

from .conftest import Admin, assert_problem


async def _start(services: Services, tenant: Tenant, **kw: object):
    project = await services.projects.get(tenant.project_id)
    return await services.sessions.start(
        project=project, user_id=tenant.user_id, origin=SessionOrigin.CLI, **kw
    )


async def test_sessions_list_get_revoke(
    client, clock, operator: Admin, services: Services, tenant_a: Tenant
) -> None:
    one = await _start(services, tenant_a, ip="198.51.100.4", user_agent="game/1.0")
    clock.advance(1)
    two = await _start(services, tenant_a)
    p = f"/projects/{tenant_a.project_id}"
    u = f"{p}/users/{tenant_a.user_id}"
    listed = (await operator.get(u + "/sessions")).json()
    assert [s["id"] for s in listed["items"]] == [one.session.id, two.session.id]
    first = listed["items"][0]
    assert first["ip"] == "198.51.100.4" and first["user_agent"] == "game/1.0"
    assert first["origin"] == "cli" and first["expires_at"].endswith("Z")
    got = await operator.get(f"{p}/sessions/{one.session.id}")
    assert got.json() == first
    assert (await operator.delete(f"{p}/sessions/{one.session.id}")).status_code == 204
    assert_problem(await operator.get(f"{p}/sessions/{one.session.id}"), 404, "session-not-found")
    assert_problem(await operator.get(f"{p}/sessions/not-a-session"), 404)
    bearer = {"Authorization": f"Bearer {one.publisher}"}
    assert (await client.get("/session-storage/session", headers=bearer)).status_code == 401
    revoked = await operator.delete(u + "/sessions")
    assert revoked.status_code == 200 and revoked.json() == {"revoked": 1}
    assert (await operator.get(u + "/sessions")).json() == {"items": [], "next": None}


async def test_clients_create_get_disable_enable(client, operator: Admin, tenant_a: Tenant) -> None:
    p = f"/projects/{tenant_a.project_id}"
    made = await operator.post(p + "/clients", json={"user_id": tenant_a.user_id, "name": "ci"})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["client_secret"].startswith("gc_") and body["name"] == "ci"
    got = (await operator.get(f"{p}/clients/{body['client_id']}")).json()
    assert "client_secret" not in got and got["disabled"] is False
    listed = await operator.get(p + "/clients", params={"user_id": tenant_a.user_id})
    ids = {c["client_id"] for c in listed.json()["items"]}
    assert ids == {tenant_a.client_id, body["client_id"]}
    off = await operator.post(f"{p}/clients/{body['client_id']}/disable")
    assert off.status_code == 200 and off.json()["disabled"] is True
    creds = {"ClientID": body["client_id"], "ClientSecret": body["client_secret"]}
    assert (await client.post("/session-storage/session", headers=creds)).status_code == 403
    on = await operator.post(f"{p}/clients/{body['client_id']}/enable")
    assert on.json()["disabled"] is False
    assert (await client.post("/session-storage/session", headers=creds)).status_code == 201
    assert_problem(await operator.get(f"{p}/clients/nope"), 404)
    bad = await operator.post(p + "/clients", json={"name": "no user"})
    assert assert_problem(bad, 400)["errors"][0]["field"] == "user_id"


async def test_api_keys_create_list_revoke(client, operator: Admin, tenant_a: Tenant) -> None:
    p = f"/projects/{tenant_a.project_id}"
    made = await operator.post(p + "/api-keys", json={"type": "admin", "name": "backend"})
    assert made.status_code == 201, made.text
    key = made.json()
    assert key["key"].startswith("gk_") and key["type"] == "admin"
    listed = (await operator.get(p + "/api-keys")).json()["items"]
    assert [k["id"] for k in listed] == [key["id"]] and "key" not in listed[0]
    # the new key works on the admin API, for its own project
    mine = {"Authorization": f"Bearer {key['key']}"}
    assert (await client.get(f"/admin/v1{p}", headers=mine)).status_code == 200
    assert (await operator.delete(f"{p}/api-keys/{key['id']}")).status_code == 204
    assert (await client.get(f"/admin/v1{p}", headers=mine)).status_code == 401
    assert_problem(await operator.delete(f"{p}/api-keys/{key['id']}"), 404)
    revoked = (await operator.get(p + "/api-keys")).json()["items"][0]
    assert revoked["revoked_at"].endswith("Z")
    assert_problem(await operator.post(p + "/api-keys", json={"type": "root"}), 400)
