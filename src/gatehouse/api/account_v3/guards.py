"""Credentials of this surface: the ``PRIVATE-TOKEN`` header; plus the caller's
address (``X-Forwarded-For`` believed only from trusted proxies)."""

from __future__ import annotations

from typing import Any

from litestar import Request

from gatehouse.api._common.net import client_address
from gatehouse.core.errors import Forbidden
from gatehouse.wiring import Services

__all__ = ["caller_of", "private_token", "services_of"]


def services_of(request: Request[Any, Any, Any]) -> Services:
    services: Services = request.app.state.services
    return services


def private_token(request: Request[Any, Any, Any]) -> str:
    """Exactly one ``PRIVATE-TOKEN`` header, else 403 (the service checks the rest)."""
    values = request.headers.getall("private-token", [])
    if len(values) != 1 or not values[0].strip():
        raise Forbidden("Send exactly one PRIVATE-TOKEN header")
    return values[0].strip()


def caller_of(request: Request[Any, Any, Any], services: Services) -> str:
    return client_address(request.scope, services.settings.trusted_proxies)  # type: ignore[arg-type]
