"""Credentials of this surface: one ``X-API-Key`` header (a typed ``gk_`` key or a
session's own ``gs_`` apiKey)."""

from __future__ import annotations

from typing import Any

from litestar import Request

from gatehouse.api._common.net import client_address
from gatehouse.core.errors import InvalidCredentials
from gatehouse.services.api_callers import ApiCaller
from gatehouse.wiring import Services

__all__ = ["api_caller", "caller_address", "services_of"]


def services_of(request: Request[Any, Any, Any]) -> Services:
    services: Services = request.app.state.services
    return services


def caller_address(request: Request[Any, Any, Any]) -> str:
    trusted = services_of(request).settings.trusted_proxies
    return client_address(request.scope, trusted)  # type: ignore[arg-type]


async def api_caller(request: Request[Any, Any, Any]) -> ApiCaller:
    values = request.headers.getall("x-api-key", [])
    if len(values) != 1:
        raise InvalidCredentials("Send exactly one X-API-Key header", field="X-API-Key")
    return await services_of(request).authentication.resolve_api_key(
        values[0].strip(), caller=caller_address(request)
    )
