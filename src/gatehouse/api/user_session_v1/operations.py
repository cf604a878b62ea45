"""User Session API v1 operations: parse, resolve the X-API-Key, call one service,
encode. Each function is the one implementation of its endpoint (``routes.py``
maps the paths to them and documents them)."""

from __future__ import annotations

from typing import Any

from gatehouse.api._common.http import Call, Reply, json_reply
from gatehouse.api.user_session_v1.errors import render
from gatehouse.api.user_session_v1.schemas import (
    AuthenticationRequest,
    AuthenticationResponse,
    UserSessionWithSecrets,
    project_out,
    user_session,
)
from gatehouse.core.errors import InvalidCredentials, InvalidInput
from gatehouse.observability import counting_sign_in
from gatehouse.services.api_callers import ApiCaller
from gatehouse.services.sign_in_messages import (
    AuthenticationFailed,
    Prompts,
    SignInOutcome,
    SignInRequest,
)

__all__ = ["authenticate", "delete_session", "get_session", "renew_session"]

_MAX_ID_LENGTH = 64
_TRUE = json_reply(True)


async def _api_caller(call: Call) -> ApiCaller:
    key = call.one_header(b"x-api-key")
    if key is None:
        raise InvalidCredentials("Send exactly one X-API-Key header", field="X-API-Key")
    caller: ApiCaller = await call.services.api_callers.resolve_api_key(
        key.strip(), caller=call.caller
    )
    return caller


def _session_id(call: Call) -> str | None:
    """An empty ``id=`` is no id (the caller's own session), as generated clients send it."""
    value = call.query_value("id")
    if value is not None and len(value) > _MAX_ID_LENGTH:
        raise InvalidInput("id is not a session id", field="id")
    return value or None


def _sign_in_request(body: AuthenticationRequest) -> SignInRequest:
    steam = (body.tokens.steam_tokens if body.tokens else None) or []
    tickets = [token.user_ticket for token in steam]
    two = body.two_factor
    return SignInRequest(
        email=body.email_address,
        password_hash=body.password_hash,
        marketing_opt_in=body.marketing_preference_opt_in,
        prompt_for_project=bool(body.prompt_for_project),
        project_id=body.project_id,
        requested_role=body.requested_role,
        steam_tickets=tuple(tickets),
        two_factor_code=two.two_factor_code if two else None,
        device_identifier=two.device_identifier if two else None,
        device_name=two.device_identifier_friendly_name if two else None,
        trust_device=bool(two.trust_this_device) if two else False,
        confirm_link=bool(body.confirm_link),
    )


def _prompt_data(prompts: Prompts) -> dict[str, Any]:
    return {
        "promptForEmailAddress": prompts.email_address,
        "promptForPassword": prompts.password,
        "promptForMarketingPreferenceOptIn": prompts.marketing_opt_in,
        "promptForTwoFactor": prompts.two_factor,
    }


def _response(outcome: SignInOutcome) -> AuthenticationResponse:
    issued = outcome.issued
    session = None
    if issued is not None:
        base = user_session(issued.session)
        session = UserSessionWithSecrets(
            **{f: getattr(base, f) for f in base.__struct_fields__}, api_key=issued.publisher
        )
    prompts = outcome.prompts
    projects = outcome.available_projects
    return AuthenticationResponse(
        authenticated_session=session,
        intent=outcome.intent,
        prompt_for_email_address=prompts.email_address,
        prompt_for_password=prompts.password,
        prompt_for_marketing_preference_opt_in=prompts.marketing_opt_in,
        prompt_for_two_factor=prompts.two_factor,
        available_projects=[project_out(p) for p in projects] if projects is not None else None,
    )


async def authenticate(call: Call) -> Reply:
    """Empty body and ``null`` both mean an empty request."""
    body: AuthenticationRequest | None = await call.json_as(AuthenticationRequest | None)
    sign_in = _sign_in_request(body or AuthenticationRequest())
    caller = await _api_caller(call)
    method = "steam" if sign_in.steam_tickets else "password"
    try:
        with counting_sign_in(method) as outcome_label:
            outcome = await call.services.sign_in.authenticate(
                caller, sign_in, ip=call.caller, user_agent=call.user_agent
            )
            if outcome.issued is None:
                outcome_label.append("prompt")
    except AuthenticationFailed as failed:
        return Reply.rendered(render(failed.error, call.path, data=_prompt_data(failed.prompts)))
    return json_reply(_response(outcome))


async def get_session(call: Call) -> Reply:
    session_id = _session_id(call)
    caller = await _api_caller(call)
    session = await call.services.session_access.get_session(caller, session_id)
    return json_reply(user_session(session))


async def renew_session(call: Call) -> Reply:
    session_id = _session_id(call)
    caller = await _api_caller(call)
    session = await call.services.session_access.renew_session(caller, session_id)
    return json_reply(user_session(session))


async def delete_session(call: Call) -> Reply:
    session_id = _session_id(call)
    caller = await _api_caller(call)
    await call.services.session_access.end_session(caller, session_id)
    return _TRUE
