"""Admin sign-in with promptForProject creates a default project only below the
per-user limit (GATEHOUSE_MAX_PROJECTS_PER_USER): registering accounts must not
mint projects without bound."""

from __future__ import annotations

import asyncio

import pytest

from gatehouse.services.throttling import PASSWORD_PER_ACCOUNT
from gatehouse.settings import Settings
from tests.fakes.steam_server import FakeSteam

from ._support import PW_HASH, Hive

A = "/v1/authenticate"


@pytest.fixture
def limit() -> int:
    return 1


@pytest.fixture
def settings(gatehouse_env: dict[str, str], steam: FakeSteam, limit: int) -> Settings:
    return Settings.from_env(
        {
            **gatehouse_env,
            "GATEHOUSE_STEAM_API_URL": steam.base_url,
            "GATEHOUSE_MAX_PROJECTS_PER_USER": str(limit),
        }
    )


def admin_sign_in(email: str) -> dict[str, object]:
    return {
        "emailAddress": email,
        "passwordHash": PW_HASH,
        "requestedRole": "builtin:admin",
        "promptForProject": True,
    }


@pytest.mark.parametrize("limit", [0])
async def test_beyond_the_limit_a_sign_in_creates_nothing(client, hive: Hive) -> None:
    user = await hive.user()
    before = len(await hive.services.projects.all())
    r = await client.put(A, headers=hive.h(), json=admin_sign_in(user.email))
    assert r.status_code == 403, r.text
    body = r.json()
    assert body["code"] == 1003 and body["fields"] == "promptForProject"
    assert "at most 0 projects" in body["message"]
    assert len(await hive.services.projects.all()) == before


async def test_parallel_sign_ins_do_not_pass_the_limit_together(client, hive: Hive) -> None:
    user = await hive.user()
    # As many at once as the account's password throttle lets in (a sixth would
    # be refused 429 while five attempts are in flight).
    answers = await asyncio.gather(
        *(
            client.put(A, headers=hive.h(), json=admin_sign_in(user.email))
            for _ in range(PASSWORD_PER_ACCOUNT.attempts)
        )
    )
    for r in answers:
        assert r.status_code in (200, 403), r.text
        if r.status_code == 403:
            assert r.json()["code"] == 1003
    offered = await client.put(A, headers=hive.h(), json=admin_sign_in(user.email))
    mine = [p["id"] for p in offered.json()["availableProjects"]]
    assert len(mine) == 1, "parallel sign-ins created more projects than the limit"
    sessions = [r.json()["authenticatedSession"] for r in answers if r.status_code == 200]
    assert {s["projectId"] for s in sessions if s} == set(mine)
