"""CORS is closed by default: no route of any surface — framework or fast lane,
preflight or actual request, success or error — tells a browser that another
origin may read it. (Gatehouse's callers are games, game servers and back-ends,
not web pages of other origins; a deployment that needs CORS adds it in its proxy.)
"""

from __future__ import annotations

import httpx

from gatehouse.wiring import Services
from tests.helpers import make_tenant

from ._support import SS, V1, V3, api_key

ORIGIN = "https://evil.example"


def assert_no_cors(r: httpx.Response) -> None:
    leaked = {k for k in r.headers if k.lower().startswith("access-control-")}
    assert not leaked, (r.request.method, str(r.request.url), r.status_code, dict(r.headers))


async def test_no_route_answers_with_cors_headers(
    client, services: Services, project_id: int
) -> None:
    tenant = await make_tenant(services, project_id)
    created = (await client.post(f"{SS}/session", headers=tenant.headers)).json()["data"]
    personal, _ = await services.account_tokens.create_personal_token(tenant.user_id)
    public = await api_key(services, project_id)
    signed = {
        f"{SS}/session": {"Authorization": f"Bearer {created['publisher']}"},
        f"{SS}/sessions": tenant.headers,
        f"{SS}/sessions/{created['id']}": tenant.headers,
        f"{V3}/user": {"PRIVATE-TOKEN": personal.token},
        f"{V1}/session": {"X-API-Key": created["publisher"]},
        "/healthz": {},
        "/nowhere": {},
    }
    for path, headers in signed.items():
        preflight = await client.options(
            path,
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "clientid, clientsecret, private-token",
            },
        )
        assert_no_cors(preflight)
        for method in ("GET", "POST", "DELETE"):
            r = await client.request(method, path, headers={**headers, "Origin": ORIGIN})
            assert_no_cors(r)
    # Sign-in answers carry secrets: they above all must not be readable cross-origin.
    r = await client.put(
        f"{V1}/authenticate", headers={"X-API-Key": public, "Origin": ORIGIN}, json={}
    )
    assert r.status_code == 200
    assert_no_cors(r)
    r = await client.post(f"{V3}/token", headers={"Origin": ORIGIN})
    assert r.status_code == 201
    assert_no_cors(r)
