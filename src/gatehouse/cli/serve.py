"""``gatehouse serve``: migrate, then run the HTTP server."""

from __future__ import annotations

import os

import click

from gatehouse.cli import _run, main
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
def serve(host: str, port: int, workers: int) -> None:
    """Apply migrations, then serve HTTP."""
    import uvicorn

    async def work(services: Services) -> None:
        # _run has migrated already. A Redis too old for the commands used is
        # refused here, with the reason, rather than failing request by request.
        if services.redis is not None:
            await services.redis.check_server()

    _run(work)
    os.environ.update(GATEHOUSE_HOST=host, GATEHOUSE_PORT=str(port))
    uvicorn.run(
        "gatehouse.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=os.environ.get("GATEHOUSE_LOG_LEVEL", "info"),
        proxy_headers=False,  # X-Forwarded-For is judged by GATEHOUSE_TRUSTED_PROXIES
        server_header=False,
        access_log=False,  # the app writes its own JSON access line, without query strings
    )
