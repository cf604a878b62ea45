"""Fixtures of the OpenAPI fuzz run: a real app on SQLite with one seeded tenant.

Each test gets a fresh data dir and a fresh app, so rate limits tripped by one run
(with or without credentials) do not leak into the next. The database is migrated
and seeded with a separate set of services on its own event loop; the app's own
services then start on schemathesis' event loop (its ASGI client runs the app on a
portal thread and keeps the lifespan running until ``shutdown_lifespans``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar

from gatehouse.adapters.providers.steam import SteamClient
from gatehouse.app import create_app
from gatehouse.core.models import ApiKeyType, SessionOrigin
from gatehouse.core.passwords import prehash
from gatehouse.services.accounts import NewUser
from gatehouse.services.projects import ProjectSettings
from gatehouse.settings import Settings
from gatehouse.wiring import Services, build_services
from tests.fakes.steam_server import DEFAULT_APP_ID, DEFAULT_KEY, FakeSteam
from tests.helpers import fast_passwords

PASSWORD = "correct horse battery staple"
USERNAME = "fuzz-alice"
EMAIL = "alice@example.com"


@dataclass
class Seed:
    """Valid credentials of every kind for one project and its one user."""

    project_id: int = 0
    user_id: int = 0
    client_id: str = ""
    client_secret: str = ""
    api_keys: dict[str, str] = field(default_factory=dict)
    personal_token: str = ""
    device_token: str = ""
    session_id: str = ""
    publisher: str = ""
    #: The publisher token of a second session, which no fuzzed path or id names.
    bearer: str = ""
    #: A genuine next_page_token of the user's sessions (it is signed: no other passes).
    page_token: str = ""
    #: An operator key of the admin API, and ids its paths can name.
    operator_key: str = ""
    api_key_id: int = 0
    username: str = USERNAME
    password: str = PASSWORD
    email: str = EMAIL
    password_hash: str = prehash(PASSWORD)


@dataclass
class FuzzApp:
    app: Litestar
    seed: Seed

    def asgi(self) -> Any:
        """The app, each request from its own address (198.18.0.0/15, benchmarking), so
        that the per-address throttles (60 unknown keys a minute...) do not turn most of
        the run into 429s; the per-account ones still answer."""
        app = self.app
        addresses = itertools.cycle(ipaddress.ip_network("198.18.0.0/15").hosts())

        async def spread(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                scope = {**scope, "client": (str(next(addresses)), 40000)}
            await app(scope, receive, send)

        return spread


async def _seed(services: Services) -> Seed:
    seed = Seed()
    project = await services.projects.create("fuzz")
    sealed = services.secretbox.seal(DEFAULT_KEY, context=f"steam:project:{project.id}")
    await services.projects.update(
        project.id, ProjectSettings(steam_app_id=DEFAULT_APP_ID, steam_web_api_key_enc=sealed)
    )
    seed.project_id = project.id
    user = await services.accounts.create_user(
        project.id, NewUser(username=USERNAME, email=EMAIL, password=PASSWORD)
    )
    seed.user_id = user.id
    client, seed.client_secret = await services.projects.create_client(user.id, "fuzz")
    seed.client_id = client.id
    for kind in ApiKeyType:
        key_id, seed.api_keys[str(kind)] = await services.projects.create_api_key(project.id, kind)
        seed.api_key_id = key_id
    _, seed.operator_key = await services.operator_keys.create("fuzz")
    issued, _ = await services.account_tokens.create_personal_token(user.id)
    seed.personal_token = issued.token
    device = await services.account_tokens.issue_device_token(caller="127.0.0.1")
    seed.device_token = device.token
    session = await services.sessions.start(
        project=await services.projects.get(project.id),
        user_id=user.id,
        origin=SessionOrigin.HIVEMP,
        factors=("password",),
    )
    seed.session_id = session.session.id
    seed.publisher = session.publisher
    other = await services.sessions.start(
        project=await services.projects.get(project.id),
        user_id=user.id,
        origin=SessionOrigin.STORAGE,
    )
    seed.bearer = other.publisher
    page = await services.sessions.page(user.id, page_size=1)
    assert page.next_token is not None
    seed.page_token = page.next_token
    return seed


@pytest.fixture(scope="module")
def steam() -> Iterator[FakeSteam]:
    # Every fuzzed ticket is unknown to it (Steam's "invalid ticket" answer).
    with FakeSteam(tickets={}) as fake:
        yield fake


@pytest.fixture
def fuzz_app(tmp_path: Path, sqlite_template: Path, steam: FakeSteam) -> Iterator[FuzzApp]:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(sqlite_template, data / "gatehouse.sqlite3")
    settings = Settings.from_env(
        {"GATEHOUSE_DATA_DIR": str(data), "GATEHOUSE_STEAM_API_URL": steam.base_url}
    )

    async def seed_it() -> Seed:
        services = build_services(settings, passwords=fast_passwords())
        try:
            return await _seed(services)
        finally:
            await services.close()

    seed = asyncio.run(seed_it())
    steam_client = SteamClient(settings.steam_api_url, timeout=0.5, retries=0, backoff=0)
    services = build_services(settings, passwords=fast_passwords(), steam=steam_client)
    app = create_app(settings, services)
    yield FuzzApp(app, seed)
    from schemathesis.python import asgi

    asgi.shutdown_lifespans()  # the app's shutdown closes its services
