"""Keyset pages, the audit trail (with its actor) and the personal-data export."""

from __future__ import annotations

import asyncio

from gatehouse.core.models import SessionOrigin
from gatehouse.services.accounts import NewUser
from gatehouse.wiring import Services
from tests.helpers import Tenant

from .conftest import Admin, assert_problem


async def _walk(admin: Admin, path: str, **params: object) -> list[dict]:
    items: list[dict] = []
    after = None
    while True:
        query = {**params, **({"after": after} if after else {})}
        page = await admin.get(path, params=query)
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["items"]) <= int(params.get("limit", 50))  # type: ignore[arg-type]
        items += body["items"]
        after = body["next"]
        if after is None:
            return items


async def test_users_page_by_page(operator: Admin, services: Services, tenant_a: Tenant) -> None:
    for i in range(6):
        await services.accounts.create_user(tenant_a.project_id, NewUser(username=f"p{i}"))
    path = f"/projects/{tenant_a.project_id}/users"
    first = (await operator.get(path, params={"limit": 3})).json()
    assert len(first["items"]) == 3 and first["next"]
    walked = await _walk(operator, path, limit=3)
    ids = [u["id"] for u in walked]
    assert len(ids) == 7 and ids == sorted(ids)
    assert [u["id"] for u in await _walk(operator, path, limit=200)] == ids


async def test_bad_limits_and_tampered_cursors_are_400(
    operator: Admin, tenant_a: Tenant, tenant_b: Tenant, services: Services
) -> None:
    for i in range(3):
        await services.accounts.create_user(tenant_a.project_id, NewUser(username=f"q{i}"))
    path = f"/projects/{tenant_a.project_id}/users"
    for limit in ("0", "201", "x"):
        problem = assert_problem(await operator.get(path, params={"limit": limit}), 400)
        assert problem["errors"][0]["field"] == "limit"
    cursor = (await operator.get(path, params={"limit": 1})).json()["next"]
    tampered = cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BA")
    problem = assert_problem(await operator.get(path, params={"after": tampered}), 400)
    assert problem["errors"][0]["field"] == "after"
    # a cursor of one listing is no good for another (project, filter or resource)
    other = f"/projects/{tenant_b.project_id}/users"
    assert_problem(await operator.get(other, params={"after": cursor}), 400)
    assert_problem(await operator.get(path, params={"after": cursor, "username": "q1"}), 400)
    assert_problem(await operator.get("/projects", params={"after": cursor}), 400)


async def test_every_listing_pages(
    clock, operator: Admin, services: Services, tenant_a: Tenant
) -> None:
    project = await services.projects.get(tenant_a.project_id)
    for _ in range(3):
        await services.sessions.start(
            project=project, user_id=tenant_a.user_id, origin=SessionOrigin.CLI
        )
        await services.projects.create_client(tenant_a.user_id, "more")
        await services.projects.create_api_key(tenant_a.project_id, "server")  # type: ignore[arg-type]
        await services.projects.create("more")
        clock.advance(1)
    p = f"/projects/{tenant_a.project_id}"
    u = f"{p}/users/{tenant_a.user_id}"
    assert len(await _walk(operator, u + "/sessions", limit=2)) == 3
    assert len(await _walk(operator, p + "/clients", limit=2)) == 4
    assert len(await _walk(operator, p + "/api-keys", limit=2)) == 3
    assert len(await _walk(operator, "/projects", limit=2)) == 4
    events = await _walk(operator, p + "/audit-events", limit=2)
    stamps = [(e["at"], e["id"]) for e in events]
    assert stamps == sorted(stamps, reverse=True) and len(set(stamps)) == len(stamps)


async def test_changes_are_audited_with_their_actor(
    clock, operator: Admin, project_key: Admin, services: Services, tenant_a: Tenant
) -> None:
    p = f"/projects/{tenant_a.project_id}"
    made = (await operator.post(p + "/users", json={"username": "audited"})).json()
    clock.advance(10)
    await project_key.post(f"{p}/users/{made['id']}/disable")
    events = (await operator.get(p + "/audit-events", params={"user_id": made["id"]})).json()
    actions = [(e["action"], e["actor"], e["origin"]) for e in events["items"]]
    op_key = operator.key
    assert actions[0][0] == "user-disabled" and actions[0][1].startswith("api-key:")
    assert actions[-1][0] == "user-created" and actions[-1][1].startswith("operator-key:")
    assert all(origin == "admin" for _, _, origin in actions)
    assert op_key not in str(events)
    only = await operator.get(p + "/audit-events", params={"action": "user-created"})
    assert {e["action"] for e in only.json()["items"]} == {"user-created"}
    created_at = events["items"][-1]["at"]
    since = await operator.get(
        p + "/audit-events", params={"user_id": made["id"], "since": events["items"][0]["at"]}
    )
    assert [e["action"] for e in since.json()["items"]] == ["user-disabled"]
    until = await operator.get(
        p + "/audit-events",
        params={"user_id": made["id"], "until": events["items"][0]["at"]},
    )
    assert "user-disabled" not in [e["action"] for e in until.json()["items"]]
    assert created_at.endswith("Z")
    problem = assert_problem(await operator.get(p + "/audit-events", params={"since": "soon"}), 400)
    assert problem["errors"][0]["field"] == "since"


async def test_export_holds_everything_but_secrets(
    operator: Admin, services: Services, tenant_a: Tenant
) -> None:
    project = await services.projects.get(tenant_a.project_id)
    await services.sessions.start(
        project=project,
        user_id=tenant_a.user_id,
        origin=SessionOrigin.CLI,
        ip="198.51.100.9",
        user_agent="launcher/2",
    )
    await services.sign_in_accounts.link_steam(tenant_a.user_id, "76561197960287930")
    user = await services.accounts.get_user(tenant_a.user_id)
    await services.credentials.trust_device(user, "device-1", "Alice's PC")
    answer = await operator.get(f"/projects/{tenant_a.project_id}/users/{tenant_a.user_id}/export")
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["user"]["id"] == tenant_a.user_id
    assert data["linked_identities"][0]["subject"] == "76561197960287930"
    assert data["sessions"][0]["ip"] == "198.51.100.9"
    assert data["sessions"][0]["user_agent"] == "launcher/2"
    assert data["trusted_devices"][0]["name"] == "Alice's PC"
    assert set(data["trusted_devices"][0]) == {"name", "trusted_at", "expires_at"}
    assert data["clients"][0]["client_id"] == tenant_a.client_id
    assert "client_secret" not in data["clients"][0]
    assert any(e["action"] == "steam-linked" for e in data["audit_events"])
    text = answer.text
    assert tenant_a.client_secret not in text and "hash" not in text.replace("has_password", "")


async def test_concurrent_requests_do_not_leak_the_actor(
    operator: Admin, project_key: Admin, tenant_a: Tenant
) -> None:
    p = f"/projects/{tenant_a.project_id}"
    await asyncio.gather(
        *(
            (operator if i % 2 else project_key).post(p + "/users", json={"username": f"c{i}"})
            for i in range(6)
        )
    )
    events = (await operator.get(p + "/audit-events", params={"action": "user-created"})).json()
    by_actor = {e["actor"].split(":")[0] for e in events["items"]}
    assert by_actor >= {"operator-key", "api-key"}
