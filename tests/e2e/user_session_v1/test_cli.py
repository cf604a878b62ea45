"""The HiveMP CLI commands: API keys, project Steam policy, admins, Steam links."""

from __future__ import annotations

import asyncio
import json

import pytest
from click.testing import CliRunner

from gatehouse.cli import main
from gatehouse.core.passwords import prehash

from ._support import STEAM_ID, TICKET, steam_body


@pytest.fixture
def cli(gatehouse_env: dict[str, str]):
    """The CLI in the servers' environment (same database, same Redis), as an
    operator runs it: a revocation must reach the running server's caches."""
    runner = CliRunner()
    env = dict(gatehouse_env)

    def run(args: tuple[str, ...], input: str | None) -> dict:
        result = runner.invoke(main, list(args), env=env, input=input, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout) if "--json" in args else {}

    async def invoke(*args: str, input: str | None = None) -> dict:
        # The CLI runs its own event loop: keep it off the test's.
        return await asyncio.to_thread(run, args, input)

    return invoke, runner, env


async def test_cli_sets_up_a_hivemp_project(cli, client, steam) -> None:
    invoke, runner, env = cli
    p = (await invoke("project", "create", "Game", "--json"))["id"]
    shown = await invoke(
        "project",
        "set",
        str(p),
        "--steam-app-id",
        "480",
        "--steam-web-api-key",
        "test-web-api-key",
        "--no-steam-auto-create",
        "--password-registration",
        "--session-limit",
        "5",
        "--json",
    )
    assert shown["steam_app_id"] == 480 and shown["steam_web_api_key_set"] is True
    assert shown["steam_auto_create"] is False and shown["password_registration"] is True
    assert shown["session_limit"] == 5
    key = await invoke("api-key", "create", "--project", str(p), "--type", "public", "--json")
    assert key["key"].startswith("gk_") and isinstance(key["id"], int)
    user = await invoke(
        "user",
        "create",
        "--project",
        str(p),
        "--username",
        "ann",
        "--email",
        "ann@example.com",
        "--password-stdin",
        "--json",
        input="hunter2hunter2\n",
    )
    u = user["id"]
    await invoke("user", "link-steam", "--user", str(u), "--steam-id", STEAM_ID, "--json")
    h = {"X-API-Key": key["key"]}
    r = await client.put("/v1/authenticate", headers=h, json=steam_body(TICKET))
    assert r.status_code == 200, r.text
    assert r.json()["authenticatedSession"]["accountId"] == str(u)
    r = await client.put(
        "/v1/authenticate",
        headers=h,
        json={
            "emailAddress": "ann@example.com",
            "passwordHash": prehash("hunter2hunter2"),
            "requestedRole": "builtin:admin",
        },
    )
    assert r.status_code == 403
    await invoke("project", "add-admin", "--project", str(p), "--user", str(u), "--json")
    r = await client.put(
        "/v1/authenticate",
        headers=h,
        json={
            "emailAddress": "ann@example.com",
            "passwordHash": prehash("hunter2hunter2"),
            "requestedRole": "builtin:admin",
        },
    )
    assert r.status_code == 200 and r.json()["authenticatedSession"]["projectId"] == str(p)
    await invoke("user", "unlink-steam", "--user", str(u))
    r = await client.put("/v1/authenticate", headers=h, json=steam_body(TICKET))
    assert r.json()["authenticatedSession"] is None  # no auto-create: prompts instead
    await invoke("api-key", "revoke", str(key["id"]))
    assert (await client.put("/v1/authenticate", headers=h)).status_code == 401
    bad = await asyncio.to_thread(
        runner.invoke, main, ["user", "unlink-steam", "--user", str(u)], env=env
    )
    assert bad.exit_code != 0


async def test_cli_lists_and_forgets_trusted_devices(cli, client, hive, clock) -> None:
    from datetime import UTC, datetime

    import pyotp

    from ._support import PW_HASH

    invoke, _, _ = cli
    clock.set(datetime.now(UTC))  # the CLI runs on the real clock
    user = await hive.user()
    enrolment = await hive.services.credentials.enable_totp(user.id)
    device = {"deviceIdentifier": "console-1234", "deviceIdentifierFriendlyName": "Living room"}
    code = pyotp.TOTP(enrolment.secret).at(datetime.now(UTC))
    body = {"emailAddress": user.email, "passwordHash": PW_HASH}
    trusted = await client.put(
        "/v1/authenticate",
        headers=hive.h(),
        json={**body, "twoFactor": {**device, "twoFactorCode": code, "trustThisDevice": True}},
    )
    assert trusted.json()["authenticatedSession"] is not None

    listed = await invoke("user", "devices", "--user", str(user.id), "--json")
    assert [d["name"] for d in listed["devices"]] == ["Living room"]
    assert "console-1234" not in json.dumps(listed)
    await invoke("user", "forget-device", "--user", str(user.id), listed["devices"][0]["id"])
    assert (await invoke("user", "devices", "--user", str(user.id), "--json"))["devices"] == []
    again = await client.put(
        "/v1/authenticate", headers=hive.h(), json={**body, "twoFactor": device}
    )
    assert again.json()["promptForTwoFactor"] is True
