"""Account API v3 routes. Each handler: check the token, call one service, render."""

from __future__ import annotations

from typing import Annotated, Any, Final

from litestar import Request, Router, get, post
from litestar.exceptions import HTTPException
from litestar.params import HeaderParameter

from gatehouse.api._common.body import EMPTY, read_json
from gatehouse.api._common.openapi import json_body
from gatehouse.api._common.options import with_options
from gatehouse.api.account_v3.errors import InvalidFields
from gatehouse.api.account_v3.guards import caller_of, private_token, services_of
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
    parse_login,
    parse_otp,
    session_user_out,
)
from gatehouse.core.clock import to_unix_seconds
from gatehouse.core.errors import NotFound
from gatehouse.observability import counting_sign_in

__all__ = ["router"]

_TOKEN = HeaderParameter(name="PRIVATE-TOKEN", description="Account token", required=False)
#: Every call but ``/token`` (which hands out tokens) takes a PRIVATE-TOKEN.
_SECURITY: Final[list[dict[str, list[str]]]] = [{"PRIVATE-TOKEN": []}]


async def _json_object(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The request body as a JSON object; empty means ``{}``."""
    value = await read_json(request)
    if value is EMPTY:
        return {}
    if not isinstance(value, dict):
        raise HTTPException(status_code=400, detail="The body must be a JSON object")
    return value


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
    request: Request[Any, Any, Any],
    x_api_key: Annotated[
        str | None,
        HeaderParameter(name="X-API-Key", description="Public API key (optional)", required=False),
    ] = None,
) -> NewToken:
    services = services_of(request)
    issued = await services.account_tokens.issue_device_token(
        caller=caller_of(request, services), api_key=x_api_key
    )
    return NewToken(token=issued.token, expiresAt=to_unix_seconds(issued.expires_at))


@get(
    "/user",
    summary="Get basic details of the logged in user",
    responses={200: USER, **pick(403, 404, 429)},
    security=_SECURITY,
)
async def session_user(
    request: Request[Any, Any, Any],
    private_token_header: Annotated[str | None, _TOKEN] = None,
) -> SessionUser:
    services = services_of(request)
    token = await services.account_tokens.resolve(
        private_token(request), caller=caller_of(request, services)
    )
    user = token.user
    if user is None:
        raise NotFound("Not logged in")
    return session_user_out(user, caller_of(request, services), services.geo)


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
    request: Request[Any, Any, Any],
    private_token_header: Annotated[str | None, _TOKEN] = None,
) -> SessionAuthReq:
    services = services_of(request)
    secret = private_token(request)
    payload, problems = parse_login(await _json_object(request))
    if payload is None:
        raise InvalidFields(problems)
    with counting_sign_in("password") as outcome:
        auth = await services.account_tokens.login(
            secret,
            user_name=payload.userName,
            password=payload.password,
            remember_me=payload.rememberMe == 1,
            caller=caller_of(request, services),
            user_agent=request.headers.get("user-agent", ""),
        )
        if auth.requires_otp:
            outcome.append("otp-required")
    expires = to_unix_seconds(auth.otp_expires_at) if auth.requires_otp else 0
    return SessionAuthReq(
        requiresOtp=auth.requires_otp, expiresAt=expires, otpSessionExpiresAt=expires
    )


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
    request: Request[Any, Any, Any],
    private_token_header: Annotated[str | None, _TOKEN] = None,
) -> None:
    services = services_of(request)
    secret = private_token(request)
    code, problems = parse_otp(await _json_object(request))
    if code is None:
        raise InvalidFields(problems)
    with counting_sign_in("otp"):
        await services.account_tokens.login_otp(
            secret,
            code,
            caller=caller_of(request, services),
            user_agent=request.headers.get("user-agent", ""),
        )


@post(
    "/logout",
    summary="Log out (204 also when not logged in; a no-op on a personal access token)",
    status_code=204,
    responses=pick(403, 429),
    security=_SECURITY,
)
async def logout(
    request: Request[Any, Any, Any],
    private_token_header: Annotated[str | None, _TOKEN] = None,
) -> None:
    services = services_of(request)
    await services.account_tokens.logout(
        private_token(request), caller=caller_of(request, services)
    )


router = Router(
    path="/v3/session",
    route_handlers=with_options([new_token, session_user, login, login_otp, logout]),
    tags=["Account session API v3"],
)
