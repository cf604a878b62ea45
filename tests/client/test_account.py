"""AccountClient / AsyncAccountClient (v3): device token, login (and its OTP step),
user, logout on success, and the v3 error shape on failure."""

from __future__ import annotations

import pytest

from gatehouse_client import (
    AccountClient,
    AccountErrorBody,
    AsyncAccountClient,
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
)
from tests.client._support import Uniform
from tests.client.conftest import Live


async def test_a_device_token_logs_in_and_out(live: Live, account: Uniform) -> None:
    player = live.player()
    device = await account.new_device_token()
    assert device.token.startswith("gt_")

    with pytest.raises(NotFound) as logged_out:
        await account.user(token=device.token)
    assert logged_out.value.code == 10001 and logged_out.value.surface == "account-v3"

    result = await account.login(player.username, player.password, token=device.token)
    assert result.requires_otp is False and result.expires_at is None

    me = await account.user(token=device.token)
    assert (me.user_id, me.user_name, me.email) == (player.id, player.username, player.email)
    assert me.details.email_address == player.email
    assert me.access_level == 10 and me.trial_account_expiration_date is None
    assert me.request_ip == "127.0.0.1" and me.request_ip_country_code == ""

    await account.logout(token=device.token)
    with pytest.raises(NotFound):
        await account.user(token=device.token)


async def test_a_login_with_two_factor_needs_the_otp_step(live: Live, account: Uniform) -> None:
    player = live.player(totp=True)
    device = (await account.new_device_token(api_key=live.public_key)).token
    pending = await account.login(player.username, player.password, remember_me=True, token=device)
    assert pending.requires_otp is True
    assert pending.expires_at is not None and pending.expires_at == pending.otp_session_expires_at
    with pytest.raises(NotFound):  # not logged in before the code
        await account.user(token=device)

    with pytest.raises(Unauthorized) as wrong:
        await account.login_otp("000000", token=device)
    assert wrong.value.code == 10011
    await account.login_otp(player.code(), token=device)
    assert (await account.user(token=device)).user_id == player.id


async def test_refusals_carry_the_v3_shape(live: Live, account: Uniform) -> None:
    player = live.player()
    with pytest.raises(Forbidden) as bad_token:
        await account.user(token="gt_" + "x" * 43)
    assert bad_token.value.code == 10020 and bad_token.value.status == 403

    device = (await account.new_device_token()).token
    with pytest.raises(Unauthorized) as wrong:
        await account.login(player.username, "not the password", token=device)
    assert wrong.value.code == 10010

    with pytest.raises(ValidationFailed) as invalid:
        await account.login("", player.password, token=device)
    body = invalid.value.body
    assert isinstance(body, AccountErrorBody) and body.error_code == 10422
    assert [e.property for e in body.errors] == ["userName"]

    personal = live.cli("token", "create", "--user", str(player.id), "--json")["token"]
    with pytest.raises(Conflict) as already:
        await account.login(player.username, player.password, token=personal)
    assert already.value.code == 10013


async def test_the_client_token_is_used_when_none_is_given(live: Live, flavour: str) -> None:
    player = live.player()
    personal = live.cli("token", "create", "--user", str(player.id), "--json")["token"]
    cls = AsyncAccountClient if flavour == "async" else AccountClient
    client = Uniform(cls(live.base_url, personal))
    try:
        assert (await client.user()).user_name == player.username
        await client.logout()  # a personal token stays logged in
        assert (await client.user()).user_id == player.id
    finally:
        await client.close()
