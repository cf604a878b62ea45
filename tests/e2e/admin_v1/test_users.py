"""Users: create, search, read, change, password, two-factor, Steam, disable,
enable, delete."""

from __future__ import annotations

from gatehouse.core.models import SessionOrigin
from gatehouse.core.passwords import prehash
from gatehouse.wiring import Services
from tests.e2e.user_session_v1._support import make_hive
from tests.helpers import Tenant

from .conftest import Admin, assert_problem

PASSWORD = "correct horse battery staple"
STEAM_ID = "76561197960287930"


async def test_create_read_search_and_change(operator: Admin, tenant_a: Tenant) -> None:
    p = f"/projects/{tenant_a.project_id}"
    made = await operator.post(
        p + "/users",
        json={"username": "alice", "email": " Alice@Example.org ", "access_level": 20},
    )
    assert made.status_code == 201, made.text
    alice = made.json()
    assert alice["email"] == "alice@example.org" and alice["access_level"] == 20
    assert alice["has_password"] is False and alice["disabled"] is False
    assert_problem(await operator.post(p + "/users", json={"username": "alice"}), 409, "conflict")
    bad = await operator.post(p + "/users", json={"username": "bob", "password": "x"})
    assert assert_problem(bad, 400)["errors"][0]["field"] == "password"
    assert_problem(await operator.post(p + "/users", json={"email": "x@y.z"}), 400)

    found = (await operator.get(p + "/users", params={"email": "ALICE@example.org"})).json()
    assert [u["id"] for u in found["items"]] == [alice["id"]]
    assert (await operator.get(p + "/users", params={"username": "nobody"})).json()["items"] == []
    one = await operator.get(f"{p}/users/{alice['id']}")
    assert one.json() == alice

    changed = await operator.patch(
        f"{p}/users/{alice['id']}",
        json={"first_name": "Alice", "email": "new@example.org", "email_validated": True},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["first_name"] == "Alice" and changed.json()["email_validated"] is True
    assert_problem(await operator.patch(f"{p}/users/{alice['id']}", json={"access_level": 5}), 400)
    assert_problem(await operator.get(f"{p}/users/{tenant_a.user_id + 1000}"), 404)


async def test_search_by_steam_id_and_link(operator: Admin, tenant_a: Tenant) -> None:
    u = f"/projects/{tenant_a.project_id}/users/{tenant_a.user_id}"
    linked = await operator.put(u + "/steam", json={"steam_id": STEAM_ID})
    assert linked.status_code == 200, linked.text
    found = await operator.get(
        f"/projects/{tenant_a.project_id}/users", params={"steam_id": STEAM_ID}
    )
    assert [x["id"] for x in found.json()["items"]] == [tenant_a.user_id]
    assert_problem(await operator.put(u + "/steam", json={"steam_id": "abc"}), 400)
    assert (await operator.delete(u + "/steam")).status_code == 204
    assert_problem(await operator.delete(u + "/steam"), 404)
    found = await operator.get(
        f"/projects/{tenant_a.project_id}/users", params={"steam_id": STEAM_ID}
    )
    assert found.json()["items"] == []


async def test_password_and_two_factor_end_sessions(
    operator: Admin, services: Services, tenant_a: Tenant
) -> None:
    u = f"/projects/{tenant_a.project_id}/users/{tenant_a.user_id}"
    project = await services.projects.get(tenant_a.project_id)
    await services.sessions.start(
        project=project, user_id=tenant_a.user_id, origin=SessionOrigin.CLI
    )
    assert_problem(await operator.put(u + "/password", json={"password": "short"}), 400)
    done = await operator.put(u + "/password", json={"password": PASSWORD})
    assert done.status_code == 200 and done.json()["sessions_ended"] == 1
    user = await services.accounts.get_user(tenant_a.user_id)
    assert user.has_password
    await services.credentials.enable_totp(tenant_a.user_id)
    assert (await operator.get(u)).json()["two_factor_enabled"] is True
    assert (await operator.delete(u + "/two-factor")).status_code == 204
    assert (await operator.get(u)).json()["two_factor_enabled"] is False


async def test_disable_refuses_every_sign_in_and_ends_sessions(
    client, operator: Admin, services: Services
) -> None:
    hive = await make_hive(services)
    user = await hive.user()
    project = await services.projects.get(hive.project_id)
    issued = await services.sessions.start(
        project=project, user_id=user.id, origin=SessionOrigin.CLI
    )
    c, secret = await services.projects.create_client(user.id, "game")
    personal, _ = await services.account_tokens.create_personal_token(user.id)
    u = f"/projects/{hive.project_id}/users/{user.id}"

    off = await operator.post(u + "/disable")
    assert off.status_code == 200 and off.json()["disabled"] is True
    assert off.json()["disabled_at"].endswith("Z")
    # the session ended: its token is dead
    bearer = {"Authorization": f"Bearer {issued.publisher}"}
    assert (await client.get("/session-storage/session", headers=bearer)).status_code == 401
    # Session Storage creation
    storage = await client.post(
        "/session-storage/session", headers={"ClientID": c.id, "ClientSecret": secret}
    )
    assert storage.status_code == 403, storage.text
    # HiveMP v1 password sign-in
    v1 = await client.put(
        "/v1/authenticate",
        headers=hive.h(),
        json={"emailAddress": user.email, "passwordHash": prehash("correct horse battery")},
    )
    assert v1.status_code == 403, v1.text
    # v3 login and a personal token
    token = (await client.post("/v3/session/token", headers=hive.h())).json()["token"]
    v3 = await client.post(
        "/v3/session/login",
        headers={"PRIVATE-TOKEN": token},
        json={"userName": user.username, "password": "correct horse battery"},
    )
    assert v3.status_code in (401, 403), v3.text
    assert v3.json()["errorCode"] != 0
    me = await client.get("/v3/session/user", headers={"PRIVATE-TOKEN": personal.token})
    assert me.status_code in (401, 403), me.text

    on = await operator.post(u + "/enable")
    assert on.status_code == 200 and on.json()["disabled"] is False
    storage = await client.post(
        "/session-storage/session", headers={"ClientID": c.id, "ClientSecret": secret}
    )
    assert storage.status_code == 201, storage.text


async def test_delete_removes_everything_and_kills_tokens(
    client, operator: Admin, services: Services, tenant_a: Tenant
) -> None:
    project = await services.projects.get(tenant_a.project_id)
    issued = await services.sessions.start(
        project=project, user_id=tenant_a.user_id, origin=SessionOrigin.CLI
    )
    await services.sign_in_accounts.link_steam(tenant_a.user_id, STEAM_ID)
    u = f"/projects/{tenant_a.project_id}/users/{tenant_a.user_id}"
    assert (await operator.delete(u)).status_code == 204
    assert_problem(await operator.get(u), 404, "user-not-found")
    bearer = {"Authorization": f"Bearer {issued.publisher}"}
    assert (await client.get("/session-storage/session", headers=bearer)).status_code == 401
    creds = {"ClientID": tenant_a.client_id, "ClientSecret": tenant_a.client_secret}
    assert (await client.post("/session-storage/session", headers=creds)).status_code == 401
    clients = await operator.get(f"/projects/{tenant_a.project_id}/clients")
    assert clients.json()["items"] == []
    events = (await operator.get(f"/projects/{tenant_a.project_id}/audit-events")).json()
    deleted = [e for e in events["items"] if e["action"] == "user-deleted"]
    assert len(deleted) == 1 and deleted[0]["actor"].startswith("operator-key:")
    assert all(e["ip"] == "" for e in events["items"] if e["user_id"] == tenant_a.user_id)
    assert_problem(await operator.delete(u), 404)


async def test_a_disabled_user_cannot_sign_in_on_the_account_pages(
    client, operator: Admin, services: Services, tenant_a: Tenant
) -> None:
    from tests.security.test_account_pages_guessing import post_sign_in, sign_in_form

    user = await services.accounts.get_user(tenant_a.user_id)
    await services.credentials.set_password(user.id, PASSWORD)
    u = f"/projects/{tenant_a.project_id}/users/{user.id}"
    assert (await operator.post(u + "/disable")).status_code == 200
    form = await sign_in_form(client, tenant_a.project_id)
    refused = await post_sign_in(client, tenant_a.project_id, form, user.username, PASSWORD, 1)
    assert refused.status_code == 403 and "switched off" in refused.text, refused.text
    assert await services.sessions.list_active(user.id) == []
    assert (await operator.post(u + "/enable")).status_code == 200
    form = await sign_in_form(client, tenant_a.project_id)
    await post_sign_in(client, tenant_a.project_id, form, user.username, PASSWORD, 2)
    assert len(await services.sessions.list_active(user.id)) == 1
