"""Session Storage routes. Each handler: check credentials, call one service, render."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Router, delete, get, post
from litestar.params import HeaderParameter, Parameter, PathParameter

from gatehouse.api._common.body import read_as
from gatehouse.api._common.net import client_address
from gatehouse.api._common.openapi import json_body
from gatehouse.api._common.options import with_options
from gatehouse.api.session_storage.guards import (
    authenticated_client,
    bearer_session,
    services_of,
)
from gatehouse.api.session_storage.openapi import (
    CREATED,
    ERRORS,
    LISTED,
    NEW_SESSION_EXAMPLES,
    ONE,
    TTL_EXAMPLES,
    WHOAMI,
)
from gatehouse.api.session_storage.schemas import (
    MAX_TTL_DEFAULT,
    NewSessionEnvelope,
    NewSessionOut,
    NewSessionRequest,
    SessionEnvelope,
    SessionListEnvelope,
    SessionTtlRequest,
    TokenSessionEnvelope,
    session_out,
    token_session_envelope,
)
from gatehouse.core.clock import rfc3339
from gatehouse.core.cursors import MAX_TOKEN_LENGTH
from gatehouse.core.errors import InvalidInput
from gatehouse.core.models import SessionOrigin

__all__ = ["router"]

_ERRORS = ERRORS
#: Every call but "who is this token?" (a session's bearer token) takes client credentials.
_SECURITY: list[dict[str, list[str]]] = [{"ClientID": [], "ClientSecret": []}]
_CLIENT_ID = HeaderParameter(name="ClientID", description="Client application id", required=False)
_CLIENT_SECRET = HeaderParameter(
    name="ClientSecret", description="Client application secret", required=False
)


@get(
    "/sessions",
    summary="List the active sessions of the client's user (oldest first)",
    responses={200: LISTED, **_ERRORS},
    security=_SECURITY,
)
async def list_sessions(
    request: Request[Any, Any, Any],
    client_id: Annotated[str | None, _CLIENT_ID] = None,
    client_secret: Annotated[str | None, _CLIENT_SECRET] = None,
    page_size: Annotated[int, Parameter(ge=1, le=100, description="Sessions per page")] = 20,
    page_token: Annotated[
        str | None,
        Parameter(
            description="next_page_token of the previous page, as it came (else 400)",
            schema_extra={"pattern": "^[A-Za-z0-9_-]*$", "maxLength": MAX_TOKEN_LENGTH},
        ),
    ] = None,
) -> SessionListEnvelope:
    client = await authenticated_client(request)
    page = await services_of(request).sessions.page(
        client.user_id, page_size=page_size, page_token=page_token or None
    )
    return SessionListEnvelope(
        data=[session_out(s) for s in page.sessions], next_page_token=page.next_token
    )


@get(
    "/sessions/{session_id:str}",
    summary="One session of the client's user",
    responses={200: ONE, **_ERRORS},
    security=_SECURITY,
)
async def get_session(
    request: Request[Any, Any, Any],
    session_id: Annotated[str, PathParameter(description="<user id>.<8 hex>.<8 hex>")],
    client_id: Annotated[str | None, _CLIENT_ID] = None,
    client_secret: Annotated[str | None, _CLIENT_SECRET] = None,
) -> SessionEnvelope:
    client = await authenticated_client(request)
    session = await services_of(request).sessions.get_owned(client.user_id, session_id)
    return SessionEnvelope(data=session_out(session))


@delete(
    "/sessions/{session_id:str}",
    summary="End a session; its tokens stop working at once",
    responses=_ERRORS,
    security=_SECURITY,
    status_code=204,
)
async def delete_session(
    request: Request[Any, Any, Any],
    session_id: Annotated[str, PathParameter(description="<user id>.<8 hex>.<8 hex>")],
    client_id: Annotated[str | None, _CLIENT_ID] = None,
    client_secret: Annotated[str | None, _CLIENT_SECRET] = None,
) -> None:
    client = await authenticated_client(request)
    await services_of(request).sessions.revoke_owned(
        client.user_id, session_id, origin=SessionOrigin.STORAGE
    )


@post(
    "/sessions/{session_id:str}",
    summary="Set expires_at = now + ttl_seconds",
    description="`ttl_seconds` in the query or in the body; one of them is required (else 400).",
    responses=_ERRORS,
    security=_SECURITY,
    status_code=204,
    operation_class=json_body(
        SessionTtlRequest,
        description='Optional: {"data": {"ttl_seconds": n}}; the query wins',
        examples=TTL_EXAMPLES,
    ),
)
async def update_session(
    request: Request[Any, Any, Any],
    session_id: Annotated[str, PathParameter(description="<user id>.<8 hex>.<8 hex>")],
    client_id: Annotated[str | None, _CLIENT_ID] = None,
    client_secret: Annotated[str | None, _CLIENT_SECRET] = None,
    ttl_seconds: Annotated[
        int | None,
        Parameter(
            ge=1,
            description="Seconds from now, at most the project's maximum; wins over the body",
            schema_extra={"maximum": MAX_TTL_DEFAULT},
        ),
    ] = None,
) -> None:
    client = await authenticated_client(request)
    services = services_of(request)
    ttl = ttl_seconds
    body: SessionTtlRequest | None = await read_as(request, SessionTtlRequest)
    if ttl is None and body is not None and body.data is not None:
        ttl = body.data.ttl_seconds
    if ttl is None:
        raise InvalidInput("ttl_seconds is required", field="ttl_seconds")
    project = await services.projects.get(client.project_id)
    await services.sessions.set_ttl(client.user_id, session_id, ttl, project)


@post(
    "/session",
    summary="Start a session for the client's user; its tokens are shown only here",
    responses={201: CREATED, **_ERRORS},
    security=_SECURITY,
    status_code=201,
    operation_class=json_body(
        NewSessionRequest,
        description="Optional; absent or {} means the defaults",
        examples=NEW_SESSION_EXAMPLES,
    ),
)
async def create_session(
    request: Request[Any, Any, Any],
    client_id: Annotated[str | None, _CLIENT_ID] = None,
    client_secret: Annotated[str | None, _CLIENT_SECRET] = None,
) -> NewSessionEnvelope:
    client = await authenticated_client(request)
    body: NewSessionRequest | None = await read_as(request, NewSessionRequest)
    data = body.data if body is not None else None
    services = services_of(request)
    project = await services.projects.get(client.project_id)
    issued = await services.sessions.start(
        project=project,
        user_id=client.user_id,
        origin=SessionOrigin.STORAGE,
        ttl_seconds=data.ttl_seconds if data else None,
        intent=data.intent if data else None,
        subscriber_count=data.subscriber_count if data else 0,
        client_id=client.id,
        ip=client_address(request.scope, services.settings.trusted_proxies),  # type: ignore[arg-type]
        user_agent=request.headers.get("user-agent", ""),
    )
    s = issued.session
    out = NewSessionOut(
        id=s.id,
        created_at=rfc3339(s.created_at),
        updated_at=rfc3339(s.updated_at),
        expires_at=rfc3339(s.expires_at),
        intent=s.intent,
        publisher=issued.publisher,
        subscriber=list(issued.subscribers),
        ws_url=project.ws_url,
        webrtc_url=project.webrtc_url,
        webrtc_room_name=s.room_name,
    )
    return NewSessionEnvelope(data=out)


@get(
    "/session",
    summary="Who is this token? (Authorization: Bearer <publisher or subscriber token>)",
    responses={200: WHOAMI, **{status: _ERRORS[status] for status in (400, 401, 429)}},
    security=[{"Bearer": []}],
)
async def whoami(
    request: Request[Any, Any, Any],
    authorization: Annotated[
        str | None,
        HeaderParameter(name="Authorization", description="Bearer <token>", required=False),
    ] = None,
) -> TokenSessionEnvelope:
    resolved = await bearer_session(request)
    return token_session_envelope(resolved.session, str(resolved.role))


router = Router(
    path="/session-storage",
    route_handlers=with_options(
        [list_sessions, get_session, delete_session, update_session, create_session, whoami]
    ),
    tags=["Session Storage"],
)
