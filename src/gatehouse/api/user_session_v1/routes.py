"""User Session API v1 routes: each path and method, its operation, and its
documentation. ``ROUTES`` is what the router serves (``operations.py`` holds the
behaviour); the Litestar declarations below only build the OpenAPI document and
``/docs`` (never called; the fuzz run holds the two together)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response, Router, delete, get, post, put
from litestar.params import HeaderParameter, Parameter

from gatehouse.api._common.openapi import json_body, served_by_router
from gatehouse.api._common.routing import Route
from gatehouse.api.user_session_v1 import operations
from gatehouse.api.user_session_v1.openapi import (
    AUTHENTICATED,
    AUTHENTICATION_EXAMPLES,
    ENDED,
    ERRORS,
    SESSION,
)
from gatehouse.api.user_session_v1.schemas import (
    AuthenticationRequest,
    UserSession,
)

__all__ = ["ROUTES", "router"]

ROUTES = [
    Route("PUT", "/authenticate", operations.authenticate),
    Route("GET", "/session", operations.get_session),
    Route("POST", "/session", operations.renew_session),
    Route("DELETE", "/session", operations.delete_session),
]

_ERRORS = ERRORS
_API_KEY = HeaderParameter(name="X-API-Key", description="API key", required=False)
_ID = Parameter(
    description=(
        "The id of a user session; absent or empty: the session whose apiKey is the "
        "X-API-Key (a project key of type public/server/admin must name one, else 400)"
    ),
    schema_extra={"maxLength": 64},
)


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
    x_api_key: Annotated[str | None, _API_KEY] = None,
) -> Response[Any]:
    served_by_router()


@get("/session", summary="A user session", responses={200: SESSION, **_ERRORS})
async def get_session(
    x_api_key: Annotated[str | None, _API_KEY] = None,
    id: Annotated[str | None, _ID] = None,
) -> UserSession:
    served_by_router()


@post(
    "/session",
    summary="Renew a user session: expiry = now + 1 hour",
    responses={200: SESSION, **_ERRORS},
    status_code=200,
)
async def renew_session(
    x_api_key: Annotated[str | None, _API_KEY] = None,
    id: Annotated[str | None, _ID] = None,
) -> UserSession:
    served_by_router()


@delete(
    "/session",
    summary="End a user session; its apiKey stops working at once",
    responses={200: ENDED, **_ERRORS},
    status_code=200,
)
async def delete_session(
    x_api_key: Annotated[str | None, _API_KEY] = None,
    id: Annotated[str | None, _ID] = None,
) -> bool:
    served_by_router()


router = Router(
    path="/v1",
    route_handlers=[authenticate, get_session, renew_session, delete_session],
    tags=["User Session API v1"],
    security=[{"X-API-Key": []}],
)
