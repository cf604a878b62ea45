"""``gatehouse migrate`` and ``gatehouse sweep``: the database's upkeep on demand."""

from __future__ import annotations

import click

from gatehouse.cli import _emit, _run, json_flag, main
from gatehouse.wiring import Services

__all__ = ["migrate", "sweep"]


@main.command()
def migrate() -> None:
    """Create or upgrade the database schema."""

    async def work(services: Services) -> None:
        return None  # _run has migrated already

    _run(work)
    click.echo("database is up to date")


@main.command()
@json_flag
def sweep(as_json: bool) -> None:
    """Delete expired sessions, device tokens and OTP windows now (the server does
    this every GATEHOUSE_SWEEP_INTERVAL seconds)."""

    async def work(services: Services) -> int:
        return (
            await services.sessions.sweep()
            + await services.account_tokens.sweep()
            + await services.account_mail.sweep()
            + await services.idempotency.sweep()
        )

    removed = _run(work)
    _emit(as_json, {"removed": removed}, f"removed {removed} expired sessions")
