"""Fixtures of the browser suite: one ``gatehouse serve`` per backend for the whole
run (SQLite; PostgreSQL + Redis), an SMTP catcher, headless Chromium (Debian's
``chromium``, driven by Playwright through ``executable_path``), a fresh browser
context and a fresh player for each test.

Without Chromium or Playwright the tests skip loudly (and the terminal summary
says so), except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import BACKENDS

from ._support import (
    PAGE_TIMEOUT_MS,
    SKIPPED,
    MailCatcher,
    Player,
    Server,
    check_page,
    chromium_path,
    gatehouse,
    no_browser,
    smtp_catcher,
)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for reason in SKIPPED:
        terminalreporter.write_sep("!", "browser tests SKIPPED", red=True, bold=True)
        terminalreporter.write_line(f"!!! {reason}", red=True, bold=True)
        terminalreporter.write_line(
            "!!! install it: apt-get install chromium && pip install -e '.[test]'"
            " (scripts/test does both)",
            red=True,
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """On a failure, show what the server said (and whether it still runs)."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        server = getattr(item, "funcargs", {}).get("server")
        if isinstance(server, Server):
            report.sections.append(
                (
                    f"gatehouse serve ({server.backend}) stderr (tail)",
                    f"process exit code: {server.process.poll()} (None = still running)\n"
                    + server.stderr_tail(),
                )
            )


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        no_browser(f"Playwright for Python is not installed ({exc})")
    try:
        import axe_playwright_python  # noqa: F401
    except ImportError as exc:
        no_browser(f"axe-playwright-python is not installed ({exc})")
    executable = chromium_path()
    if executable is None:
        chosen = os.environ.get("GATEHOUSE_TEST_CHROMIUM")
        no_browser(
            f"GATEHOUSE_TEST_CHROMIUM={chosen} is not executable"
            if chosen
            else "no `chromium` on PATH (Debian: apt-get install chromium)"
        )
    pw = sync_playwright().start()
    try:
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        try:
            launched = pw.chromium.launch(executable_path=executable, headless=True, args=args)
        except Exception as exc:
            no_browser(f"{executable} does not start: {exc}")
        yield launched
        launched.close()
    finally:
        pw.stop()


@pytest.fixture(scope="package")
def mail() -> Iterator[MailCatcher]:
    """Every mail the servers send (aiosmtpd on a free port)."""
    with smtp_catcher() as catcher:
        yield catcher


@pytest.fixture(scope="package", params=BACKENDS)
def server(
    request: pytest.FixtureRequest,
    browser: Any,
    mail: MailCatcher,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    """A real ``gatehouse serve`` on this backend, shared by the run's tests (each
    test makes its own players)."""
    backend = str(request.param)
    data_dir = tmp_path_factory.mktemp(f"browser-{backend.replace('+', '-')}")
    with gatehouse(backend, data_dir, smtp_port=mail.port) as running:
        yield running


@pytest.fixture
def player(server: Server) -> Player:
    """A player of the project with a password (no two-factor)."""
    return server.make_player("player")


@pytest.fixture
def two_factor_player(server: Server) -> Player:
    """A player with two-factor on (enrolled through the CLI)."""
    return server.make_player("guarded", two_factor=True)


@pytest.fixture
def new_context(browser: Any, server: Server) -> Iterator[Callable[..., Any]]:
    """Browser contexts (a browser each: own cookies), closed after the test."""
    made: list[Any] = []

    def make(**options: Any) -> Any:
        ctx = browser.new_context(base_url=server.base_url, accept_downloads=True, **options)
        ctx.set_default_timeout(PAGE_TIMEOUT_MS)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


@pytest.fixture
def context(new_context: Callable[..., Any]) -> Any:
    return new_context()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


@pytest.fixture
def check(server: Server) -> Callable[[Any, str], None]:
    """``check(page, name)``: axe-core and the page rules, then the screenshot."""

    def run(page: Any, name: str) -> None:
        __tracebackhide__ = True
        check_page(page, name, server)

    return run


@pytest.fixture(scope="package")
def bare_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A ``gatehouse serve`` (SQLite) as an operator might first start it: no mail
    server configured, plain HTTP not allowed (cookies ``Secure``)."""
    data_dir = tmp_path_factory.mktemp("browser-bare")
    with gatehouse("sqlite", data_dir, smtp_port=None, plain_http=False) as running:
        yield running
