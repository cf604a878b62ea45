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

__all__ = ["authenticated_client", "bearer_session", "bearer_token", "services_of"]


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


def bearer_token(values: list[str]) -> str | None:
    """The token of exactly one ``Authorization: Bearer <token>`` header, else None."""
    if len(values) != 1:
        return None
    scheme, _, token = values[0].partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token


async def bearer_session(request: Request[Any, Any, Any]) -> ResolvedToken:
    token = bearer_token(request.headers.getall("authorization", []))
    if token is None:
        raise InvalidCredentials("Send exactly one 'Authorization: Bearer <token>' header")
    services = services_of(request)
    return await services.sessions.authenticate_bearer(
        token,
        caller=client_address(request.scope, services.settings.trusted_proxies),  # type: ignore[arg-type]
    )
