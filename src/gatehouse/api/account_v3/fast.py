"""Fast-lane answer for ``GET /v3/session/user`` (see api/_common/fastpath)."""

from __future__ import annotations

from gatehouse.api._common.fastpath import FastRequest, FastRoute
from gatehouse.api._common.net import client_address
from gatehouse.api.account_v3.errors import render
from gatehouse.api.account_v3.schemas import SessionUser, session_user_out

__all__ = ["FAST_ROUTES"]


async def session_user(req: FastRequest) -> tuple[int, SessionUser] | None:
    token = req.one_header(b"private-token")
    if token is None or not token.strip():
        return None
    services = req.services
    ip = client_address(req.scope, services.settings.trusted_proxies)  # type: ignore[arg-type]
    resolved = await services.account_tokens.resolve(token.strip(), caller=ip)
    if resolved.user is None:  # logged out: Litestar answers that (nothing counted)
        return None
    return 200, session_user_out(resolved.user, ip, services.geo)


FAST_ROUTES = [FastRoute("GET", "/v3/session/user", "/v3/session/user", session_user, render)]
