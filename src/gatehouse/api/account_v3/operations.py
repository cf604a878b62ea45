"""Account API v3 operations: check the token, call one service, encode. Each
function is the one implementation of its endpoint (``routes.py`` maps the paths
to them and documents them)."""

from __future__ import annotations

from typing import Any

from gatehouse.api._common.http import EMPTY, Call, Problem, Reply, json_reply
from gatehouse.api.account_v3.errors import InvalidFields
from gatehouse.api.account_v3.schemas import (
    NewToken,
    SessionAuthReq,
    parse_login,
    parse_otp,
    session_user_out,
)
from gatehouse.core.clock import to_unix_seconds
from gatehouse.core.errors import Forbidden, NotFound
from gatehouse.observability import counting_sign_in

__all__ = ["login", "login_otp", "logout", "new_token", "session_user"]

_NO_CONTENT = Reply(204)


def _private_token(call: Call) -> str:
    """Exactly one ``PRIVATE-TOKEN`` header, else 403 (the service checks the rest)."""
    value = call.one_header(b"private-token")
    if value is None or not value.strip():
        raise Forbidden("Send exactly one PRIVATE-TOKEN header")
    return value.strip()


async def _json_object(call: Call) -> dict[str, Any]:
    """The request body as a JSON object; empty means ``{}``."""
    value = await call.json()
    if value is EMPTY:
        return {}
    if not isinstance(value, dict):
        raise Problem(400, "The body must be a JSON object")
    return value


async def new_token(call: Call) -> Reply:
    issued = await call.services.account_tokens.issue_device_token(
        caller=call.caller, api_key=call.header(b"x-api-key") or None
    )
    return json_reply(
        NewToken(token=issued.token, expiresAt=to_unix_seconds(issued.expires_at)), 201
    )


async def session_user(call: Call) -> Reply:
    services = call.services
    token = await services.account_tokens.resolve(_private_token(call), caller=call.caller)
    user = token.user
    if user is None:
        raise NotFound("Not logged in")
    return json_reply(session_user_out(user, call.caller, services.geo))


async def login(call: Call) -> Reply:
    secret = _private_token(call)
    payload, problems = parse_login(await _json_object(call))
    if payload is None:
        raise InvalidFields(problems)
    with counting_sign_in("password") as outcome:
        auth = await call.services.account_tokens.login(
            secret,
            user_name=payload.userName,
            password=payload.password,
            remember_me=payload.rememberMe == 1,
            caller=call.caller,
            user_agent=call.user_agent,
        )
        if auth.requires_otp:
            outcome.append("otp-required")
    expires = to_unix_seconds(auth.otp_expires_at) if auth.requires_otp else 0
    return json_reply(
        SessionAuthReq(
            requiresOtp=auth.requires_otp, expiresAt=expires, otpSessionExpiresAt=expires
        )
    )


async def login_otp(call: Call) -> Reply:
    secret = _private_token(call)
    code, problems = parse_otp(await _json_object(call))
    if code is None:
        raise InvalidFields(problems)
    with counting_sign_in("otp"):
        await call.services.account_tokens.login_otp(
            secret, code, caller=call.caller, user_agent=call.user_agent
        )
    return _NO_CONTENT


async def logout(call: Call) -> Reply:
    await call.services.account_tokens.logout(_private_token(call), caller=call.caller)
    return _NO_CONTENT
