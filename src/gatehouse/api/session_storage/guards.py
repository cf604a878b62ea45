"""Credentials of this surface: ClientID + ClientSecret headers, or a session's
own bearer token for "who is this token?"."""

from __future__ import annotations

from typing import Any

from litestar import Request

from gatehouse.api._common.net import client_address
from gatehouse.core.errors import InvalidCredentials
from gatehouse.core.models import Client
from gatehouse.services.sessions import ResolvedToken
from gatehouse.wiring import Services

__all__ = ["authenticated_client", "bearer_session", "services_of"]


def services_of(request: Request[Any, Any, Any]) -> Services:
    services: Services = request.app.state.services
    return services


async def authenticated_client(request: Request[Any, Any, Any]) -> Client:
    """Header names are case-insensitive (the official SDKs send ``ClientId``)."""
    services = services_of(request)
    headers = request.headers
    return await services.projects.authenticate_client(
        headers.get("clientid", ""),
        headers.get("clientsecret", ""),
        caller=client_address(request.scope, services.settings.trusted_proxies),  # type: ignore[arg-type]
    )


async def bearer_session(request: Request[Any, Any, Any]) -> ResolvedToken:
    values = request.headers.getall("authorization", [])
    if len(values) != 1:
        raise InvalidCredentials("Send exactly one 'Authorization: Bearer <token>' header")
    scheme, _, token = values[0].partition(" ")
    if scheme.lower() != "bearer" or not token or " " in token.strip():
        raise InvalidCredentials("Send exactly one 'Authorization: Bearer <token>' header")
    resolved = await services_of(request).sessions.resolve(token.strip())
    if resolved is None:
        raise InvalidCredentials("Unknown, expired or revoked session token")
    return resolved
