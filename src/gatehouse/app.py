"""``create_app(settings)`` → the Litestar application with every surface mounted."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from litestar import Litestar
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from gatehouse import __version__
from gatehouse.api import (
    account_pages,
    account_v3,
    admin_v1,
    ops,
    session_storage,
    user_session_v1,
)
from gatehouse.api._common.errors import exception_handlers
from gatehouse.api._common.openapi import add_request_components
from gatehouse.api._common.routing import Router
from gatehouse.observability import (
    ACCESS,
    ACTIVE_SESSIONS,
    configure_logging,
    metrics_middleware,
)
from gatehouse.settings import Settings, SettingsError
from gatehouse.wiring import Services, build_services

__all__ = ["create_app", "create_app_from_env"]

log = logging.getLogger("gatehouse")


async def _sweeper(services: Services) -> None:
    """Remove expired sessions, device tokens, OTP windows, mail links and
    idempotency records in the background."""
    while True:
        await asyncio.sleep(services.settings.sweep_interval_seconds)
        try:
            removed = await services.sessions.sweep()
            removed += await services.account_tokens.sweep()
            removed += await services.account_mail.sweep()
            removed += await services.idempotency.sweep()
            if removed:
                log.info("swept %d expired rows", removed)
            ACTIVE_SESSIONS.set(await services.sessions.count_all_active())
        except Exception as exc:  # the next round will try again
            log.warning("sweep failed: %s", type(exc).__name__)


async def _checkpointer(services: Services) -> None:
    """Fold SQLite's WAL into the database every second, in a worker thread (the
    writer's own automatic checkpoints are off: they stalled the event loop)."""
    while True:
        await asyncio.sleep(1)
        try:
            await services.db.checkpoint()
        except Exception as exc:  # the next second will try again
            log.warning("checkpoint failed: %s", type(exc).__name__)


def create_app(settings: Settings, services: Services | None = None) -> Litestar:
    services = services or build_services(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if services.redis is not None:  # also when run by uvicorn without ``serve``
            try:
                await services.redis.check_server()
            except SettingsError as exc:
                log.error("%s", exc)
                await services.close()
                raise
        await services.mailer.start()
        tasks = [asyncio.create_task(_sweeper(services))]
        if services.db.is_sqlite:
            tasks.append(asyncio.create_task(_checkpointer(services)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await services.close()
            if ACCESS.writer is not None:
                ACCESS.writer.flush()

    openapi = OpenAPIConfig(
        title="Gatehouse",
        version=__version__,
        description=(
            "Session and authentication service: Session Storage API, User Session API v1 "
            "(HiveMP-compatible), Account session API v3, Admin API."
        ),
        path="/docs",
        render_plugins=[SwaggerRenderPlugin()],
        components=Components(
            security_schemes={
                "ClientID": SecurityScheme(
                    type="apiKey", name="ClientID", security_scheme_in="header"
                ),
                "ClientSecret": SecurityScheme(
                    type="apiKey", name="ClientSecret", security_scheme_in="header"
                ),
                "PRIVATE-TOKEN": SecurityScheme(
                    type="apiKey", name="PRIVATE-TOKEN", security_scheme_in="header"
                ),
                "X-API-Key": SecurityScheme(
                    type="apiKey", name="X-API-Key", security_scheme_in="header"
                ),
                "Bearer": SecurityScheme(
                    type="http", scheme="bearer", description="A session's own token"
                ),
                "AdminKey": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description=(
                        "Admin API: an operator key (gko_, every project) or a project's "
                        "admin API key (gk_, that project only)"
                    ),
                ),
            }
        ),
    )
    handlers: dict[Any, Any] = exception_handlers(ops.renderer)
    app = Litestar(
        route_handlers=[
            session_storage.router,
            account_v3.router,
            user_session_v1.router,
            admin_v1.router,
            ops.router,
        ],
        exception_handlers=handlers,
        lifespan=[lifespan],
        openapi_config=openapi,
        request_max_body_size=settings.max_body_bytes,
        state=_state(services),
        debug=False,
        logging_config=None,
    )
    add_request_components(app)
    # The surfaces are served by their own router, before Litestar: one operation
    # per endpoint, failures rendered once (api/_common/routing.py). Litestar serves
    # the documentation and the operations endpoints, behind the metrics middleware.
    app.asgi_handler = Router(
        [
            session_storage.SURFACE,
            account_v3.SURFACE,
            user_session_v1.SURFACE,
            account_pages.SURFACE,
            admin_v1.SURFACE,
        ],
        services,
        fallback=metrics_middleware(app.asgi_handler),
    )
    return app


def _state(services: Services) -> Any:
    from litestar.datastructures import State

    return State({"services": services})


def create_app_from_env() -> Litestar:
    """Factory for ``uvicorn --factory`` (used by ``gatehouse serve``): JSON logs."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    return create_app(settings)
