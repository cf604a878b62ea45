"""Fixtures of the User Session API v1 tests: the app built against a FakeSteam on
127.0.0.1 (GATEHOUSE_STEAM_API_URL), a project with Steam configured and one key of
each type."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from gatehouse.adapters.providers.steam import SteamClient
from gatehouse.app import create_app
from gatehouse.core.clock import FrozenClock
from gatehouse.settings import Settings
from gatehouse.wiring import Services, build_services
from tests.fakes.steam_server import FakeSteam
from tests.helpers import fast_passwords

from ._support import OTHER_STEAM_ID, OTHER_TICKET, STEAM_ID, TICKET, Hive, make_hive


@pytest.fixture
def steam() -> Iterator[FakeSteam]:
    with FakeSteam(tickets={TICKET: STEAM_ID, OTHER_TICKET: OTHER_STEAM_ID}, delay=1.0) as fake:
        yield fake


@pytest.fixture
def settings(tmp_path: Path, database_url: str, steam: FakeSteam) -> Settings:
    return Settings.from_env(
        {
            "GATEHOUSE_DATA_DIR": str(tmp_path / "data"),
            "GATEHOUSE_DATABASE_URL": database_url,
            "GATEHOUSE_STEAM_API_URL": steam.base_url,
        }
    )


@pytest.fixture
async def services(settings: Settings, clock: FrozenClock) -> AsyncIterator[Services]:
    client = SteamClient(settings.steam_api_url, timeout=0.3, retries=0, backoff=0)
    built = build_services(settings, clock=clock, passwords=fast_passwords(), steam=client)
    yield built
    await built.close()


@pytest.fixture
async def client(services: Services, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, services)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gatehouse") as c:
            yield c


@pytest.fixture
async def hive(services: Services) -> Hive:
    return await make_hive(services)
