"""Session Storage routes: each path and method, its operation, and its documentation.

``ROUTES`` is what the router serves (``operations.py`` holds the behaviour). The
Litestar declarations below build the OpenAPI document and ``/docs`` only: their
signatures and decorators describe the parameters and answers, and they are never
called (the fuzz run holds the two together).
"""

from __future__ import annotations

from typing import Annotated

from litestar import Router, delete, get, post
from litestar.params import HeaderParameter, Parameter, PathParameter

from gatehouse.api._common.openapi import json_body, served_by_router
from gatehouse.api._common.routing import Route
from gatehouse.api.session_storage import operations
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
    NewSessionRequest,
    SessionEnvelope,
    SessionListEnvelope,
    SessionTtlRequest,
    TokenSessionEnvelope,
)
from gatehouse.core.cursors import MAX_TOKEN_LENGTH

__all__ = ["ROUTES", "router"]

ROUTES = [
    Route("GET", "/sessions", operations.list_sessions),
    Route("GET", "/sessions/{session_id}", operations.get_session),
    Route("DELETE", "/sessions/{session_id}", operations.delete_session),
    Route("POST", "/sessions/{session_id}", operations.update_session),
    Route("POST", "/session", operations.create_session),
    Route("GET", "/session", operations.whoami),
]

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
    served_by_router()


@get(
    "/sessions/{session_id:str}",
    summary="One session of the client's user",
    responses={200: ONE, **_ERRORS},
    security=_SECURITY,
)
async def get_session(
    session_id: Annotated[str, PathParameter(description="<user id>.<8 hex>.<8 hex>")],
    client_id: Annotated[str | None, _CLIENT_ID] = None,
    client_secret: Annotated[str | None, _CLIENT_SECRET] = None,
) -> SessionEnvelope:
    served_by_router()


@delete(
    "/sessions/{session_id:str}",
    summary="End a session; its tokens stop working at once",
    responses=_ERRORS,
    security=_SECURITY,
    status_code=204,
)
async def delete_session(
    session_id: Annotated[str, PathParameter(description="<user id>.<8 hex>.<8 hex>")],
    client_id: Annotated[str | None, _CLIENT_ID] = None,
    client_secret: Annotated[str | None, _CLIENT_SECRET] = None,
) -> None:
    served_by_router()


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
    served_by_router()


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
    client_id: Annotated[str | None, _CLIENT_ID] = None,
    client_secret: Annotated[str | None, _CLIENT_SECRET] = None,
) -> NewSessionEnvelope:
    served_by_router()


@get(
    "/session",
    summary="Who is this token? (Authorization: Bearer <publisher or subscriber token>)",
    responses={200: WHOAMI, **{status: _ERRORS[status] for status in (400, 401, 429)}},
    security=[{"Bearer": []}],
)
async def whoami(
    authorization: Annotated[
        str | None,
        HeaderParameter(name="Authorization", description="Bearer <token>", required=False),
    ] = None,
) -> TokenSessionEnvelope:
    served_by_router()


router = Router(
    path="/session-storage",
    route_handlers=[
        list_sessions,
        get_session,
        delete_session,
        update_session,
        create_session,
        whoami,
    ],
    tags=["Session Storage"],
)
