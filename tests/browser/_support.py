"""The parts of the browser suite: a real ``gatehouse serve`` per backend, an SMTP
catcher, players made through the CLI, and the page checks (axe-core, one ``<h1>``,
the project's name, no script, a screenshot).

Everything here is synchronous: the tests drive Playwright's sync API, which keeps
an event loop of its own on the main thread, so the few asynchronous chores
(creating a PostgreSQL database) run on a thread of their own.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from tests.conftest import IN_CI, PG_ADMIN_URL, REDIS_URL
from tests.live_server import _env, cli, cli_json, start_server, stop_server

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"
PROJECT_NAME = "Starfall Tactics"
#: A password no list of common passwords holds, long enough for any minimum.
PASSWORD = "violet lantern orbit 47"
#: What ``chromium`` reports when a page is refused; the suite waits at most this.
PAGE_TIMEOUT_MS = 15_000

#: Why the browser suite could not run (shown in the terminal summary).
SKIPPED: list[str] = []


def no_browser(reason: str) -> None:
    """Skip loudly (fail under ``CI=true``): the browser suite cannot run here."""
    __tracebackhide__ = True
    if reason not in SKIPPED:
        SKIPPED.append(reason)
    if IN_CI:
        pytest.fail(f"the browser suite is required under CI=true: {reason}")
    pytest.skip(f"!!! browser tests SKIPPED: {reason}")


def in_thread(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` on a thread of its own (it may use ``asyncio.run``: the main thread
    carries Playwright's running loop) and return its result."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- mail ------------------------------------------------------------------------------------


class MailCatcher:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self._changed = threading.Condition()
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._changed:
            self.messages.append(([r.lower() for r in envelope.rcpt_tos], message))
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def to(self, address: str, subject_prefix: str = "") -> list[EmailMessage]:
        """The messages caught so far for ``address`` whose subject starts so."""
        address = address.lower()
        with self._changed:
            return [
                m
                for rcpts, m in self.messages
                if (address in rcpts or address in str(m.get("To", "")).lower())
                and str(m.get("Subject", "")).startswith(subject_prefix)
            ]

    def wait_for_mail(
        self, to: str, subject_prefix: str, timeout: float = 15.0, *, count: int = 1
    ) -> EmailMessage:
        """The ``count``-th message to ``to`` whose subject starts with
        ``subject_prefix``, waiting at most ``timeout`` seconds for it."""
        __tracebackhide__ = True
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = self.to(to, subject_prefix)
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(r, str(m.get("Subject"))) for r, m in self.messages]
                    pytest.fail(
                        f"no mail to {to!r} with a subject starting {subject_prefix!r} "
                        f"within {timeout}s; caught: {seen!r}"
                    )
                self._changed.wait(left)


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    assert part is not None, f"a mail without a body: {message}"
    return str(part.get_content())


def link_in(message: EmailMessage) -> str:
    """The one link of a mail (on a line of its own, as docs/account-pages.md says)."""
    __tracebackhide__ = True
    text = text_of(message)
    urls = set(re.findall(r"https?://[^\s<>\"']+", text))
    assert len(urls) == 1, f"expected one link in the mail, found {sorted(urls)}:\n{text}"
    (url,) = urls
    assert url in [line.strip() for line in text.splitlines()], f"link not on its own line:\n{text}"
    return url


def token_of(url: str) -> str:
    (token,) = parse_qs(urlsplit(url).query)["token"]
    return token


@contextmanager
def smtp_catcher() -> Iterator[MailCatcher]:
    from aiosmtpd.controller import Controller

    handler = MailCatcher()
    for _ in range(3):
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        try:
            controller.start()
        except Exception:
            continue
        handler.port = port
        break
    else:
        pytest.fail("the SMTP catcher did not start")
    try:
        yield handler
    finally:
        controller.stop()


# -- players ---------------------------------------------------------------------------------


@dataclass
class Player:
    id: int
    username: str
    email: str
    password: str
    totp_secret: str | None = None
    recovery_codes: list[str] = field(default_factory=list)
    #: The last TOTP time step used: the server accepts each step once.
    last_step: int = 0

    def code(self, secret: str | None = None) -> str:
        """A TOTP code the server has not seen yet (the current step, else the next
        one, which the server's one-step drift still accepts; else wait)."""
        secret = secret or self.totp_secret
        assert secret, "this player has no two-factor secret"
        while True:
            now = int(time.time() // 30)
            step = max(now, self.last_step + 1)
            if step <= now + 1:
                self.last_step = step
                return str(pyotp.TOTP(secret).at(step * 30))
            time.sleep((now + 1) * 30 - time.time() + 0.05)

    def wrong_code(self) -> str:
        """Six digits that are no code of the player's around now."""
        totp = pyotp.TOTP(self.totp_secret or pyotp.random_base32())
        now = time.time()
        near = {totp.at(now + d) for d in (-60, -30, 0, 30, 60)}
        return next(c for c in ("000000", "111111", "222222") if c not in near)


# -- servers ---------------------------------------------------------------------------------


@dataclass
class Server:
    backend: str
    base_url: str
    project_id: int
    project_name: str
    env: dict[str, str]
    data_dir: Path
    process: subprocess.Popen = field(repr=False)
    stderr_path: Path = field(repr=False)

    @property
    def prefix(self) -> str:
        return f"/account/{self.project_id}"

    def account(self, path: str = "") -> str:
        """The absolute URL of an account page (``path`` below the project)."""
        return f"{self.base_url}{self.prefix}/{path}"

    def cli(self, *args: str, stdin: str | None = None) -> str:
        """``gatehouse *args`` against this server's database, run in this process
        (a fresh interpreter per command would cost two seconds each)."""
        __tracebackhide__ = True
        from click.testing import CliRunner

        from gatehouse.cli import main

        result = in_thread(lambda: CliRunner().invoke(main, list(args), input=stdin, env=self.env))
        if result.exit_code != 0:
            pytest.fail(
                f"`gatehouse {' '.join(args)}` exited {result.exit_code}\n{result.output}"
                + (f"\n{result.exc_info[1]!r}" if result.exc_info else "")
            )
        return str(result.stdout)

    def cli_json(self, *args: str, stdin: str | None = None) -> dict:
        __tracebackhide__ = True
        out = self.cli(*args, stdin=stdin)
        try:
            value = json.loads(out.strip().splitlines()[-1])
        except (ValueError, IndexError):
            value = None
        if not isinstance(value, dict):
            pytest.fail(f"`gatehouse {' '.join(args)}` printed no JSON object:\n{out}")
        return value

    def make_player(self, name: str = "player", *, two_factor: bool = False) -> Player:
        """A player of the project, made with ``gatehouse user create`` (the password
        on standard input); with two-factor: ``gatehouse user totp enable``."""
        username = f"{name}-{uuid.uuid4().hex[:8]}"
        address = f"{username}@players.test"
        created = self.cli_json(
            "user",
            "create",
            "--project",
            str(self.project_id),
            "--username",
            username,
            "--email",
            address,
            "--password-stdin",
            "--json",
            stdin=PASSWORD + "\n",
        )
        player = Player(int(created["id"]), username, address, PASSWORD)
        if two_factor:
            totp = self.cli_json("user", "totp", "enable", "--user", str(player.id), "--json")
            player.totp_secret = totp["secret"]
            player.recovery_codes = list(totp["recovery_codes"])
        return player

    def sessions_of(self, player: Player) -> list[dict]:
        """The player's active sessions, as the CLI lists them."""
        return list(
            self.cli_json("session", "list", "--user", str(player.id), "--json")["sessions"]
        )

    def stderr_tail(self, limit: int = 4000) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")[-limit:]
        except OSError:
            return ""


def server_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """``tests.live_server._env``, running this checkout's code (an installed
    ``gatehouse`` may be another checkout's)."""
    env = _env(data_dir)
    # GATEHOUSE_TEST_SRC: serve another tree's code (e.g. a candidate fix) with these tests.
    src = os.environ.get("GATEHOUSE_TEST_SRC") or str(REPO / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    env.update(extra)
    return env


def _create_pg_database() -> str:
    import asyncio

    import asyncpg

    name = f"gatehouse_browser_{os.getpid()}_{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(create())
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop_pg_database(url: str) -> None:
    import asyncio

    import asyncpg

    name = url.rsplit("/", 1)[1]

    async def drop() -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


def _drop_redis_keys(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"*{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@contextmanager
def gatehouse(
    backend: str, data_dir: Path, *, smtp_port: int | None, plain_http: bool = True
) -> Iterator[Server]:
    """A ``gatehouse serve`` on ``backend`` ("sqlite" or "postgres+redis") with one
    project, sending mail to ``smtp_port`` (None: no mail server configured)."""
    extra = {"GATEHOUSE_MAIL_FROM": "accounts@game.test"}
    if plain_http:
        extra["GATEHOUSE_ALLOW_PLAIN_HTTP"] = "1"
    if smtp_port is not None:
        extra["GATEHOUSE_SMTP_URL"] = f"smtp://127.0.0.1:{smtp_port}?tls=none"
    pg_url = None
    redis_prefix = None
    if backend.startswith("postgres"):
        try:
            pg_url = in_thread(_create_pg_database)
        except Exception as exc:
            if IN_CI:
                pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is required under CI=true: {exc!r}")
            pytest.skip(f"!!! PostgreSQL unreachable at {PG_ADMIN_URL}: cases SKIPPED ({exc!r})")
        extra["GATEHOUSE_DATABASE_URL"] = pg_url
    if "redis" in backend:
        try:
            import redis

            redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
        except Exception as exc:
            if pg_url:
                in_thread(lambda: _drop_pg_database(pg_url))
            if IN_CI:
                pytest.fail(f"Redis at {REDIS_URL} is required under CI=true: {exc!r}")
            pytest.skip(f"!!! Redis unreachable at {REDIS_URL}: cases SKIPPED ({exc!r})")
        redis_prefix = f"ghbrowser-{secrets.token_hex(6)}"
        extra["GATEHOUSE_REDIS_URL"] = REDIS_URL
        extra["GATEHOUSE_REDIS_PREFIX"] = redis_prefix
    env = server_env(data_dir, **extra)
    proc = None
    try:
        cli(env, data_dir, "migrate")
        project = cli_json(env, data_dir, "project", "create", PROJECT_NAME, "--json")
        proc, base_url, err_path = start_server(env, data_dir, public_url=True)
        yield Server(
            backend=backend,
            base_url=base_url,
            project_id=int(project["id"]),
            project_name=PROJECT_NAME,
            env={**env, "GATEHOUSE_PUBLIC_URL": base_url},
            data_dir=data_dir,
            process=proc,
            stderr_path=err_path,
        )
    finally:
        if proc is not None:
            stop_server(proc)
        if pg_url:
            in_thread(lambda: _drop_pg_database(pg_url))
        if redis_prefix:
            _drop_redis_keys(redis_prefix)


# -- the browser -----------------------------------------------------------------------------


def chromium_path() -> str | None:
    """Debian's ``chromium`` (``GATEHOUSE_TEST_CHROMIUM``: another Chromium build)."""
    chosen = os.environ.get("GATEHOUSE_TEST_CHROMIUM")
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else None
    for candidate in (shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def check_page(page: Any, name: str, server: Server) -> None:
    """What every account page promises: no script, one ``<h1>``, the project's name
    in its header, no serious or critical axe-core violation. Then a full-page
    screenshot ``docs/screenshots/{name}.png`` (from the SQLite run only)."""
    __tracebackhide__ = True
    from axe_playwright_python.sync_playwright import Axe

    where = f"{name} ({page.url})"
    assert page.locator("script").count() == 0, f"{where}: the page carries a <script>"
    assert page.locator("h1").count() == 1, f"{where}: expected exactly one <h1>"
    header = page.locator("header")
    assert header.count() >= 1, f"{where}: no <header>"
    assert server.project_name in header.first.inner_text(), f"{where}: no project name in header"

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    if bad:
        lines = [f"{where}: {len(bad)} serious/critical axe-core violation(s):"]
        for v in bad:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v.get('helpUrl', '')}>")
            for node in v["nodes"][:5]:
                lines.append(f"    {node.get('target')}: {node.get('html', '')[:200]}")
                summary = node.get("failureSummary")
                if summary:
                    lines.append("      " + summary.replace("\n", "\n      "))
        pytest.fail("\n".join(lines))
    if server.backend == "sqlite":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
