"""A revoked API key or a disabled client application is refused on the very next
request — also on the fast-lane routes, also with Redis in front (postgres+redis),
and also when an operator does it with the CLI from another process."""

from __future__ import annotations

import pytest

from gatehouse.core.clock import FrozenClock
from gatehouse.core.models import ApiKeyType
from gatehouse.settings import Settings
from gatehouse.wiring import Services
from tests.helpers import make_tenant
from tests.live_server import _env, cli

from ._support import SS, V1, V3, hive_sign_in, make_account


@pytest.mark.parametrize("kind", ["public", "server", "admin"])
async def test_a_revoked_api_key_is_refused_at_once(
    client, services: Services, project_id: int, clock: FrozenClock, kind: str
) -> None:
    account = await make_account(services, project_id)
    await services.projects.add_admin(project_id, account.user.id)
    key_id, key = await services.projects.create_api_key(project_id, ApiKeyType(kind))
    _, public = await services.projects.create_api_key(project_id, ApiKeyType.PUBLIC)
    session = await hive_sign_in(client, public, account, clock)
    headers = {"X-API-Key": key}
    if kind == "public":
        sign_in = account.hive_body()
        assert (await client.put(f"{V1}/authenticate", headers=headers, json=sign_in)).is_success
        assert (await client.post(f"{V3}/token", headers=headers)).status_code == 201
    else:
        url = f"{V1}/session?id={session['id']}"
        assert (await client.get(url, headers=headers)).status_code == 200

    await services.projects.revoke_api_key(key_id)

    if kind == "public":
        r = await client.put(f"{V1}/authenticate", headers=headers, json=account.hive_body())
        assert r.status_code == 401 and r.json()["code"] == 1002, r.text
        assert (await client.post(f"{V3}/token", headers=headers)).status_code == 403
    else:
        for method in ("GET", "POST", "DELETE"):  # GET and POST are fast-lane routes
            r = await client.request(method, f"{V1}/session?id={session['id']}", headers=headers)
            assert r.status_code == 401 and r.json()["code"] == 1002, (method, r.text)
    # The session itself (signed in with another key) is untouched.
    mine = await client.get(f"{V1}/session", headers={"X-API-Key": session["apiKey"]})
    assert mine.status_code == 200


async def test_a_disabled_client_is_refused_at_once(
    client, services: Services, project_id: int
) -> None:
    tenant = await make_tenant(services, project_id)
    created = (await client.post(f"{SS}/session", headers=tenant.headers)).json()["data"]
    one = f"{SS}/sessions/{created['id']}"
    assert (await client.get(one, headers=tenant.headers)).status_code == 200  # fast lane

    await services.projects.set_client_disabled(tenant.client_id, True)

    for method, url in [
        ("GET", one),
        ("GET", f"{SS}/sessions"),
        ("POST", f"{SS}/session"),
        ("POST", f"{one}?ttl_seconds=60"),
        ("DELETE", one),
    ]:
        r = await client.request(method, url, headers=tenant.headers)
        assert r.status_code == 403, (method, url, r.text)
        assert r.json()["errors"][0]["type"] == "/errors/client-disabled"


async def test_cli_revocations_are_refused_by_the_running_server_at_once(
    client, services: Services, settings: Settings, gatehouse_env: dict[str, str], project_id: int
) -> None:
    """``gatehouse api-key revoke`` and ``gatehouse client disable`` run in another
    process, against the same database (and Redis), while the server is warm."""
    tenant = await make_tenant(services, project_id)
    created = (await client.post(f"{SS}/session", headers=tenant.headers)).json()["data"]
    one = f"{SS}/sessions/{created['id']}"
    key_id, key = await services.projects.create_api_key(project_id, ApiKeyType.SERVER)
    _, public = await services.projects.create_api_key(project_id, ApiKeyType.PUBLIC)
    by_key = f"{V1}/session?id={created['id']}"
    assert (await client.get(one, headers=tenant.headers)).status_code == 200
    assert (await client.get(by_key, headers={"X-API-Key": key})).status_code == 200

    env = {**_env(settings.data_dir), **gatehouse_env}
    cli(env, settings.data_dir, "api-key", "revoke", str(key_id))
    cli(env, settings.data_dir, "client", "disable", tenant.client_id)

    assert (await client.get(by_key, headers={"X-API-Key": key})).status_code == 401
    assert (await client.get(one, headers=tenant.headers)).status_code == 403
    # Other credentials of the project are untouched.
    assert (await client.get(by_key, headers={"X-API-Key": public})).status_code == 403
