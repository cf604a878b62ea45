"""Authentication, the problem shape and projects."""

from __future__ import annotations

from gatehouse.core.models import ApiKeyType
from tests.helpers import Tenant

from .conftest import PREFIX, Admin, assert_problem


async def test_missing_or_wrong_key_is_401_with_www_authenticate(client, services) -> None:
    for headers in ({}, {"Authorization": "Bearer gko_nope"}, {"Authorization": "Basic x"}):
        answer = await client.get(PREFIX + "/projects", headers=headers)
        assert_problem(answer, 401, "invalid-credentials")
        assert answer.headers["www-authenticate"].startswith("Bearer")


async def test_server_and_public_keys_are_not_admin_keys(client, services, tenant_a) -> None:
    for kind in (ApiKeyType.SERVER, ApiKeyType.PUBLIC):
        _, key = await services.projects.create_api_key(tenant_a.project_id, kind)
        answer = await client.get(PREFIX + "/projects", headers={"Authorization": f"Bearer {key}"})
        assert_problem(answer, 401)


async def test_revoked_operator_key_is_refused(client, services) -> None:
    made, key = await services.operator_keys.create("old")
    await services.operator_keys.revoke(made.id)
    answer = await client.get(PREFIX + "/projects", headers={"Authorization": f"Bearer {key}"})
    assert_problem(answer, 401)


async def test_operator_sees_every_project_and_project_key_its_own(
    operator: Admin, project_key: Admin, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    everything = (await operator.get("/projects")).json()
    ids = [p["id"] for p in everything["items"]]
    assert ids == sorted(ids) and {tenant_a.project_id, tenant_b.project_id} <= set(ids)
    assert everything["next"] is None
    own = (await project_key.get("/projects")).json()
    assert [p["id"] for p in own["items"]] == [tenant_a.project_id]
    assert (await project_key.get(f"/projects/{tenant_a.project_id}")).status_code == 200
    assert_problem(await project_key.get(f"/projects/{tenant_b.project_id}"), 404)


async def test_create_project_is_for_operators_only(operator: Admin, project_key: Admin) -> None:
    assert_problem(await project_key.post("/projects", json={"name": "x"}), 403, "forbidden")
    made = await operator.post(
        "/projects",
        json={"name": " Space ", "session_limit": 3, "steam_web_api_key": "ABC"},
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["name"] == "Space" and body["session_limit"] == 3
    assert body["steam_web_api_key_set"] is True and "steam_web_api_key" not in body
    assert body["created_at"].endswith("Z")


async def test_project_patch_has_the_cli_rules(operator: Admin, tenant_a: Tenant) -> None:
    path = f"/projects/{tenant_a.project_id}"
    bad = await operator.patch(path, json={"max_ttl_seconds": 10})
    problem = assert_problem(bad, 400, "invalid-input")
    assert problem["errors"][0]["field"] == "session_ttl_seconds"
    assert (await operator.get(path)).json()["max_ttl_seconds"] == 365 * 86400
    good = await operator.patch(
        path, json={"session_ttl_seconds": 60, "max_ttl_seconds": 120, "ws_url": "wss://rt.x/ws"}
    )
    assert good.status_code == 200, good.text
    assert good.json()["max_ttl_seconds"] == 120 and good.json()["ws_url"] == "wss://rt.x/ws"
    wrong_type = await operator.patch(path, json={"session_limit": "many"})
    assert assert_problem(wrong_type, 400)["errors"][0]["field"] == "session_limit"
    unknown = await operator.patch(path, json={"nonsense": 1})
    assert_problem(unknown, 400)
    assert_problem(await operator.patch(path), 400)
    assert_problem(await operator.get("/projects/999999"), 404, "project-not-found")
    assert_problem(await operator.get("/projects/abc"), 404)


async def test_failed_key_checks_are_throttled_per_address(client, operator: Admin) -> None:
    wrong = {"Authorization": "Bearer gko_wrong"}
    for _ in range(60):
        assert (await client.get(PREFIX + "/projects", headers=wrong)).status_code == 401
    answer = await client.get(PREFIX + "/projects", headers=wrong)
    assert_problem(answer, 429, "rate-limited")
    assert int(answer.headers["retry-after"]) >= 1
    # over the limit even a right key waits (the address is throttled)
    assert_problem(await operator.get("/projects"), 429)
