"""A project's admin key never sees another project: every route under another
project answers 404 (and changes nothing); operator-only routes are 403."""

from __future__ import annotations

import pytest

from gatehouse.api.admin_v1 import SURFACE
from gatehouse.core.models import ApiKeyType, SessionOrigin
from gatehouse.wiring import Services
from tests.helpers import Tenant

from .conftest import Admin, assert_problem

PROJECT_ROUTES = [
    (r.method, r.template) for r in SURFACE.routes if r.template.startswith("/projects/{")
]
BODIES = {
    ("POST", "/projects/{project_id}/users"): {"username": "mallory"},
    ("PATCH", "/projects/{project_id}"): {"name": "stolen"},
    ("PATCH", "/projects/{project_id}/users/{user_id}"): {"first_name": "M"},
    ("PUT", "/projects/{project_id}/users/{user_id}/password"): {"password": "x" * 20},
    ("PUT", "/projects/{project_id}/users/{user_id}/steam"): {"steam_id": "76561197960287930"},
    ("POST", "/projects/{project_id}/clients"): {"user_id": 1, "name": "x"},
    ("POST", "/projects/{project_id}/api-keys"): {"type": "admin"},
}


def test_every_project_route_is_covered() -> None:
    assert len(PROJECT_ROUTES) == 27


@pytest.mark.parametrize(("method", "template"), PROJECT_ROUTES)
async def test_a_project_key_gets_404_under_another_project(
    method: str,
    template: str,
    project_key: Admin,
    operator: Admin,
    services: Services,
    tenant_b: Tenant,
) -> None:
    session = await services.sessions.start(
        project=await services.projects.get(tenant_b.project_id),
        user_id=tenant_b.user_id,
        origin=SessionOrigin.CLI,
    )
    key_id, _ = await services.projects.create_api_key(tenant_b.project_id, ApiKeyType.SERVER)
    path = (
        template.replace("{project_id}", str(tenant_b.project_id))
        .replace("{user_id}", str(tenant_b.user_id))
        .replace("{session_id}", session.session.id)
        .replace("{client_id}", tenant_b.client_id)
        .replace("{key_id}", str(key_id))
    )
    body = BODIES.get((method, template))
    answer = await project_key.request(method, path, json=body)
    assert_problem(answer, 404)
    # nothing changed: B's user, session, client and key are all still there
    user_path = f"/projects/{tenant_b.project_id}/users/{tenant_b.user_id}"
    assert (await operator.get(user_path)).json()["disabled"] is False
    assert (await operator.get(f"/projects/{tenant_b.project_id}")).json()["name"] != "stolen"
    live = await operator.get(f"/projects/{tenant_b.project_id}/sessions/{session.session.id}")
    assert live.status_code == 200
    client = await operator.get(f"/projects/{tenant_b.project_id}/clients/{tenant_b.client_id}")
    assert client.json()["disabled"] is False
    keys = (await operator.get(f"/projects/{tenant_b.project_id}/api-keys")).json()["items"]
    assert all(k["revoked_at"] is None for k in keys)


async def test_the_same_routes_work_in_the_key_s_own_project(
    project_key: Admin, tenant_a: Tenant
) -> None:
    p = f"/projects/{tenant_a.project_id}"
    for path in ("", "/users", "/clients", "/api-keys", "/audit-events"):
        assert (await project_key.get(p + path)).status_code == 200, path
    made = await project_key.post(p + "/users", json={"username": "own"})
    assert made.status_code == 201


async def test_a_project_key_cannot_make_projects(project_key: Admin) -> None:
    assert_problem(await project_key.post("/projects", json={"name": "x"}), 403, "forbidden")


async def test_a_project_key_cannot_reach_another_project_s_objects_by_id(
    project_key: Admin, services: Services, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    """Ids of B's objects under A's own project path are not found either."""
    session = await services.sessions.start(
        project=await services.projects.get(tenant_b.project_id),
        user_id=tenant_b.user_id,
        origin=SessionOrigin.CLI,
    )
    key_id, _ = await services.projects.create_api_key(tenant_b.project_id, ApiKeyType.SERVER)
    a = f"/projects/{tenant_a.project_id}"
    assert_problem(await project_key.get(f"{a}/users/{tenant_b.user_id}"), 404)
    assert_problem(await project_key.delete(f"{a}/users/{tenant_b.user_id}"), 404)
    assert_problem(await project_key.get(f"{a}/sessions/{session.session.id}"), 404)
    assert_problem(await project_key.delete(f"{a}/sessions/{session.session.id}"), 404)
    assert_problem(await project_key.get(f"{a}/clients/{tenant_b.client_id}"), 404)
    assert_problem(await project_key.post(f"{a}/clients/{tenant_b.client_id}/disable"), 404)
    assert_problem(await project_key.delete(f"{a}/api-keys/{key_id}"), 404)
    made = await project_key.post(f"{a}/clients", json={"user_id": tenant_b.user_id})
    assert_problem(made, 404)
