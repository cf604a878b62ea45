"""Fast-lane answers for ``GET`` and ``POST /v1/session`` (see api/_common/fastpath)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from gatehouse.api._common.fastpath import FastRequest, FastRoute
from gatehouse.api._common.net import client_address
from gatehouse.api.user_session_v1.errors import render
from gatehouse.api.user_session_v1.schemas import UserSession, user_session

__all__ = ["FAST_ROUTES"]

_NOT_SURE = object()


def _session_id(query: bytes) -> object:
    """None (no ``id``), the one ``id`` given, or _NOT_SURE for anything else."""
    if not query:
        return None
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    if len(pairs) != 1 or pairs[0][0] != "id" or not 0 < len(pairs[0][1]) <= 64:
        return _NOT_SURE
    return pairs[0][1]


async def _answer(req: FastRequest, renew: bool) -> tuple[int, UserSession] | None:
    key = req.one_header(b"x-api-key")
    session_id = _session_id(req.query)
    if key is None or session_id is _NOT_SURE:
        return None
    services = req.services
    auth = services.authentication
    address = client_address(req.scope, services.settings.trusted_proxies)  # type: ignore[arg-type]
    caller = await auth.resolve_api_key(key.strip(), caller=address)
    if renew:
        session = await auth.renew_session(caller, session_id)
    else:
        session = await auth.get_session(caller, session_id)
    return 200, user_session(session)


async def get_session(req: FastRequest) -> tuple[int, UserSession] | None:
    return await _answer(req, renew=False)


async def renew_session(req: FastRequest) -> tuple[int, UserSession] | None:
    return await _answer(req, renew=True)


FAST_ROUTES = [
    FastRoute("GET", "/v1/session", "/v1/session", get_session, render),
    FastRoute("POST", "/v1/session", "/v1/session", renew_session, render),
]
