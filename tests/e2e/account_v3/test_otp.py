"""Two-factor login: ``POST /v3/session/login`` then ``/login/otp``."""

from __future__ import annotations

import pytest

from ._support import V3, assert_v3_error, code_at, h, login, make_user, new_token


@pytest.fixture
async def totp_user(services, project_id):
    user = await make_user(services, project_id)
    enrolment = await services.credentials.enable_totp(user.id)
    return user, enrolment


async def otp(client, token: str, code: object):
    return await client.post(f"{V3}/login/otp", json={"otp": code}, headers=h(token))


async def start(client, clock, user) -> str:
    token = await new_token(client)
    r = await login(client, token, user)
    assert r.status_code == 200
    now = clock.now_us() // 1_000_000
    assert r.json() == {
        "requiresOtp": True,
        "expiresAt": now + 300,
        "otpSessionExpiresAt": now + 300,
    }
    assert_v3_error(await client.get(f"{V3}/user", headers=h(token)), 404)
    return token


async def test_totp_login(client, services, clock, totp_user) -> None:
    user, enrolment = totp_user
    token = await start(client, clock, user)
    r = await otp(client, token, code_at(enrolment.secret, clock))
    assert r.status_code == 204 and r.content == b""
    assert (await client.get(f"{V3}/user", headers=h(token))).json()["userId"] == user.id
    [session] = await services.sessions.list_active(user.id)
    assert session.factors == ("password", "totp")
    # Logged in now: no pending step any more.
    assert_v3_error(await otp(client, token, code_at(enrolment.secret, clock)), 404, 10012)


async def test_replayed_code_is_refused(client, clock, totp_user) -> None:
    user, enrolment = totp_user
    code = code_at(enrolment.secret, clock)
    first = await start(client, clock, user)
    assert (await otp(client, first, code)).status_code == 204
    second = await start(client, clock, user)
    assert_v3_error(await otp(client, second, code), 401, 10011)
    assert_v3_error(await client.get(f"{V3}/user", headers=h(second)), 404)


async def test_one_step_of_drift_either_way(client, clock, totp_user) -> None:
    user, enrolment = totp_user
    token = await start(client, clock, user)
    assert (await otp(client, token, code_at(enrolment.secret, clock, -30))).status_code == 204
    token = await start(client, clock, user)
    assert_v3_error(await otp(client, token, code_at(enrolment.secret, clock, +60)), 401, 10011)
    assert_v3_error(await otp(client, token, code_at(enrolment.secret, clock, -60)), 401, 10011)
    assert (await otp(client, token, code_at(enrolment.secret, clock, +30))).status_code == 204


async def test_window_closes_after_five_minutes(client, clock, totp_user) -> None:
    user, enrolment = totp_user
    token = await start(client, clock, user)
    clock.advance(301)
    assert_v3_error(await otp(client, token, code_at(enrolment.secret, clock)), 404, 10012)


async def test_five_wrong_codes_end_the_pending_login(client, clock, totp_user) -> None:
    user, enrolment = totp_user
    token = await start(client, clock, user)
    wrong = code_at(enrolment.secret, clock, 300)
    for _ in range(5):
        assert_v3_error(await otp(client, token, wrong), 401, 10011)
    assert_v3_error(await otp(client, token, code_at(enrolment.secret, clock)), 404, 10012)


async def test_recovery_code_works_once(client, clock, totp_user) -> None:
    user, enrolment = totp_user
    code = enrolment.recovery_codes[0]
    token = await start(client, clock, user)
    assert (await otp(client, token, code.upper())).status_code == 204
    token = await start(client, clock, user)
    assert_v3_error(await otp(client, token, code), 401, 10011)


async def test_otp_without_pending_login_is_404(client, services, clock, project_id) -> None:
    token = await new_token(client)
    assert_v3_error(await otp(client, token, "123456"), 404, 10012)
    assert_v3_error(await otp(client, "gt_nope", "123456"), 403, 10020)


@pytest.mark.parametrize(
    "bad",
    [
        "12345",
        "1234567",
        "abcdef",
        123456,
        None,
        "",
        "\uff11\uff12\uff13\uff14\uff15\uff16",
        "12 456",
        "abcd-efghi",
    ],
)
async def test_otp_shape_is_validated(client, clock, totp_user, bad) -> None:
    user, _ = totp_user
    token = await start(client, clock, user)
    errors = assert_v3_error(await otp(client, token, bad), 422, 10422)["errors"]
    assert [e["property"] for e in errors] == ["otp"]


async def test_logout_abandons_a_pending_login(client, clock, totp_user) -> None:
    user, enrolment = totp_user
    token = await start(client, clock, user)
    assert (await client.post(f"{V3}/logout", headers=h(token))).status_code == 204
    assert_v3_error(await otp(client, token, code_at(enrolment.secret, clock)), 404, 10012)
