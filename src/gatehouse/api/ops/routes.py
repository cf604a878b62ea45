"""``/healthz`` (the process answers), ``/readyz`` (its database answers; with Redis
configured and down it says ``degraded`` but stays ready)."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Request, Response, Router, get

from gatehouse.api._common.http import Problem
from gatehouse.api._common.openapi import answer
from gatehouse.core.errors import GatehouseError, RateLimited, StorageUnavailable
from gatehouse.observability import CACHE_HIT_RATIO, render_metrics
from gatehouse.wiring import Services

__all__ = ["Health", "renderer", "router"]

log = logging.getLogger("gatehouse.ops")
_encode = msgspec.json.Encoder().encode


class Health(msgspec.Struct):
    status: str
    checks: dict[str, str] = {}


@get(
    "/healthz",
    summary="Liveness: the process answers",
    responses={200: answer(Health, "The process answers", ok={"status": "ok", "checks": {}})},
)
async def healthz() -> Health:
    return Health(status="ok")


@get(
    "/readyz",
    summary="Readiness: the database answers",
    responses={
        200: answer(
            Health,
            "Ready (degraded: Redis is down, requests are answered from the database)",
            ready={"status": "ok", "checks": {"database": "ok", "redis": "ok"}},
            degraded={"status": "degraded", "checks": {"database": "ok", "redis": "down"}},
        ),
        503: answer(
            Health,
            "The database is down",
            unavailable={"status": "unavailable", "checks": {"database": "down"}},
        ),
    },
)
async def readyz(request: Request[Any, Any, Any]) -> Response[Health]:
    services: Services = request.app.state.services
    checks = {"database": "ok"}
    try:
        await services.db.ping()
    except Exception as exc:  # any driver error means "not ready", never a 500
        log.warning("readiness check failed: %s", type(exc).__name__)
        checks["database"] = "down"
    if services.redis is not None:
        # Without Redis requests are still answered from the database: degraded.
        checks["redis"] = "ok" if await services.redis.ping() else "down"
    if checks["database"] != "ok":
        return Response(Health(status="unavailable", checks=checks), status_code=503)
    status = "degraded" if "down" in checks.values() else "ok"
    return Response(Health(status=status, checks=checks))


@get("/metrics", summary="Prometheus metrics", media_type="text/plain; version=0.0.4")
async def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    services: Services = request.app.state.services
    if services.token_cache is not None:
        CACHE_HIT_RATIO.set(services.token_cache.hit_ratio)
    return Response(render_metrics(), media_type="text/plain; version=0.0.4; charset=utf-8")


_STATUS: dict[type[GatehouseError], int] = {RateLimited: 429, StorageUnavailable: 503}


class _OpsErrors:
    """Errors outside any surface: a small ``{"error": …}`` body."""

    def domain(self, exc: GatehouseError, request: Request[Any, Any, Any]) -> Response[Any]:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else {}
        status = _STATUS.get(type(exc), 400)
        return Response(
            _encode({"error": exc.message, "status": status}),
            status_code=status,
            media_type="application/json",
            headers=headers,
        )

    def http(self, problem: Problem, request: Request[Any, Any, Any]) -> Response[Any]:
        return Response(
            _encode({"error": problem.message, "status": problem.status}),
            status_code=problem.status,
            media_type="application/json",
        )


renderer = _OpsErrors()
router = Router(path="/", route_handlers=[healthz, readyz, metrics], tags=["Operations"])
