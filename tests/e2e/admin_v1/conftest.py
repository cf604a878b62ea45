"""Fixtures of the admin API tests: an operator key, and two projects, each with
its own admin API key and one user (tests/conftest.py gives both backends)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from gatehouse.core.models import ApiKeyType
from gatehouse.wiring import Services
from tests.helpers import Tenant, make_tenant

PREFIX = "/admin/v1"


@dataclass
class Admin:
    """An HTTP client of the admin API with one key."""

    http: httpx.AsyncClient
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    async def request(self, method: str, path: str, **kw: object) -> httpx.Response:
        headers = {**self.headers, **kw.pop("headers", {})}  # type: ignore[dict-item]
        return await self.http.request(method, PREFIX + path, headers=headers, **kw)  # type: ignore[arg-type]

    async def get(self, path: str, **kw: object) -> httpx.Response:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, **kw: object) -> httpx.Response:
        return await self.request("POST", path, **kw)

    async def patch(self, path: str, **kw: object) -> httpx.Response:
        return await self.request("PATCH", path, **kw)

    async def put(self, path: str, **kw: object) -> httpx.Response:
        return await self.request("PUT", path, **kw)

    async def delete(self, path: str, **kw: object) -> httpx.Response:
        return await self.request("DELETE", path, **kw)


def assert_problem(response: httpx.Response, status: int, slug: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["type"].startswith("urn:gatehouse:problem:")
    assert isinstance(body["title"], str) and isinstance(body["detail"], str)
    if slug is not None:
        assert body["type"] == f"urn:gatehouse:problem:{slug}", body
    return body


@pytest.fixture
async def operator(client: httpx.AsyncClient, services: Services) -> Admin:
    _, key = await services.operator_keys.create("tests")
    return Admin(client, key)


@pytest.fixture
async def tenant_a(services: Services) -> Tenant:
    return await make_tenant(services, name="a")


@pytest.fixture
async def tenant_b(services: Services) -> Tenant:
    return await make_tenant(services, name="b")


@pytest.fixture
async def project_key(client: httpx.AsyncClient, services: Services, tenant_a: Tenant) -> Admin:
    """An admin API key of project A."""
    _, key = await services.projects.create_api_key(tenant_a.project_id, ApiKeyType.ADMIN, "a")
    return Admin(client, key)
