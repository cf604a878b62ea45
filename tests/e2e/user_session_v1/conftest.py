"""Fixtures of the User Session API v1 tests: the app built against a FakeSteam on
127.0.0.1 (GATEHOUSE_STEAM_API_URL), a project with Steam configured and one key of
each type."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from gatehouse.adapters.providers.steam import SteamClient
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
def settings(gatehouse_env: dict[str, str], steam: FakeSteam) -> Settings:
    return Settings.from_env({**gatehouse_env, "GATEHOUSE_STEAM_API_URL": steam.base_url})


@pytest.fixture
def steam_timeout() -> float:
    """Seconds the app waits for (the fake) Steam: short, so timeouts test fast."""
    return 0.3


@pytest.fixture
async def services(
    settings: Settings, clock: FrozenClock, steam_timeout: float
) -> AsyncIterator[Services]:
    client = SteamClient(settings.steam_api_url, timeout=steam_timeout, retries=0, backoff=0)
    built = build_services(settings, clock=clock, passwords=fast_passwords(), steam=client)
    yield built
    await built.close()


@pytest.fixture
async def hive(services: Services) -> Hive:
    return await make_hive(services)
