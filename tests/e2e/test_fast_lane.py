"""The fast lane (api/_common/fastpath.py) answers hot reads outside the framework.
It must be invisible: for every request it serves, the answer is byte for byte
what the Litestar handler gives, errors included (one renderer per surface), and
every request it is unsure about goes on to Litestar."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from gatehouse.core.models import ApiKeyType
from gatehouse.core.passwords import prehash
from gatehouse.services.accounts import NewUser
from gatehouse.settings import Settings
from gatehouse.wiring import Services
from tests.helpers import make_tenant, serve_app


@pytest.fixture
async def both(services: Services, settings: Settings):
    """(fast, framework-only) clients over the same services and database."""
    slow_settings = dataclasses.replace(settings, fast_lane=False)
    async with (
        serve_app(settings, services) as fast,
        serve_app(slow_settings, services, lifespan=False) as slow,
    ):
        yield fast, slow


def same(a: httpx.Response, b: httpx.Response) -> None:
    assert a.status_code == b.status_code
    assert a.content == b.content
    assert a.headers["content-type"] == b.headers["content-type"]


async def test_every_fast_route_answers_exactly_like_the_framework(both, services) -> None:
    fast, slow = both
    tenant = await make_tenant(services)
    created = (await fast.post("/session-storage/session", headers=tenant.headers)).json()["data"]
    password = "fast lane password"
    user = await services.accounts.create_user(
        tenant.project_id, NewUser(username="fl", email="fl@example.com", password=password)
    )
    personal, _ = await services.account_tokens.create_personal_token(user.id)
    _, public = await services.projects.create_api_key(tenant.project_id, ApiKeyType.PUBLIC)
    _, server = await services.projects.create_api_key(tenant.project_id, ApiKeyType.SERVER)
    signed_in = await fast.put(
        "/v1/authenticate",
        headers={"X-API-Key": public},
        json={"emailAddress": "fl@example.com", "passwordHash": prehash(password)},
    )
    hive = signed_in.json()["authenticatedSession"]
    for _ in range(3):
        await fast.post("/session-storage/session", headers=tenant.headers)
    listed = await fast.get("/session-storage/sessions?page_size=2", headers=tenant.headers)
    next_page = listed.json()["next_page_token"]
    assert next_page

    requests = [
        ("GET", "/session-storage/session", {"Authorization": f"Bearer {created['publisher']}"}),
        ("GET", f"/session-storage/sessions/{created['id']}", tenant.headers),
        ("GET", "/v3/session/user", {"PRIVATE-TOKEN": personal.token}),
        ("GET", "/v1/session", {"X-API-Key": hive["apiKey"]}),
        ("GET", f"/v1/session?id={hive['id']}", {"X-API-Key": server}),
        ("POST", "/v1/session", {"X-API-Key": hive["apiKey"]}),
        ("GET", "/session-storage/sessions", tenant.headers),
        ("GET", "/session-storage/sessions?page_size=2", tenant.headers),
        ("GET", f"/session-storage/sessions?page_size=2&page_token={next_page}", tenant.headers),
        ("GET", "/session-storage/sessions?page_token=", tenant.headers),
        ("GET", "/session-storage/sessions?page_size=100", tenant.headers),
        # Errors, from the lane or from Litestar: each surface's own shape.
        ("GET", "/session-storage/session", {"Authorization": "Bearer gs_unknown"}),
        ("GET", "/session-storage/sessions/1.00000000.00000000", tenant.headers),
        ("GET", f"/session-storage/sessions/{created['id']}?x=1", tenant.headers),
        ("GET", "/v3/session/user", {"PRIVATE-TOKEN": "gt_unknown"}),
        ("GET", "/v1/session?id=1.00000000.00000000", {"X-API-Key": server}),
        ("GET", "/v1/session?id=a&id=b", {"X-API-Key": server}),
        ("POST", "/v1/session", {"X-API-Key": public}),
        ("GET", "/session-storage/sessions?page_size=0", tenant.headers),
        ("GET", "/session-storage/sessions?page_size=101", tenant.headers),
        ("GET", "/session-storage/sessions?page_size=020", tenant.headers),
        ("GET", "/session-storage/sessions?page_size=2&page_size=3", tenant.headers),
        ("GET", "/session-storage/sessions?page_token=garbage", tenant.headers),
        ("GET", "/session-storage/sessions?sort=desc", tenant.headers),
        ("GET", "/session-storage/sessions", {"ClientID": tenant.client_id, "ClientSecret": "x"}),
    ]
    for method, url, headers in requests:
        a = await fast.request(method, url, headers=headers)
        b = await slow.request(method, url, headers=headers)
        same(a, b)


async def test_a_failing_store_falls_back_to_the_framework_error(both, services, monkeypatch):
    fast, _ = both

    async def broken(token: str) -> None:
        raise RuntimeError("storage is down")

    monkeypatch.setattr(services.sessions, "resolve", broken)
    answer = await fast.get("/session-storage/session", headers={"Authorization": "Bearer gs_x"})
    assert answer.status_code == 500
    assert answer.json()["ok"] is False and answer.json()["errors"][0]["status"] == 500


async def test_sure_requests_never_reach_the_framework(services) -> None:
    from gatehouse.api import session_storage
    from gatehouse.api._common.fastpath import fast_lane

    tenant = await make_tenant(services)
    project = await services.projects.get(tenant.project_id)
    issued = await services.sessions.start(project=project, user_id=tenant.user_id, origin="cli")
    reached: list[str] = []

    async def framework(scope, receive, send) -> None:
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    lane = fast_lane(framework, session_storage.FAST_ROUTES, services)
    transport = httpx.ASGITransport(app=lane)
    async with httpx.AsyncClient(transport=transport, base_url="http://gh") as http:
        good = await http.get(
            "/session-storage/session", headers={"Authorization": f"Bearer {issued.publisher}"}
        )
        assert good.status_code == 200 and good.json()["data"]["id"] == issued.session.id
        listed = await http.get("/session-storage/sessions?page_size=5", headers=tenant.headers)
        assert listed.status_code == 200
        assert [s["id"] for s in listed.json()["data"]] == [issued.session.id]
        assert reached == []
        # A credential a service has looked at is answered here, error included, so
        # it is checked (and counted) once; a request without one goes on.
        bad = await http.get("/session-storage/session", headers={"Authorization": "Bearer x"})
        assert bad.status_code == 401 and bad.json()["errors"][0]["status"] == 401
        assert reached == []
        bare = await http.get("/session-storage/session")
        assert bare.status_code == 418 and reached == ["/session-storage/session"]
