"""``PRIVATE-TOKEN`` checks through the shared cache (postgres+redis): a warm check
sends no SQL at all, and every change — logout, a login as someone else, a session
ended on another surface or by another process, a password or second-factor
change, a TTL change, a token swept away — is seen by the very next check. The
change tests run on both backends: without Redis they pin the same behaviour."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select

from gatehouse.adapters.store.tables import access_tokens
from gatehouse.core.clock import FrozenClock
from gatehouse.services.account_tokens import DEVICE_IDLE_SECONDS, TOUCH_EVERY_SECONDS
from gatehouse.settings import Settings
from gatehouse.wiring import Services
from tests.helpers import sql_sent
from tests.live_server import _env, cli

from ._support import PASSWORD, V3, assert_v3_error, code_at, h, login, make_user, new_token

postgres_redis = pytest.mark.parametrize("database_url", ["postgres+redis"], indirect=True)
US = 1_000_000


async def me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get(f"{V3}/user", headers=h(token))


async def warm(client: httpx.AsyncClient, services: Services, token: str) -> httpx.Response:
    """Check twice: with the shared cache, the second answer must come from it (so
    what a test changes next is really in the cache, not only in the database)."""
    first = await me(client, token)
    with sql_sent() as sent:
        again = await me(client, token)
    assert (again.status_code, again.content) == (first.status_code, first.content)
    if services.token_cache is not None:
        assert sent == [], sent
    return again


def user_of(r: httpx.Response) -> str:
    assert r.status_code == 200, r.text
    return str(r.json()["userName"])


async def session_of(services: Services, user_id: int) -> str:
    (session,) = await services.sessions.list_active(user_id)
    return session.id


# -- no SQL on a warm check ------------------------------------------------------------------


@postgres_redis
async def test_a_warm_check_sends_no_sql(client, services: Services, project_id: int) -> None:
    user = await make_user(services, project_id)
    device = await new_token(client)
    assert (await login(client, device, user)).status_code == 200
    personal = (await services.account_tokens.create_personal_token(user.id))[0].token
    logged_out = await new_token(client)

    for token, status in ((device, 200), (personal, 200), (logged_out, 404)):
        with sql_sent() as cold:
            assert (await me(client, token)).status_code == status
        assert len(cold) == 1, cold  # the one resolve statement (the counter sees SQL)
        with sql_sent() as hot:
            for _ in range(3):
                r = await me(client, token)
                assert r.status_code == status
                if status == 200:
                    assert r.json()["userName"] == user.username
                    assert r.json()["email"] == user.email
        assert hot == [], hot

    # Redis holds keyed hashes of the tokens, never the tokens themselves.
    assert services.redis is not None
    redis = services.redis.redis
    keys = await redis.execute("KEYS", services.redis.prefix + "*")
    stored = b"\n".join([*keys, *[await redis.execute("GET", k) for k in keys]])
    for token in (device, personal, logged_out):
        assert token.encode() not in stored
        assert f"v3:{services.tokens.hash(token)}".encode() in stored


@postgres_redis
async def test_a_warm_token_slides_its_expiry_with_one_write_and_no_read(
    client, services: Services, clock: FrozenClock, project_id: int
) -> None:
    token = await new_token(client)  # logged out: its idle expiry is all that keeps it
    await warm(client, services, token)

    clock.advance(TOUCH_EVERY_SECONDS + 1)
    with sql_sent() as touch:
        assert_v3_error(await me(client, token), 404, 10001)
    assert len(touch) == 1 and touch[0].lstrip().upper().startswith("UPDATE"), touch
    with sql_sent() as hot:
        assert_v3_error(await me(client, token), 404, 10001)
    assert hot == []  # the cached entry carries the moved expiry: no second write
    async with services.db.read() as conn:
        stored = (
            await conn.execute(
                select(access_tokens.c.expires_at).where(
                    access_tokens.c.token_hash == services.tokens.hash(token)
                )
            )
        ).scalar_one()
    assert stored == clock.now_us() + DEVICE_IDLE_SECONDS * US

    clock.advance(DEVICE_IDLE_SECONDS - 1)  # used just in time: slides again
    assert_v3_error(await me(client, token), 404, 10001)
    clock.advance(DEVICE_IDLE_SECONDS + 1)  # unused for a day: refused, cache or not
    assert_v3_error(await me(client, token), 403, 10020)


# -- every change is seen by the next check (both backends) -------------------------------


async def test_logout_then_a_login_as_someone_else(
    client, services: Services, project_id: int
) -> None:
    alice = await make_user(services, project_id, "alice")
    bob = await make_user(services, project_id, "bob")
    token = await new_token(client)
    assert (await login(client, token, alice)).status_code == 200
    assert user_of(await warm(client, services, token)) == alice.username

    assert (await client.post(f"{V3}/logout", headers=h(token))).status_code == 204
    assert_v3_error(await me(client, token), 404, 10001)
    await warm(client, services, token)

    assert (await login(client, token, bob)).status_code == 200
    assert user_of(await me(client, token)) == bob.username
    assert user_of(await warm(client, services, token)) == bob.username


async def test_a_login_with_a_second_step_is_seen_once_the_step_is_done(
    client, services: Services, clock: FrozenClock, project_id: int
) -> None:
    alice = await make_user(services, project_id, "alice")
    enrolment = await services.credentials.enable_totp(alice.id)
    token = await new_token(client)
    await warm(client, services, token)  # logged out, and cached so

    assert (await login(client, token, alice)).json()["requiresOtp"] is True
    assert_v3_error(await me(client, token), 404, 10001)  # waiting for the code
    body = {"otp": code_at(enrolment.secret, clock)}
    assert (await client.post(f"{V3}/login/otp", json=body, headers=h(token))).status_code == 204
    assert user_of(await me(client, token)) == alice.username
    assert user_of(await warm(client, services, token)) == alice.username


async def test_a_session_ended_through_session_storage_then_a_login_as_someone_else(
    client, services: Services, project_id: int
) -> None:
    alice = await make_user(services, project_id, "alice")
    bob = await make_user(services, project_id, "bob")
    storage_client, secret = await services.projects.create_client(alice.id, "tests")
    storage = {"ClientID": storage_client.id, "ClientSecret": secret}
    token = await new_token(client)
    assert (await login(client, token, alice)).status_code == 200
    assert user_of(await warm(client, services, token)) == alice.username

    session_id = await session_of(services, alice.id)
    r = await client.delete(f"/session-storage/sessions/{session_id}", headers=storage)
    assert r.status_code == 204
    assert_v3_error(await me(client, token), 404, 10001)

    # The token still names the dead session in the cache: the login rebinds it anyway.
    assert (await login(client, token, bob)).status_code == 200
    assert user_of(await me(client, token)) == bob.username
    assert user_of(await warm(client, services, token)) == bob.username


async def test_a_password_change_ends_the_warm_device_token_not_the_personal_one(
    client, services: Services, project_id: int
) -> None:
    alice = await make_user(services, project_id, "alice")
    device = await new_token(client)
    assert (await login(client, device, alice)).status_code == 200
    personal = (await services.account_tokens.create_personal_token(alice.id))[0].token
    await warm(client, services, device)
    await warm(client, services, personal)

    assert await services.credentials.set_password(alice.id, PASSWORD + " again") == 1
    assert_v3_error(await me(client, device), 404, 10001)
    assert user_of(await me(client, personal)) == alice.username
    assert (await login(client, device, alice)).status_code == 401  # the old password
    r = await login(client, device, alice, password=PASSWORD + " again")
    assert r.status_code == 200
    assert user_of(await me(client, device)) == alice.username


async def test_a_second_factor_enrolment_reaches_the_cached_user_at_once(
    client, services: Services, project_id: int
) -> None:
    alice = await make_user(services, project_id, "alice")
    personal = (await services.account_tokens.create_personal_token(alice.id))[0].token
    await warm(client, services, personal)
    before = await services.account_tokens.resolve(personal, caller="203.0.113.7")
    assert before.user is not None and not before.user.totp_enabled

    await services.credentials.enable_totp(alice.id)
    after = await services.account_tokens.resolve(personal, caller="203.0.113.7")
    assert after.user is not None and after.user.totp_enabled
    await services.credentials.disable_totp(alice.id)
    again = await services.account_tokens.resolve(personal, caller="203.0.113.7")
    assert again.user is not None and not again.user.totp_enabled


async def test_a_ttl_change_moves_the_expiry_the_warm_token_sees(
    client, services: Services, clock: FrozenClock, project_id: int
) -> None:
    alice = await make_user(services, project_id, "alice")
    storage_client, secret = await services.projects.create_client(alice.id, "tests")
    storage = {"ClientID": storage_client.id, "ClientSecret": secret}
    token = await new_token(client)
    assert (await login(client, token, alice, rememberMe=1)).status_code == 200
    await warm(client, services, token)

    session_id = await session_of(services, alice.id)
    url = f"/session-storage/sessions/{session_id}?ttl_seconds=60"
    assert (await client.post(url, headers=storage)).status_code == 204
    assert user_of(await warm(client, services, token)) == alice.username
    clock.advance(61)
    assert_v3_error(await me(client, token), 404, 10001)


async def test_an_idle_token_swept_away_is_refused(
    client, services: Services, clock: FrozenClock, project_id: int
) -> None:
    token = await new_token(client)
    await warm(client, services, token)
    clock.advance(DEVICE_IDLE_SECONDS + 1)
    assert await services.account_tokens.sweep() == 1
    assert_v3_error(await me(client, token), 403, 10020)


async def test_changes_made_by_the_cli_in_another_process(
    client,
    services: Services,
    settings: Settings,
    gatehouse_env: dict[str, str],
    clock: FrozenClock,
    project_id: int,
) -> None:
    """``gatehouse session revoke`` and ``gatehouse user totp enable`` run against the
    same database (and Redis) while this server's entries are warm."""
    clock.set(datetime.now(UTC))  # the CLI's clock is the real one
    alice = await make_user(services, project_id, "alice")
    token = await new_token(client)
    assert (await login(client, token, alice)).status_code == 200
    personal = (await services.account_tokens.create_personal_token(alice.id))[0].token
    await warm(client, services, token)
    await services.account_tokens.resolve(personal, caller="203.0.113.7")
    env = {**_env(settings.data_dir), **gatehouse_env}

    cli(env, settings.data_dir, "session", "revoke", await session_of(services, alice.id))
    assert_v3_error(await me(client, token), 404, 10001)

    assert (await login(client, token, alice)).status_code == 200
    await warm(client, services, token)
    cli(env, settings.data_dir, "user", "totp", "enable", "--user", str(alice.id), "--json")
    assert_v3_error(await me(client, token), 404, 10001)
    seen = await services.account_tokens.resolve(personal, caller="203.0.113.7")
    assert seen.user is not None and seen.user.totp_enabled
