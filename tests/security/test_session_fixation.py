"""Session fixation: a sign-in never adopts a credential the server did not issue.

* v3: ``login`` binds a new session to the device token it was called with, and
  only to a token the server minted (``POST /v3/session/token``): a token the
  client made up is refused (403) and never becomes logged in.
* HiveMP: every sign-in mints a new session and a new ``apiKey``, never the
  ``X-API-Key`` it was called with; a made-up key is refused.
* Session Storage: creation mints every bearer token itself; a token offered in
  the request is ignored.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select

from gatehouse.adapters.store.tables import access_tokens
from gatehouse.core.clock import FrozenClock
from gatehouse.wiring import Services
from tests.helpers import make_tenant

from ._support import SS, V1, V3, api_key, device_token, hive_sign_in, make_account


async def bound_session(services: Services, token: str) -> str | None:
    async with services.db.read() as conn:
        row = (
            await conn.execute(
                select(access_tokens.c.session_id).where(
                    access_tokens.c.token_hash == services.tokens.hash(token)
                )
            )
        ).first()
    assert row is not None, "the token was never issued"
    return row.session_id  # type: ignore[no-any-return]


async def test_a_private_token_the_server_did_not_issue_never_logs_in(
    client, services: Services, project_id: int
) -> None:
    account = await make_account(services, project_id)
    for chosen in (f"gt_{secrets.token_urlsafe(32)}", secrets.token_urlsafe(32), "gt_"):
        headers = {"PRIVATE-TOKEN": chosen}
        r = await client.post(f"{V3}/login", headers=headers, json=account.v3_body())
        assert r.status_code == 403 and r.json()["errorCode"] == 10020, r.text
        assert (await client.get(f"{V3}/user", headers=headers)).status_code == 403
    assert await services.sessions.list_active(account.user.id) == []


async def test_v3_login_binds_a_new_session_to_that_token_only(
    client, services: Services, project_id: int
) -> None:
    account = await make_account(services, project_id)
    mine, bystander = await device_token(client), await device_token(client)
    headers = {"PRIVATE-TOKEN": mine}
    assert (await client.post(f"{V3}/login", headers=headers, json=account.v3_body())).is_success

    sessions = await services.sessions.list_active(account.user.id)
    assert len(sessions) == 1
    assert await bound_session(services, mine) == sessions[0].id
    assert await bound_session(services, bystander) is None
    assert (await client.get(f"{V3}/user", headers={"PRIVATE-TOKEN": bystander})).status_code == 404

    # A second login on a logged-in token is refused, not merged into its session.
    again = await client.post(f"{V3}/login", headers=headers, json=account.v3_body())
    assert again.status_code == 409 and again.json()["errorCode"] == 10013
    assert [s.id for s in await services.sessions.list_active(account.user.id)] == [sessions[0].id]

    # Logging out ends the session; logging in again starts a new one.
    assert (await client.post(f"{V3}/logout", headers=headers)).status_code == 204
    assert (await client.post(f"{V3}/login", headers=headers, json=account.v3_body())).is_success
    renewed = await services.sessions.list_active(account.user.id)
    assert len(renewed) == 1 and renewed[0].id != sessions[0].id
    assert await bound_session(services, mine) == renewed[0].id


async def test_hivemp_sign_in_always_mints_a_new_api_key(
    client, services: Services, project_id: int, clock: FrozenClock
) -> None:
    account = await make_account(services, project_id)
    await services.projects.add_admin(project_id, account.user.id)
    public = await api_key(services, project_id, "public")
    admin = await api_key(services, project_id, "admin")

    first = await hive_sign_in(client, public, account, clock)
    second = await hive_sign_in(client, public, account, clock)
    as_admin = await hive_sign_in(client, admin, account, clock)
    keys = [first["apiKey"], second["apiKey"], as_admin["apiKey"]]
    assert len(set(keys)) == 3 and all(k.startswith("gs_") for k in keys)
    assert not {public, admin} & set(keys)
    assert len({first["id"], second["id"], as_admin["id"]}) == 3

    # A session's own key cannot sign in again (so it cannot be carried into a new
    # session), and a key the client made up is not adopted.
    own = await client.put(
        f"{V1}/authenticate", headers={"X-API-Key": first["apiKey"]}, json=account.hive_body()
    )
    assert own.status_code == 403, own.text
    made_up = f"gs_{secrets.token_urlsafe(32)}"
    r = await client.put(
        f"{V1}/authenticate", headers={"X-API-Key": made_up}, json=account.hive_body()
    )
    assert r.status_code == 401, r.text
    assert (await client.get(f"{V1}/session", headers={"X-API-Key": made_up})).status_code == 401


async def test_session_storage_never_takes_a_token_from_the_request(
    client, services: Services, project_id: int
) -> None:
    tenant = await make_tenant(services, project_id)
    chosen = f"gs_{secrets.token_urlsafe(32)}"
    body = {
        "data": {"publisher": chosen, "subscriber": [chosen], "subscriber_count": 1},
        "publisher": chosen,
    }
    created = await client.post(f"{SS}/session", headers=tenant.headers, json=body)
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    assert chosen not in (data["publisher"], *data["subscriber"])
    who = await client.get(f"{SS}/session", headers={"Authorization": f"Bearer {chosen}"})
    assert who.status_code == 401
