"""Account API v3 routes: each path and method, its operation, and its documentation.
``ROUTES`` is what the router serves (``operations.py`` holds the behaviour); the
Litestar declarations below only build the OpenAPI document and ``/docs`` (never
called; the fuzz run holds the two together)."""

from __future__ import annotations

from typing import Annotated, Final

from litestar import Router, get, post
from litestar.params import HeaderParameter

from gatehouse.api._common.openapi import json_body, served_by_router
from gatehouse.api._common.routing import Route
from gatehouse.api.account_v3 import operations
from gatehouse.api.account_v3.openapi import (
    LOGGED_IN,
    LOGIN_EXAMPLES,
    NEW_TOKEN,
    OTP_EXAMPLES,
    USER,
    pick,
)
from gatehouse.api.account_v3.schemas import (
    NewToken,
    SessionAuthReq,
    SessionLogin,
    SessionLoginOtp,
    SessionUser,
)

__all__ = ["ROUTES", "router"]

ROUTES = [
    Route("POST", "/session/token", operations.new_token),
    Route("GET", "/session/user", operations.session_user),
    Route("POST", "/session/login", operations.login),
    Route("POST", "/session/login/otp", operations.login_otp),
    Route("POST", "/session/logout", operations.logout),
]

_TOKEN = HeaderParameter(name="PRIVATE-TOKEN", description="Account token", required=False)
#: Every call but ``/token`` (which hands out tokens) takes a PRIVATE-TOKEN.
_SECURITY: Final[list[dict[str, list[str]]]] = [{"PRIVATE-TOKEN": []}]


@post(
    "/token",
    summary="Get a new, logged-out device token (Gatehouse extension, not in the original API)",
    description=(
        "Unauthenticated but rate-limited per caller address (30 a minute). The token "
        "belongs to the default project (the lowest id) or to the project of a public "
        "`X-API-Key`. It expires when unused for 24 hours."
    ),
    status_code=201,
    # 404: no project exists yet (a fresh installation) and no X-API-Key names one.
    responses={201: NEW_TOKEN, **pick(403, 404, 429)},
)
async def new_token(
    x_api_key: Annotated[
        str | None,
        HeaderParameter(name="X-API-Key", description="Public API key (optional)", required=False),
    ] = None,
) -> NewToken:
    served_by_router()


@get(
    "/user",
    summary="Get basic details of the logged in user",
    responses={200: USER, **pick(403, 404, 429)},
    security=_SECURITY,
)
async def session_user(
    private_token_header: Annotated[str | None, _TOKEN] = None,
) -> SessionUser:
    served_by_router()


@post(
    "/login",
    summary="Log in",
    status_code=200,
    responses={200: LOGGED_IN, **pick(401, 403, 409, 413, 415, 422, 429)},
    security=_SECURITY,
    operation_class=json_body(
        SessionLogin, description="SessionLogin", required=True, examples=LOGIN_EXAMPLES
    ),
)
async def login(
    private_token_header: Annotated[str | None, _TOKEN] = None,
) -> SessionAuthReq:
    served_by_router()


@post(
    "/login/otp",
    summary="Provide the 2FA one-time password (or a recovery code) after /session/login",
    status_code=204,
    responses=pick(401, 403, 404, 413, 415, 422, 429),
    security=_SECURITY,
    operation_class=json_body(
        SessionLoginOtp, description="SessionLoginOtp", required=True, examples=OTP_EXAMPLES
    ),
)
async def login_otp(
    private_token_header: Annotated[str | None, _TOKEN] = None,
) -> None:
    served_by_router()


@post(
    "/logout",
    summary="Log out (204 also when not logged in; a no-op on a personal access token)",
    status_code=204,
    responses=pick(403, 429),
    security=_SECURITY,
)
async def logout(
    private_token_header: Annotated[str | None, _TOKEN] = None,
) -> None:
    served_by_router()


router = Router(
    path="/v3/session",
    route_handlers=[new_token, session_user, login, login_otp, logout],
    tags=["Account session API v3"],
)
