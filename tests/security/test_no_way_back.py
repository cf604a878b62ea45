"""A credential change leaves no way back in: besides ending every session
(test_credential_changes.py), it forgets the user's trusted devices and ends
every sign-in waiting for its second step, and a sign-in that verified the old
credentials while they were being changed starts nothing."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from gatehouse.core.clock import FrozenClock
from gatehouse.services.throttling import SECOND_FACTOR_PER_ACCOUNT
from gatehouse.wiring import Services

from ._support import (
    V1,
    V3,
    Account,
    address,
    api_key,
    assert_v1_throttled,
    at,
    device_token,
    make_account,
    totp_code,
)
from .test_credential_changes import CHANGES, change

DEVICE = {"deviceIdentifier": "console-1234", "deviceIdentifierFriendlyName": "Living room"}
NEW_PASSWORD = "a brand new passphrase"


async def hive(client: httpx.AsyncClient, key: str, body: dict, caller: str) -> httpx.Response:
    return await client.put(
        f"{V1}/authenticate", headers={"X-API-Key": key, **at(caller)}, json=body
    )


async def trust_this_device(
    client: httpx.AsyncClient, key: str, account: Account, clock: FrozenClock
) -> None:
    assert account.totp_secret is not None
    body = account.hive_body()
    body["twoFactor"] = {
        **DEVICE,
        "twoFactorCode": totp_code(account.totp_secret, clock),
        "trustThisDevice": True,
    }
    r = await hive(client, key, body, "192.0.2.10")
    assert r.json()["authenticatedSession"] is not None, r.text
    clock.advance(30)
    # The device now skips the second factor.
    r = await hive(client, key, {**account.hive_body(), "twoFactor": DEVICE}, "192.0.2.10")
    assert r.json()["authenticatedSession"] is not None, r.text


@pytest.mark.parametrize("what", [c for c in CHANGES if c != "totp-enable"])
async def test_a_credential_change_forgets_trusted_devices(
    client, services: Services, project_id: int, clock: FrozenClock, what: str
) -> None:
    account = await make_account(services, project_id, totp=True)
    bystander = await make_account(services, project_id, totp=True, name="bystander")
    key = await api_key(services, project_id)
    await trust_this_device(client, key, account, clock)
    await trust_this_device(client, key, bystander, clock)

    await change(services, account, what)

    assert await services.trusted_devices.list_active(account.user.id) == []
    assert len(await services.trusted_devices.list_active(bystander.user.id)) == 1
    if what == "password":
        account.password = NEW_PASSWORD
        r = await hive(client, key, {**account.hive_body(), "twoFactor": DEVICE}, "192.0.2.10")
        # The device that was trusted must pass the second factor again.
        assert r.status_code == 200 and r.json()["authenticatedSession"] is None, r.text
        assert r.json()["promptForTwoFactor"] is True


@pytest.mark.parametrize("what", CHANGES[:1] + CHANGES[2:])
async def test_a_credential_change_ends_pending_v3_sign_ins(
    client, services: Services, project_id: int, clock: FrozenClock, what: str
) -> None:
    account = await make_account(services, project_id, totp=True)
    token = await device_token(client)
    headers = {"PRIVATE-TOKEN": token, **at("192.0.2.20")}
    login = await client.post(f"{V3}/login", headers=headers, json=account.v3_body())
    assert login.json()["requiresOtp"] is True, login.text

    await change(services, account, what)

    assert account.totp_secret is not None
    otp = {"otp": totp_code(account.totp_secret, clock)}
    r = await client.post(f"{V3}/login/otp", headers=headers, json=otp)
    assert r.status_code == 404 and r.json()["errorCode"] == 10012, r.text
    assert await services.sessions.list_active(account.user.id) == []


async def test_a_failed_trusted_device_probe_counts_as_a_second_factor_failure(
    client, services: Services, project_id: int, clock: FrozenClock
) -> None:
    account = await make_account(services, project_id, totp=True)
    key = await api_key(services, project_id)
    probe = {**account.hive_body(), "twoFactor": {"deviceIdentifier": "guessed-device"}}
    for i in range(SECOND_FACTOR_PER_ACCOUNT.attempts):
        r = await hive(client, key, probe, address(i))
        assert r.status_code == 200 and r.json()["authenticatedSession"] is None, r.text
    # The right code, from a clean address: the account's second factor is throttled.
    assert account.totp_secret is not None
    right = account.hive_body(code=totp_code(account.totp_secret, clock))
    assert_v1_throttled(await hive(client, key, right, "192.0.2.30"))


async def test_a_password_changed_while_a_sign_in_verifies_the_old_one_starts_nothing(
    client, services: Services, project_id: int, monkeypatch
) -> None:
    account = await make_account(services, project_id)
    key = await api_key(services, project_id)
    original = services.passwords.verify
    changed = asyncio.Event()

    async def verify_then_owner_changes_password(stored, candidate):  # type: ignore[no-untyped-def]
        result = await original(stored, candidate)
        if not changed.is_set():  # the owner recovers the account meanwhile
            changed.set()
            await services.credentials.set_password(account.user.id, NEW_PASSWORD)
        return result

    monkeypatch.setattr(services.passwords, "verify", verify_then_owner_changes_password)
    r = await hive(client, key, account.hive_body(), "192.0.2.40")
    assert r.status_code == 401 and r.json()["code"] == 1002, r.text
    assert await services.sessions.list_active(account.user.id) == []


async def test_a_password_changed_between_v3_login_and_its_otp_starts_nothing(
    client, services: Services, project_id: int, clock: FrozenClock, monkeypatch
) -> None:
    """The pending sign-in is written after the change ended the pending ones: its
    stamp (of the old password) still keeps the second step from starting anything."""
    account = await make_account(services, project_id, totp=True)
    token = await device_token(client)
    headers = {"PRIVATE-TOKEN": token, **at("192.0.2.50")}
    original = services.passwords.verify

    async def verify_then_owner_changes_password(stored, candidate):  # type: ignore[no-untyped-def]
        result = await original(stored, candidate)
        await services.credentials.set_password(account.user.id, NEW_PASSWORD)
        return result

    monkeypatch.setattr(services.passwords, "verify", verify_then_owner_changes_password)
    login = await client.post(f"{V3}/login", headers=headers, json=account.v3_body())
    monkeypatch.setattr(services.passwords, "verify", original)
    if login.status_code == 200:  # answered before the change was seen: the OTP step fails
        assert account.totp_secret is not None
        otp = {"otp": totp_code(account.totp_secret, clock)}
        r = await client.post(f"{V3}/login/otp", headers=headers, json=otp)
        assert r.status_code in (401, 404), r.text
    else:
        assert login.status_code == 401, login.text
    assert await services.sessions.list_active(account.user.id) == []
