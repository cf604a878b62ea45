"""A password change or a TOTP reset (enrol, re-enrol, turn off) ends every session of
the user, on every surface, at once — also when Redis has the tokens cached
(postgres+redis) — and nobody else's.

What survives, by design (docs/security.md): the user's client applications and
personal access tokens are credentials an operator issued, not sessions; they are
revoked on their own (``gatehouse client disable``, deleting the user).
"""

from __future__ import annotations

import httpx
import pytest

from gatehouse.core.clock import FrozenClock
from gatehouse.wiring import Services

from ._support import SS, V1, V3, Account, api_key, hive_sign_in, make_account, v3_login

CHANGES = ["password", "totp-enable", "totp-reenrol", "totp-disable"]


class Signed:
    """One user's sessions on every surface, and the calls that prove them alive."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.bearers: list[str] = []  # Session Storage publisher + subscriber
        self.api_keys: list[str] = []  # HiveMP session apiKeys
        self.devices: list[str] = []  # v3 device tokens, logged in

    @classmethod
    async def everywhere(
        cls,
        client: httpx.AsyncClient,
        services: Services,
        project_id: int,
        account: Account,
        clock: FrozenClock,
    ) -> Signed:
        signed = cls(client)
        own_client, secret = await services.projects.create_client(account.user.id)
        creds = {"ClientID": own_client.id, "ClientSecret": secret}
        created = await client.post(
            f"{SS}/session", headers=creds, json={"data": {"subscriber_count": 1}}
        )
        assert created.status_code == 201, created.text
        signed.bearers += [
            created.json()["data"]["publisher"],
            *created.json()["data"]["subscriber"],
        ]
        public = await api_key(services, project_id)
        signed.api_keys.append((await hive_sign_in(client, public, account, clock))["apiKey"])
        clock.advance(30)  # a fresh TOTP step: codes are single-use
        signed.devices.append(await v3_login(client, account, clock))
        clock.advance(30)
        return signed

    async def statuses(self) -> list[int]:
        """200 for each credential that still answers as a live session."""
        out = []
        for bearer in self.bearers:
            r = await self.client.get(
                f"{SS}/session", headers={"Authorization": f"Bearer {bearer}"}
            )
            out.append(r.status_code)
        for key in self.api_keys:
            out.append(
                (await self.client.get(f"{V1}/session", headers={"X-API-Key": key})).status_code
            )
        for token in self.devices:
            r = await self.client.get(f"{V3}/user", headers={"PRIVATE-TOKEN": token})
            out.append(r.status_code)
        return out


async def change(services: Services, account: Account, what: str) -> None:
    user_id = account.user.id
    if what == "password":
        await services.credentials.set_password(user_id, "a brand new passphrase")
    elif what in ("totp-enable", "totp-reenrol"):
        await services.credentials.enable_totp(user_id)
    else:
        await services.credentials.disable_totp(user_id)


@pytest.mark.parametrize("what", CHANGES)
async def test_a_credential_change_ends_every_session_of_the_user(
    client, services: Services, project_id: int, clock: FrozenClock, what: str
) -> None:
    account = await make_account(services, project_id, totp=what != "totp-enable")
    bystander = await make_account(services, project_id, name="bystander")
    mine = await Signed.everywhere(client, services, project_id, account, clock)
    theirs = await Signed.everywhere(client, services, project_id, bystander, clock)
    # Every credential answered once, so with Redis each is in the token cache now.
    assert await mine.statuses() == [200] * 4
    assert await theirs.statuses() == [200] * 4

    await change(services, account, what)

    # Bearer and apiKey: unknown at once (401); the device token is logged out (404).
    assert await mine.statuses() == [401, 401, 401, 404]
    assert await services.sessions.list_active(account.user.id) == []
    assert await theirs.statuses() == [200] * 4
