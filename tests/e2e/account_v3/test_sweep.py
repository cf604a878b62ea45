"""The sweeper removes idle logged-out device tokens and closed OTP windows, and
nothing that is still in use."""

from __future__ import annotations

from sqlalchemy import func, select

from gatehouse.adapters.store.tables import access_tokens, pending_sign_ins
from tests.e2e.account_v3._support import login, make_user, new_token


async def count(services, table) -> int:
    async with services.db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_sweep_removes_only_what_is_dead(client, services, clock, project_id) -> None:
    user = await make_user(services, project_id)
    totp_user = await make_user(services, project_id, "bob")
    await services.credentials.enable_totp(totp_user.id)

    idle = await new_token(client)
    logged_in = await new_token(client)
    waiting = await new_token(client)
    assert (await login(client, logged_in, user, rememberMe=1)).status_code == 200
    assert (await login(client, waiting, totp_user)).json()["requiresOtp"] is True
    assert await count(services, access_tokens) == 3
    assert await count(services, pending_sign_ins) == 1

    clock.advance(25 * 3600)  # past the 24 h idle expiry and the 5 min OTP window
    removed = await services.account_tokens.sweep(batch=1)  # several small batches
    assert removed == 3  # the idle token, the abandoned one, and the closed OTP window
    assert await count(services, pending_sign_ins) == 0
    assert await count(services, access_tokens) == 1
    me = await client.get("/v3/session/user", headers={"PRIVATE-TOKEN": logged_in})
    assert me.status_code == 200
    gone = await client.get("/v3/session/user", headers={"PRIVATE-TOKEN": idle})
    assert gone.status_code == 403
