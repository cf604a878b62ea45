"""Fixtures of the security checklist: the app trusts the in-process test caller as a
proxy, so each request can name its own client address in ``X-Forwarded-For``
(throttling is counted per address, and some checks need several)."""

from __future__ import annotations

import pytest

from gatehouse.settings import Settings
from gatehouse.wiring import Services

#: tests/helpers.CALLER (203.0.113.7) is inside: its X-Forwarded-For is believed.
TRUSTED_PROXIES = "203.0.113.0/24"


@pytest.fixture
def settings(gatehouse_env: dict[str, str]) -> Settings:
    return Settings.from_env({**gatehouse_env, "GATEHOUSE_TRUSTED_PROXIES": TRUSTED_PROXIES})


@pytest.fixture
async def project_id(services: Services) -> int:
    """The default project (created first, so the lowest id): v3 device tokens
    issued without an API key belong to it."""
    return (await services.projects.create("security")).id
