"""Helpers of the User Session API v1 tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from gatehouse.core.models import ApiKeyType
from gatehouse.core.passwords import prehash
from gatehouse.services.accounts import NewUser
from gatehouse.services.projects import ProjectSettings
from gatehouse.wiring import Services
from tests.fakes.steam_server import DEFAULT_APP_ID, DEFAULT_KEY

PASSWORD = "correct horse battery"
PW_HASH = prehash(PASSWORD)
STEAM_ID = "76561197960287930"
OTHER_STEAM_ID = "76561197960287931"
TICKET = "deadbeef"
OTHER_TICKET = "cafebabe"


@dataclass
class Hive:
    services: Services
    project_id: int
    keys: dict[str, str] = field(default_factory=dict)

    def h(self, kind: str = "public") -> dict[str, str]:
        return {"X-API-Key": self.keys[kind]}

    async def user(self, email: str | None = None, *, steam_id: str | None = None) -> Any:
        email = email or f"p-{uuid.uuid4().hex[:8]}@example.com"
        u = await self.services.accounts.create_user(
            self.project_id, NewUser(username=email, email=email, password=PASSWORD)
        )
        if steam_id is not None:
            await self.services.sign_in_accounts.link_steam(u.id, steam_id)
        return u


async def make_hive(services: Services, **policy: Any) -> Hive:
    project = await services.projects.create(f"game-{uuid.uuid4().hex[:6]}")
    sealed = services.secretbox.seal(DEFAULT_KEY, context=f"steam:project:{project.id}")
    await services.projects.update(
        project.id,
        ProjectSettings(steam_app_id=DEFAULT_APP_ID, steam_web_api_key_enc=sealed, **policy),
    )
    hive = Hive(services, project.id)
    for kind in ApiKeyType:
        _, key = await services.projects.create_api_key(project.id, kind)
        hive.keys[str(kind)] = key
    return hive


def steam_body(*tickets: str, **extra: Any) -> dict[str, Any]:
    return {"tokens": {"steamTokens": [{"userTicket": t} for t in tickets]}, **extra}
