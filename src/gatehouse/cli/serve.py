"""``gatehouse serve``: migrate, then run the HTTP server."""

from __future__ import annotations

import os

import click

from gatehouse import server
from gatehouse.cli import _run, main
from gatehouse.server import DEFAULT_SERVER, SERVERS
from gatehouse.wiring import Services

__all__ = ["serve"]


@main.command()
@click.option("--host", envvar="GATEHOUSE_HOST", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    envvar="GATEHOUSE_PORT",
    default=8080,
    type=click.IntRange(0, 65535),
    show_default=True,
)
@click.option(
    "--workers",
    envvar="GATEHOUSE_WORKERS",
    default=1,
    type=click.IntRange(1, 256),
    show_default=True,
)
@click.option(
    "--server",
    "server_name",
    envvar="GATEHOUSE_SERVER",
    default=DEFAULT_SERVER,
    type=click.Choice(SERVERS),
    show_default=True,
    help="The HTTP server (docs/benchmarks.md compares them)",
)
def serve(host: str, port: int, workers: int, server_name: str) -> None:
    """Apply migrations, then serve HTTP."""

    async def work(services: Services) -> None:
        # _run has migrated already. A Redis too old for the commands used is
        # refused here, with the reason, rather than failing request by request.
        if services.redis is not None:
            await services.redis.check_server()

    _run(work)
    server.serve(
        host,
        port,
        workers,
        server=server_name,
        log_level=os.environ.get("GATEHOUSE_LOG_LEVEL", "info"),
    )
