"""The ``gatehouse`` command. Names and flags here are a contract relied on by
tooling outside the repository: change none of them.

With ``--json`` a command prints exactly one JSON object on stdout; errors go to
stderr with a non-zero exit status and no traceback.

This module holds ``main`` and what every command shares (``_run``, ``_emit``,
``json_flag``); each command group lives in a module of its own, added to
``main`` at the end of this one.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from gatehouse.adapters.store.audit import acting_as
from gatehouse.adapters.store.migrate import migrate as run_migrations
from gatehouse.core.errors import GatehouseError
from gatehouse.settings import Settings, SettingsError
from gatehouse.wiring import Services, build_services

__all__ = ["main"]

T = TypeVar("T")


class Failure(click.ClickException):
    """A clean one-line error on stderr, exit status 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", err=True)


def _run(work: Callable[[Services], Awaitable[T]]) -> T:
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        raise Failure(str(exc)) from None

    async def go() -> T:
        services = build_services(settings)
        try:
            # Idempotent and cheap: no command ever meets an unmigrated database.
            await run_migrations(services.db)
            with acting_as("cli"):  # the audit trail names who made each change
                return await work(services)
        finally:
            await services.close()

    try:
        return asyncio.run(go())
    except GatehouseError as exc:
        raise Failure(exc.message) from None
    except SettingsError as exc:
        raise Failure(str(exc)) from None
    except OSError as exc:
        raise Failure(f"{type(exc).__name__}: {exc}") from None
    except Exception as exc:  # database unreachable and the like: no traceback
        name = type(exc).__name__
        raise Failure(f"{name}: {str(exc).splitlines()[0] if str(exc) else name}") from None


def _emit(as_json: bool, payload: dict[str, Any], table: Table | str) -> None:
    if as_json:
        click.echo(json.dumps(payload, separators=(", ", ": ")))
    elif isinstance(table, str):
        click.echo(table)
    else:
        Console().print(table)


def _kv_table(title: str, payload: dict[str, Any]) -> Table:
    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for key, value in payload.items():
        table.add_row(key, "" if value is None else str(value))
    return table


def _env_option(name: str, env: str, help: str, **kw: Any) -> Callable[[Any], Any]:
    def set_env(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None:
            os.environ[env] = str(value)
        return value

    return click.option(name, callback=set_env, expose_value=False, is_eager=True, help=help, **kw)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gatehouse")
@_env_option("--data-dir", "GATEHOUSE_DATA_DIR", "Data directory (default ./var).")
@_env_option("--database-url", "GATEHOUSE_DATABASE_URL", "sqlite:///… or postgresql://…")
def main() -> None:
    """Gatehouse: sessions and sign-in for games and apps."""


json_flag = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


# Each command module adds its commands to ``main`` and uses the helpers above, so
# it is imported once they exist.
from gatehouse.cli import (  # noqa: E402, F401
    api_key,
    client,
    database,
    operator_key,
    project,
    serve,
    session,
    token,
    user,
)
