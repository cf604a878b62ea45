"""Fixtures of the account API v3 tests: the default project, an app behind a
trusted proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from gatehouse.adapters.hashing import PasswordHasher
from gatehouse.app import create_app
from gatehouse.core.clock import FrozenClock
from gatehouse.settings import Settings
from gatehouse.wiring import Services, build_services


@pytest.fixture
async def project_id(services: Services) -> int:
    """The default project (the first one, so the lowest id)."""
    return (await services.projects.create("default")).id


@pytest.fixture
async def proxied_client(
    tmp_path: Path, database_url: str, clock: FrozenClock
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    """An app that trusts 203.0.113.0/24 (the test caller) as a proxy."""
    settings = Settings.from_env(
        {
            "GATEHOUSE_DATA_DIR": str(tmp_path / "data"),  # same instance key as `client`
            "GATEHOUSE_DATABASE_URL": database_url,
            "GATEHOUSE_TRUSTED_PROXIES": "203.0.113.0/24",
        }
    )
    services = build_services(
        settings, clock=clock, passwords=PasswordHasher(memory_cost=1024, time_cost=1)
    )
    app = create_app(settings, services)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gatehouse") as c:
            yield c, services
    await services.close()
