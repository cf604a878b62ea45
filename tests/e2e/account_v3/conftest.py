"""Fixtures of the account API v3 tests: the default project, an app behind a
trusted proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from gatehouse.core.clock import FrozenClock
from gatehouse.settings import Settings
from gatehouse.wiring import Services, build_services
from tests.helpers import fast_passwords, serve_app


@pytest.fixture
async def project_id(services: Services) -> int:
    """The default project (the first one, so the lowest id)."""
    return (await services.projects.create("default")).id


@pytest.fixture
async def proxied_client(
    gatehouse_env: dict[str, str], clock: FrozenClock
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    """An app that trusts 203.0.113.0/24 (the test caller) as a proxy."""
    # The same data dir (instance key) as `client`, plus the trusted proxy range.
    settings = Settings.from_env({**gatehouse_env, "GATEHOUSE_TRUSTED_PROXIES": "203.0.113.0/24"})
    services = build_services(settings, clock=clock, passwords=fast_passwords())
    async with serve_app(settings, services) as http:
        yield http, services
