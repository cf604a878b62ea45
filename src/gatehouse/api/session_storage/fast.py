"""Fast-lane answers for the two hot reads of this surface (see api/_common/fastpath)."""

from __future__ import annotations

from gatehouse.api._common.fastpath import FastRequest, FastRoute
from gatehouse.api._common.net import client_address
from gatehouse.api.session_storage.guards import bearer_token
from gatehouse.api.session_storage.schemas import (
    SessionEnvelope,
    TokenSessionEnvelope,
    session_out,
    token_session_envelope,
)
from gatehouse.core.errors import SessionNotFound

__all__ = ["FAST_ROUTES"]


async def whoami(req: FastRequest) -> tuple[int, TokenSessionEnvelope] | None:
    token = bearer_token(req.headers(b"authorization"))
    if token is None:
        return None
    services = req.services
    caller = client_address(req.scope, services.settings.trusted_proxies)  # type: ignore[arg-type]
    resolved = await services.sessions.usable_bearer(token, caller=caller)
    if resolved is None:
        return None
    return 200, token_session_envelope(resolved.session, str(resolved.role))


async def get_session(req: FastRequest) -> tuple[int, SessionEnvelope] | None:
    client_id = req.one_header(b"clientid")
    secret = req.one_header(b"clientsecret")
    if client_id is None or secret is None or req.query:
        return None
    services = req.services
    caller = client_address(req.scope, services.settings.trusted_proxies)  # type: ignore[arg-type]
    client = await services.projects.usable_client(client_id, secret, caller=caller)
    if client is None:
        return None
    try:
        session = await services.sessions.get_owned(client.user_id, req.tail)
    except SessionNotFound:
        return None
    return 200, SessionEnvelope(data=session_out(session))


FAST_ROUTES = [
    FastRoute("GET", "/session-storage/session", "/session-storage/session", whoami),
    FastRoute(
        "GET",
        "/session-storage/sessions/",
        "/session-storage/sessions/{session_id}",
        get_session,
        prefix=True,
    ),
]
