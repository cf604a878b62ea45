"""Serve the application under uvicorn or granian, with the same semantics.

Both run ``gatehouse.app:create_app_from_env`` as a factory in every worker
process, with its ASGI lifespan (the sweeper, SQLite's checkpointer, the Redis
version check), and:

* no access line of the server's own: the app writes one JSON line per request
  (route template, no query string) on stderr;
* no ``Server`` header under uvicorn; granian always sends ``server: granian``
  unless the app sends its own (it has no switch for it);
* ``X-Forwarded-For`` left alone by the server (judged by the app against
  ``GATEHOUSE_TRUSTED_PROXIES``);
* a graceful stop on SIGTERM or SIGINT: requests in flight are answered, the
  lifespan's shutdown runs, then the process exits 0.

Migrations are the caller's (``gatehouse serve`` migrates before serving).
``log_level`` is the server's own; the app's come from ``GATEHOUSE_LOG_LEVEL``.
"""

from __future__ import annotations

import importlib.util
import os
import signal
from types import FrameType
from typing import Any

__all__ = ["APP_FACTORY", "DEFAULT_SERVER", "SERVERS", "serve"]

APP_FACTORY = "gatehouse.app:create_app_from_env"
SERVERS = ("uvicorn", "granian")
#: Chosen by measurement (docs/benchmarks.md, "uvicorn or granian").
DEFAULT_SERVER = "uvicorn"


def serve(
    host: str, port: int, workers: int, server: str = DEFAULT_SERVER, log_level: str = "info"
) -> None:
    """Serve HTTP on ``host:port`` with ``workers`` processes until SIGTERM/SIGINT."""
    if server not in SERVERS:
        raise ValueError(f"unknown server {server!r}: one of {', '.join(SERVERS)}")
    if importlib.util.find_spec(server) is None:
        raise SystemExit(f"{server} is not installed: pip install 'gatehouse[{server}]'")
    os.environ.update(GATEHOUSE_HOST=host, GATEHOUSE_PORT=str(port))
    if server == "granian":
        _granian(host, port, workers, log_level.lower())
    else:
        _uvicorn(host, port, workers, log_level.lower())


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _uvicorn(host: str, port: int, workers: int, log_level: str) -> None:
    import uvicorn

    # A single uvicorn server re-raises the signal that stopped it once it has
    # shut down gracefully, so the process would die of it (status -15): the
    # handler it restores first ends the process with status 0 instead, as
    # granian's (and uvicorn's own with several workers) does. Before uvicorn
    # takes the signals over, the same handler stops the start-up.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _exit_cleanly)
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        proxy_headers=False,  # X-Forwarded-For is judged by GATEHOUSE_TRUSTED_PROXIES
        server_header=False,
        access_log=False,  # the app writes its own JSON access line, without query strings
    )


def _granian_logging(log_level: str) -> dict[str, Any]:
    """Granian's own lines (start, workers, stop) as the app's: JSON on stderr."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "gatehouse.observability.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "_granian": {"handlers": ["stderr"], "level": log_level.upper(), "propagate": False},
            # Never used with log_access=False; silenced should that default move.
            "granian.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        },
    }


def _granian(host: str, port: int, workers: int, log_level: str) -> None:
    from granian import Granian
    from granian.constants import Interfaces, Loops
    from granian.log import LogLevels

    # uvicorn's choice: uvloop when installed (granian's "auto" would take rloop first).
    loop = Loops.uvloop if importlib.util.find_spec("uvloop") is not None else Loops.asyncio

    Granian(
        APP_FACTORY,
        factory=True,
        address=host,
        port=port,
        # ASGI with its lifespan ("asginl" would skip it): Gatehouse is a Litestar
        # ASGI app; granian's RSGI interface would need an adapter.
        interface=Interfaces.ASGI,
        workers=workers,
        loop=loop,
        websockets=False,  # Gatehouse serves no WebSocket route
        log_enabled=True,
        log_level=LogLevels(log_level),
        log_dictconfig=_granian_logging(log_level),
        log_access=False,  # the app writes its own JSON access line
        # Granian puts the peer in the scope (no proxy headers applied) and on
        # SIGTERM/SIGINT stops its workers gracefully (in-flight requests answered,
        # lifespan shutdown run), waiting for them as uvicorn does, then exits 0.
    ).serve()
