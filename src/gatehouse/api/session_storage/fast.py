"""Fast-lane answers for the hot reads of this surface (see api/_common/fastpath)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from gatehouse.api._common.fastpath import FastRequest, FastRoute
from gatehouse.api._common.net import client_address
from gatehouse.api.session_storage.errors import render
from gatehouse.api.session_storage.guards import bearer_token
from gatehouse.api.session_storage.schemas import (
    SessionEnvelope,
    SessionListEnvelope,
    TokenSessionEnvelope,
    session_out,
    token_session_envelope,
)
from gatehouse.core.models import Client
from gatehouse.services.sessions import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

__all__ = ["FAST_ROUTES"]


async def whoami(req: FastRequest) -> tuple[int, TokenSessionEnvelope] | None:
    token = bearer_token(req.headers(b"authorization"))
    if token is None:
        return None
    services = req.services
    caller = client_address(req.scope, services.settings.trusted_proxies)  # type: ignore[arg-type]
    resolved = await services.sessions.authenticate_bearer(token, caller=caller)
    return 200, token_session_envelope(resolved.session, str(resolved.role))


async def _client(req: FastRequest) -> Client | None:
    """The client application of exactly one ClientID and one ClientSecret header;
    None (not sure) for anything else."""
    client_id = req.one_header(b"clientid")
    secret = req.one_header(b"clientsecret")
    if client_id is None or secret is None:
        return None
    services = req.services
    caller = client_address(req.scope, services.settings.trusted_proxies)  # type: ignore[arg-type]
    client: Client = await services.projects.authenticate_client(client_id, secret, caller=caller)
    return client


async def get_session(req: FastRequest) -> tuple[int, SessionEnvelope] | None:
    client = None if req.query else await _client(req)
    if client is None:
        return None
    session = await req.services.sessions.get_owned(client.user_id, req.tail)
    return 200, SessionEnvelope(data=session_out(session))


_PAGE_SIZE = re.compile(r"[1-9][0-9]{0,2}")


def _page_query(query: bytes) -> tuple[int, str | None] | None:
    """(page_size, page_token) of a plain listing query, else None (not sure)."""
    if not query:
        return DEFAULT_PAGE_SIZE, None
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    found = dict(pairs)
    if len(found) != len(pairs) or not found.keys() <= {"page_size", "page_token"}:
        return None
    size = found.get("page_size", str(DEFAULT_PAGE_SIZE))
    if not _PAGE_SIZE.fullmatch(size) or int(size) > MAX_PAGE_SIZE:
        return None
    return int(size), found.get("page_token") or None


async def list_sessions(req: FastRequest) -> tuple[int, SessionListEnvelope] | None:
    query = _page_query(req.query)
    client = None if query is None else await _client(req)
    if query is None or client is None:
        return None
    page_size, page_token = query
    page = await req.services.sessions.page(
        client.user_id, page_size=page_size, page_token=page_token
    )
    data = [session_out(s) for s in page.sessions]
    return 200, SessionListEnvelope(data=data, next_page_token=page.next_token)


FAST_ROUTES = [
    FastRoute(
        "GET", "/session-storage/sessions", "/session-storage/sessions", list_sessions, render
    ),
    FastRoute("GET", "/session-storage/session", "/session-storage/session", whoami, render),
    FastRoute(
        "GET",
        "/session-storage/sessions/",
        "/session-storage/sessions/{session_id}",
        get_session,
        render,
        prefix=True,
    ),
]
