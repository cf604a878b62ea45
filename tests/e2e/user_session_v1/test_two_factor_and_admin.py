"""Second factor (TOTP, recovery codes, trusted devices) and admin sign-in."""

from __future__ import annotations

import pyotp

from ._support import PW_HASH, Hive

A = "/v1/authenticate"


async def totp_user(hive: Hive):
    user = await hive.user()
    enrolment = await hive.services.credentials.enable_totp(user.id)
    return user, enrolment


def code(secret: str, clock) -> str:
    return pyotp.TOTP(secret).at(clock.now_us() // 1_000_000)


async def test_totp_prompt_then_code_then_no_replay(client, hive: Hive, clock) -> None:
    user, enrolment = await totp_user(hive)
    req = {"emailAddress": user.email, "passwordHash": PW_HASH}
    r = await client.put(A, headers=hive.h(), json=req)
    assert r.status_code == 200
    assert r.json()["promptForTwoFactor"] is True and r.json()["authenticatedSession"] is None
    assert r.json()["intent"] == "login"
    otp = code(enrolment.secret, clock)
    req["twoFactor"] = {"twoFactorCode": otp}
    r = await client.put(A, headers=hive.h(), json=req)
    assert r.status_code == 200, r.text
    assert r.json()["authenticatedSession"]["authenticatedWith"] == ["password", "totp"]
    replay = await client.put(A, headers=hive.h(), json=req)
    assert replay.status_code == 401
    assert replay.json()["fields"] is None and replay.json()["data"]["promptForTwoFactor"] is True


async def test_recovery_code_works_once(client, hive: Hive) -> None:
    user, enrolment = await totp_user(hive)
    req = {
        "emailAddress": user.email,
        "passwordHash": PW_HASH,
        "twoFactor": {"twoFactorCode": enrolment.recovery_codes[0]},
    }
    r = await client.put(A, headers=hive.h(), json=req)
    assert r.status_code == 200, r.text
    assert r.json()["authenticatedSession"]["authenticatedWith"] == ["password", "recovery-code"]
    assert (await client.put(A, headers=hive.h(), json=req)).status_code == 401


async def test_second_factor_guessing_is_throttled(client, hive: Hive) -> None:
    user, _ = await totp_user(hive)
    req = {
        "emailAddress": user.email,
        "passwordHash": PW_HASH,
        "twoFactor": {"twoFactorCode": "000000"},
    }
    codes = [(await client.put(A, headers=hive.h(), json=req)).status_code for _ in range(7)]
    assert codes[:5] == [401] * 5 and codes[-1] == 429
    r = await client.put(A, headers=hive.h(), json=req)
    assert r.json()["code"] == 6002 and r.headers["Retry-After"]


async def test_trusted_device_skips_two_factor_for_30_days(client, hive: Hive, clock) -> None:
    user, enrolment = await totp_user(hive)
    device = {"deviceIdentifier": "console-1234", "deviceIdentifierFriendlyName": "Living room"}
    base = {"emailAddress": user.email, "passwordHash": PW_HASH}
    r = await client.put(
        A,
        headers=hive.h(),
        json={
            **base,
            "twoFactor": {
                **device,
                "twoFactorCode": code(enrolment.secret, clock),
                "trustThisDevice": True,
            },
        },
    )
    assert r.status_code == 200 and r.json()["authenticatedSession"]
    clock.advance(86_400)
    r = await client.put(A, headers=hive.h(), json={**base, "twoFactor": device})
    assert r.status_code == 200, r.text
    assert r.json()["authenticatedSession"]["authenticatedWith"] == ["password"]
    # Another device still needs the code.
    r = await client.put(A, headers=hive.h(), json={**base, "twoFactor": {"deviceIdentifier": "x"}})
    assert r.json()["promptForTwoFactor"] is True
    # Only a keyed hash is stored, and the trust lapses after 30 days.
    devices = await hive.services.trusted_devices.list_active(user.id)
    assert len(devices) == 1 and "console-1234" not in devices[0].device_hash
    clock.advance(30 * 86_400)
    r = await client.put(A, headers=hive.h(), json={**base, "twoFactor": device})
    assert r.json()["promptForTwoFactor"] is True


async def test_admin_sign_in_creates_a_default_project(client, services, hive: Hive) -> None:
    user = await hive.user()
    req = {
        "emailAddress": user.email,
        "passwordHash": PW_HASH,
        "requestedRole": "builtin:admin",
        "promptForProject": True,
    }
    r = await client.put(A, headers=hive.h(), json=req)
    assert r.status_code == 200, r.text
    s = r.json()["authenticatedSession"]
    assert s["projectId"] != str(hive.project_id)
    admin = {"X-API-Key": s["apiKey"]}
    # The admin session acts as an admin key of its project.
    assert (
        await client.get("/v1/session", params={"id": s["id"]}, headers=admin)
    ).status_code == 200
    other = await client.put(
        A, headers=hive.h(), json={"emailAddress": user.email, "passwordHash": PW_HASH}
    )
    other_id = other.json()["authenticatedSession"]["id"]
    r = await client.get("/v1/session", params={"id": other_id}, headers=admin)
    assert r.status_code == 404  # a session of another project
    # Next time the project is offered instead.
    r = await client.put(A, headers=hive.h(), json=req)
    assert r.json()["authenticatedSession"] is None
    assert r.json()["availableProjects"] == [
        {"id": s["projectId"], "name": f"{user.username}'s project"}
    ]
    r = await client.put(A, headers=hive.h(), json={**req, "projectId": s["projectId"]})
    assert r.json()["authenticatedSession"]["projectId"] == s["projectId"]


async def test_admin_project_scoping_and_403(client, services, hive: Hive) -> None:
    user = await hive.user()
    await services.projects.add_admin(hive.project_id, user.id)
    base = {"emailAddress": user.email, "passwordHash": PW_HASH}
    # An admin key defaults to builtin:admin and the key's project.
    r = await client.put(A, headers=hive.h("admin"), json=base)
    assert r.status_code == 200, r.text
    s = r.json()["authenticatedSession"]
    assert s["projectId"] == str(hive.project_id)
    r = await client.put(
        A,
        headers=hive.h(),
        json={**base, "requestedRole": "builtin:admin", "promptForProject": True},
    )
    assert [p["id"] for p in r.json()["availableProjects"]] == [str(hive.project_id)]
    foreign = await services.projects.create("not yours")
    r = await client.put(
        A,
        headers=hive.h(),
        json={**base, "requestedRole": "builtin:admin", "projectId": str(foreign.id)},
    )
    assert r.status_code == 403 and r.json()["fields"] == "projectId"
    plain = await hive.user()
    r = await client.put(
        A, headers=hive.h("admin"), json={"emailAddress": plain.email, "passwordHash": PW_HASH}
    )
    assert r.status_code == 403
    # The admin session may act on any session of its project.
    mine = await client.put(
        A, headers=hive.h(), json={"emailAddress": plain.email, "passwordHash": PW_HASH}
    )
    sid = mine.json()["authenticatedSession"]["id"]
    r = await client.delete("/v1/session", params={"id": sid}, headers={"X-API-Key": s["apiKey"]})
    assert r.status_code == 200 and r.json() is True
