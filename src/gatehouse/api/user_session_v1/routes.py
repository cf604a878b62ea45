"""User Session API v1 routes. Each handler: parse, resolve the X-API-Key, call one
service, render."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, Router, delete, get, post, put
from litestar.params import HeaderParameter, Parameter

from gatehouse.api._common.body import read_as
from gatehouse.api._common.openapi import json_body
from gatehouse.api._common.options import with_options
from gatehouse.api.user_session_v1.errors import renderer
from gatehouse.api.user_session_v1.guards import api_caller, caller_address, services_of
from gatehouse.api.user_session_v1.openapi import (
    AUTHENTICATED,
    AUTHENTICATION_EXAMPLES,
    ENDED,
    ERRORS,
    SESSION,
)
from gatehouse.api.user_session_v1.schemas import (
    AuthenticationRequest,
    AuthenticationResponse,
    UserSession,
    UserSessionWithSecrets,
    project_out,
    user_session,
)
from gatehouse.core.errors import InvalidInput
from gatehouse.observability import counting_sign_in
from gatehouse.services.sign_in_messages import (
    AuthenticationFailed,
    Prompts,
    SignInOutcome,
    SignInRequest,
)

__all__ = ["router"]

_JSON = "application/json"
_ERRORS = ERRORS
_API_KEY = HeaderParameter(name="X-API-Key", description="API key", required=False)
_ID = Parameter(
    description=(
        "The id of a user session; absent or empty: the session whose apiKey is the "
        "X-API-Key (a project key of type public/server/admin must name one, else 400)"
    ),
    schema_extra={"maxLength": 64},
)
_MAX_ID_LENGTH = 64


async def _auth_body(request: Request[Any, Any, Any]) -> AuthenticationRequest:
    """Empty body and ``null`` both mean an empty request."""
    body: AuthenticationRequest | None = await read_as(request, AuthenticationRequest | None)
    return body or AuthenticationRequest()


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


def _session_id(value: str | None) -> str | None:
    """An empty ``id=`` is no id (the caller's own session), as generated clients send it."""
    if value is not None and len(value) > _MAX_ID_LENGTH:
        raise InvalidInput("id is not a session id", field="id")
    return value or None


@put(
    "/authenticate",
    summary="Sign a user in (progressive: answers with prompts until it has enough)",
    responses={200: AUTHENTICATED, **_ERRORS},
    status_code=200,
    operation_class=json_body(
        AuthenticationRequest | None,
        description="AuthenticationRequest; may be empty or null",
        examples=AUTHENTICATION_EXAMPLES,
    ),
)
async def authenticate(
    request: Request[Any, Any, Any],
    x_api_key: Annotated[str | None, _API_KEY] = None,
) -> Response[Any]:
    body = await _auth_body(request)
    sign_in = _sign_in_request(body)
    caller = await api_caller(request)
    services = services_of(request)
    method = "steam" if sign_in.steam_tickets else "password"
    try:
        with counting_sign_in(method) as outcome_label:
            outcome = await services.authentication.authenticate(
                caller,
                sign_in,
                ip=caller_address(request),
                user_agent=request.headers.get("user-agent", ""),
            )
            if outcome.issued is None:
                outcome_label.append("prompt")
    except AuthenticationFailed as failed:
        return renderer.domain(failed.error, request, data=_prompt_data(failed.prompts))
    return Response(msgspec.json.encode(_response(outcome)), media_type=_JSON)


@get("/session", summary="A user session", responses={200: SESSION, **_ERRORS})
async def get_session(
    request: Request[Any, Any, Any],
    x_api_key: Annotated[str | None, _API_KEY] = None,
    id: Annotated[str | None, _ID] = None,
) -> UserSession:
    session_id = _session_id(id)
    caller = await api_caller(request)
    session = await services_of(request).authentication.get_session(caller, session_id)
    return user_session(session)


@post(
    "/session",
    summary="Renew a user session: expiry = now + 1 hour",
    responses={200: SESSION, **_ERRORS},
    status_code=200,
)
async def renew_session(
    request: Request[Any, Any, Any],
    x_api_key: Annotated[str | None, _API_KEY] = None,
    id: Annotated[str | None, _ID] = None,
) -> UserSession:
    session_id = _session_id(id)
    caller = await api_caller(request)
    session = await services_of(request).authentication.renew_session(caller, session_id)
    return user_session(session)


@delete(
    "/session",
    summary="End a user session; its apiKey stops working at once",
    responses={200: ENDED, **_ERRORS},
    status_code=200,
)
async def delete_session(
    request: Request[Any, Any, Any],
    x_api_key: Annotated[str | None, _API_KEY] = None,
    id: Annotated[str | None, _ID] = None,
) -> bool:
    session_id = _session_id(id)
    caller = await api_caller(request)
    await services_of(request).authentication.end_session(caller, session_id)
    return True


router = Router(
    path="/v1",
    route_handlers=with_options([authenticate, get_session, renew_session, delete_session]),
    tags=["User Session API v1"],
    security=[{"X-API-Key": []}],
)
