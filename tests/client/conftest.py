"""The Python client package (clients/python) against a real ``gatehouse serve``.

One server per backend configuration (SQLite; PostgreSQL + Redis), for the whole
run, in a database of its own (PostgreSQL) and a Redis key prefix of its own, set
up only through the ``gatehouse`` CLI and spoken to only over HTTP. The CLI runs
in-process (click's runner, against the same database and Redis as the server),
because a ``gatehouse`` process per user made would cost seconds each.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
import pytest
from click.testing import CliRunner

from gatehouse.cli import main as gatehouse_cli
from gatehouse_client import (
    AccountClient,
    AsyncAccountClient,
    AsyncSessionStorageClient,
    AsyncUserSessionClient,
    SessionStorageClient,
    UserSessionClient,
)
from tests.client._support import Uniform
from tests.conftest import BACKENDS, IN_CI, PG_ADMIN_URL, REDIS_URL, _redis_drop, _redis_ok
from tests.fakes.steam_server import FakeSteam
from tests.live_server import WEBRTC_URL, WS_URL, _env, start_server, stop_server

PASSWORD = "correct horse battery staple"
STEAM_ID = "76561197960287930"
TICKET = "deadbeef01"
STEAM_APP_ID = "480"
STEAM_KEY = "test-web-api-key"


def run_cli(env: dict[str, str], *args: str, input: str | None = None) -> Any:
    """``gatehouse ARGS`` in-process, in ``env``; the JSON it printed (with ``--json``).
    The CLI runs an event loop of its own: inside a test's loop it runs in a worker
    thread (blocking the test's loop meanwhile)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run_cli(env, args, input)
    with ThreadPoolExecutor(1) as worker:
        return worker.submit(_run_cli, env, args, input).result()


def _run_cli(env: dict[str, str], args: tuple[str, ...], input: str | None) -> Any:
    result = CliRunner().invoke(
        gatehouse_cli, list(args), env=env, input=input, catch_exceptions=False
    )
    assert result.exit_code == 0, f"gatehouse {' '.join(args)}: {result.output}"
    return json.loads(result.stdout) if "--json" in args else result.stdout


@dataclass(frozen=True)
class Player:
    id: int
    username: str
    email: str
    password: str
    totp_secret: str | None = None

    def code(self) -> str:
        """A TOTP code of the current step (each is accepted once)."""
        assert self.totp_secret is not None
        return pyotp.TOTP(self.totp_secret).now()


@dataclass
class Live:
    """A running server, and what the CLI set up in it."""

    backend: str
    base_url: str
    env: dict[str, str]
    data_dir: Path
    steam: FakeSteam
    project_id: int
    public_key: str
    server_key: str
    admin_key: str
    client_id: str
    client_secret: str
    stderr_path: Path
    #: The PostgreSQL database's name (None on SQLite).
    pg_database: str | None = None
    _names: Iterator[int] = field(default_factory=itertools.count)

    def cli(self, *args: str, input: str | None = None) -> Any:
        """``gatehouse ARGS`` against the server's database; the JSON it printed."""
        return run_cli(self.env, *args, input=input)

    def name(self, stem: str) -> str:
        return f"{stem}{next(self._names)}"

    def player(
        self, *, totp: bool = False, project_id: int | None = None, stem: str = "player"
    ) -> Player:
        """A new user with an email address and a password (and TOTP)."""
        username = self.name(stem)
        email = f"{username}@example.com"
        made = self.cli(
            "user",
            "create",
            "--project",
            str(project_id or self.project_id),
            "--username",
            username,
            "--email",
            email,
            "--password-stdin",
            "--json",
            input=PASSWORD + "\n",
        )
        secret = None
        if totp:
            secret = self.cli("user", "totp", "enable", "--user", str(made["id"]), "--json")[
                "secret"
            ]
        return Player(made["id"], username, email, PASSWORD, secret)

    def steam_account(self) -> tuple[str, str]:
        """A Steam ticket the fake Steam accepts, and the SteamID it names."""
        n = next(self._names)
        ticket, steam_id = f"{0xABC0000 + n:08x}", str(76561197960300000 + n)
        self.steam.tickets[ticket] = steam_id
        return ticket, steam_id

    def client_app(self, user_id: int) -> tuple[str, str]:
        made = self.cli("client", "create", "--user", str(user_id), "--json")
        return made["client_id"], made["client_secret"]

    def api_key(self, project_id: int, kind: str) -> str:
        made = self.cli("api-key", "create", "--project", str(project_id), "--type", kind, "--json")
        return str(made["key"])

    def project(self, *settings: str) -> int:
        made = self.cli("project", "create", self.name("project"), "--json")
        if settings:
            self.cli("project", "set", str(made["id"]), *settings)
        return int(made["id"])

    def start_another(self, **extra_env: str) -> tuple[Any, str]:
        """A second ``gatehouse serve`` on the same database, with its own
        throttling counters (its own process; its own Redis prefix)."""
        data_dir = self.data_dir / self.name("another")
        data_dir.mkdir()
        env = {**self.env, "GATEHOUSE_DATA_DIR": str(data_dir), **extra_env}
        if "GATEHOUSE_REDIS_PREFIX" in env:
            env["GATEHOUSE_REDIS_PREFIX"] += "-another"
        process, base_url, _ = start_server(env, data_dir)
        return process, base_url


async def _create_pg_database(name: str) -> str | None:
    import asyncpg

    try:
        admin = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is required under CI=true: {exc!r}")
        return None
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def _drop_pg_database(name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def _set_up(env: dict[str, str], data_dir: Path, steam: FakeSteam, backend: str) -> Live:
    live = Live(
        backend=backend,
        base_url="",
        env=env,
        data_dir=data_dir,
        steam=steam,
        project_id=0,
        public_key="",
        server_key="",
        admin_key="",
        client_id="",
        client_secret="",
        stderr_path=data_dir,
    )
    live.cli("migrate")
    # The first project is the default one (v3 device tokens without an API key).
    live.project_id = live.project(
        "--ws-url",
        WS_URL,
        "--webrtc-url",
        WEBRTC_URL,
        "--session-limit",
        "0",
        "--steam-app-id",
        STEAM_APP_ID,
        "--steam-web-api-key",
        STEAM_KEY,
        "--no-steam-auto-create",
    )
    live.public_key = live.api_key(live.project_id, "public")
    live.server_key = live.api_key(live.project_id, "server")
    live.admin_key = live.api_key(live.project_id, "admin")
    owner = live.player(stem="owner")
    live.client_id, live.client_secret = live.client_app(owner.id)
    return live


@pytest.fixture(scope="session", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    backend: str = request.param
    data_dir = tmp_path_factory.mktemp(f"client-{backend.replace('+', '-')}")
    env = {
        **_env(data_dir),
        # Shared by every process on this database (start_another).
        "GATEHOUSE_SECRET_KEY": secrets.token_urlsafe(48),
    }
    pg_name = None
    redis_prefix = None
    # Named explicitly, so a second server (start_another) opens the same file.
    env["GATEHOUSE_DATABASE_URL"] = f"sqlite:///{data_dir / 'gatehouse.sqlite3'}"
    if "postgres" in backend:
        pg_name = f"gatehouse_client_{uuid.uuid4().hex[:10]}"
        url = asyncio.run(_create_pg_database(pg_name))
        if url is None:
            pytest.skip(f"!!! PostgreSQL unreachable at {PG_ADMIN_URL}: PostgreSQL cases SKIPPED")
        env["GATEHOUSE_DATABASE_URL"] = url
    if "redis" in backend:
        if not asyncio.run(_redis_ok()):
            if IN_CI:
                pytest.fail(f"Redis at {REDIS_URL} is required under CI=true")
            pytest.skip(f"!!! Redis unreachable at {REDIS_URL}: Redis cases SKIPPED")
        redis_prefix = f"ghclient-{uuid.uuid4().hex[:10]}"
        env["GATEHOUSE_REDIS_URL"] = REDIS_URL
        env["GATEHOUSE_REDIS_PREFIX"] = redis_prefix
    steam = FakeSteam(tickets={TICKET: STEAM_ID}).start()
    env["GATEHOUSE_STEAM_API_URL"] = steam.base_url
    process = None
    try:
        live = _set_up(env, data_dir, steam, backend)
        live.pg_database = pg_name
        process, live.base_url, live.stderr_path = start_server(env, data_dir)
        yield live
    finally:
        if process is not None:
            stop_server(process)
        steam.stop()
        if pg_name is not None:
            asyncio.run(_drop_pg_database(pg_name))
        if redis_prefix is not None:
            asyncio.run(_redis_drop(redis_prefix))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On a failure, show the tail of what the server wrote."""
    outcome = yield
    report = outcome.get_result()
    server = getattr(item, "funcargs", {}).get("live")
    if report.failed and isinstance(server, Live) and server.stderr_path.is_file():
        tail = server.stderr_path.read_text(errors="replace")[-4000:]
        report.sections.append(("gatehouse serve stderr (tail)", tail))


# -- the clients, in both flavours ------------------------------------------------------


@pytest.fixture(params=["async", "sync"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def ss(live: Live, flavour: str) -> AsyncIterator[Uniform]:
    """The Session Storage client of the owner's client application."""
    cls = AsyncSessionStorageClient if flavour == "async" else SessionStorageClient
    client = Uniform(cls(live.base_url, live.client_id, live.client_secret))
    yield client
    await client.close()


@pytest.fixture
async def hive(live: Live, flavour: str) -> AsyncIterator[Uniform]:
    """The User Session v1 client with the project's public key (a game's)."""
    cls = AsyncUserSessionClient if flavour == "async" else UserSessionClient
    client = Uniform(cls(live.base_url, live.public_key))
    yield client
    await client.close()


@pytest.fixture
async def backend_hive(live: Live, flavour: str) -> AsyncIterator[Uniform]:
    """The User Session v1 client with the project's server key (a back-end's)."""
    cls = AsyncUserSessionClient if flavour == "async" else UserSessionClient
    client = Uniform(cls(live.base_url, live.server_key))
    yield client
    await client.close()


@pytest.fixture
async def account(live: Live, flavour: str) -> AsyncIterator[Uniform]:
    """The Account v3 client, without a token of its own (given per call)."""
    cls = AsyncAccountClient if flavour == "async" else AccountClient
    client = Uniform(cls(live.base_url))
    yield client
    await client.close()
