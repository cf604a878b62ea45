"""The admin API in the OpenAPI document and ``/docs``: Litestar declarations whose
signatures and decorators describe each operation of ``routes.ROUTES``. They are
never called (the router answers first); the route-table test and the fuzz run
hold the two together."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, delete, get, patch, post
from litestar.params import Parameter

from gatehouse.api._common.openapi import served_by_router
from gatehouse.api.admin_v1.docs_params import (
    SECURITY,
    After,
    ClientId,
    IdempotencyKey,
    KeyId,
    Limit,
    ProjectId,
    SessionId,
    UserId,
    body,
)
from gatehouse.api.admin_v1.docs_users import USER_HANDLERS
from gatehouse.api.admin_v1.openapi import errors
from gatehouse.api.admin_v1.schemas import (
    AdminProjectOut,
    AdminSessionOut,
    ApiKeyOut,
    ApiKeyPage,
    AuditEventPage,
    ClientOut,
    ClientPage,
    NewApiKeyIn,
    NewClientIn,
    NewProjectIn,
    ProjectPage,
    ProjectPatchIn,
    RevokedOut,
    SessionPage,
)

__all__ = ["router"]

# -- projects ----------------------------------------------------------------------------


@get(
    "/projects",
    summary="List projects (a project key: its own)",
    responses=errors(400),
    security=SECURITY,
)
async def list_projects(limit: Limit = 50, after: After = None) -> ProjectPage:
    served_by_router()


@post(
    "/projects",
    summary="Create a project (operator keys only)",
    status_code=201,
    responses=errors(400, 403, 409, 413, 415, 422),
    security=SECURITY,
    operation_class=body(NewProjectIn, "Name and any settings", {"name": "Space Game"}),
)
async def create_project(idempotency_key: IdempotencyKey = None) -> AdminProjectOut:
    served_by_router()


@get(
    "/projects/{project_id:int}",
    summary="A project's settings",
    responses=errors(404),
    security=SECURITY,
)
async def get_project(project_id: ProjectId) -> AdminProjectOut:
    served_by_router()


@patch(
    "/projects/{project_id:int}",
    summary="Change settings, all or nothing (the rules of `gatehouse project set`)",
    responses=errors(400, 404, 413, 415),
    security=SECURITY,
    operation_class=body(
        ProjectPatchIn, "Fields to change", {"session_limit": 5, "ws_url": "wss://rt.example/ws"}
    ),
)
async def update_project(project_id: ProjectId) -> AdminProjectOut:
    served_by_router()


_U = "/projects/{project_id:int}/users/{user_id:int}"


# -- sessions ------------------------------------------------------------------------------


@get(
    _U + "/sessions",
    summary="A user's active sessions, oldest first",
    responses=errors(400, 404),
    security=SECURITY,
)
async def list_user_sessions(
    project_id: ProjectId, user_id: UserId, limit: Limit = 50, after: After = None
) -> SessionPage:
    served_by_router()


@delete(
    _U + "/sessions",
    summary="End every session of a user",
    status_code=200,
    responses=errors(404),
    security=SECURITY,
)
async def revoke_user_sessions(project_id: ProjectId, user_id: UserId) -> RevokedOut:
    served_by_router()


@get(
    "/projects/{project_id:int}/sessions/{session_id:str}",
    summary="An active session",
    responses=errors(404),
    security=SECURITY,
)
async def get_session(project_id: ProjectId, session_id: SessionId) -> AdminSessionOut:
    served_by_router()


@delete(
    "/projects/{project_id:int}/sessions/{session_id:str}",
    summary="End a session; its tokens stop working at once",
    status_code=204,
    responses=errors(404),
    security=SECURITY,
)
async def delete_session(project_id: ProjectId, session_id: SessionId) -> None:
    served_by_router()


# -- client applications -------------------------------------------------------------------

_C = "/projects/{project_id:int}/clients"


@get(
    _C,
    summary="Client applications (of one user with user_id)",
    responses=errors(400, 404),
    security=SECURITY,
)
async def list_clients(
    project_id: ProjectId,
    limit: Limit = 50,
    after: After = None,
    user_id: Annotated[int | None, Parameter(ge=1, le=2**53)] = None,
) -> ClientPage:
    served_by_router()


@post(
    _C,
    summary="Create a client application; its secret is shown only here",
    status_code=201,
    responses=errors(400, 404, 409, 413, 415, 422),
    security=SECURITY,
    operation_class=body(NewClientIn, "Owner and name", {"user_id": 42, "name": "backend"}),
)
async def create_client(project_id: ProjectId, idempotency_key: IdempotencyKey = None) -> ClientOut:
    served_by_router()


@get(
    _C + "/{client_id:str}",
    summary="A client application",
    responses=errors(404),
    security=SECURITY,
)
async def get_client(project_id: ProjectId, client_id: ClientId) -> ClientOut:
    served_by_router()


@post(
    _C + "/{client_id:str}/disable",
    summary="Switch a client application off",
    status_code=200,
    responses=errors(404),
    security=SECURITY,
)
async def disable_client(project_id: ProjectId, client_id: ClientId) -> ClientOut:
    served_by_router()


@post(
    _C + "/{client_id:str}/enable",
    summary="Switch a client application on",
    status_code=200,
    responses=errors(404),
    security=SECURITY,
)
async def enable_client(project_id: ProjectId, client_id: ClientId) -> ClientOut:
    served_by_router()


# -- API keys --------------------------------------------------------------------------------

_K = "/projects/{project_id:int}/api-keys"


@get(
    _K,
    summary="API keys (never the keys themselves)",
    responses=errors(400, 404),
    security=SECURITY,
)
async def list_api_keys(
    project_id: ProjectId, limit: Limit = 50, after: After = None
) -> ApiKeyPage:
    served_by_router()


@post(
    _K,
    summary="Create an API key; it is shown only here",
    status_code=201,
    responses=errors(400, 404, 409, 413, 415, 422),
    security=SECURITY,
    operation_class=body(NewApiKeyIn, "Type and name", {"type": "server", "name": "backend"}),
)
async def create_api_key(
    project_id: ProjectId, idempotency_key: IdempotencyKey = None
) -> ApiKeyOut:
    served_by_router()


@delete(
    _K + "/{key_id:int}",
    summary="Revoke an API key; refused at once everywhere",
    status_code=204,
    responses=errors(404),
    security=SECURITY,
)
async def revoke_api_key(project_id: ProjectId, key_id: KeyId) -> None:
    served_by_router()


# -- audit -----------------------------------------------------------------------------------


@get(
    "/projects/{project_id:int}/audit-events",
    summary="The project's audit trail, newest first",
    responses=errors(400, 404),
    security=SECURITY,
)
async def list_audit_events(
    project_id: ProjectId,
    limit: Limit = 50,
    after: After = None,
    user_id: Annotated[int | None, Parameter(ge=1, le=2**53)] = None,
    action: Annotated[str | None, Parameter(max_length=32)] = None,
    since: Annotated[
        str | None,
        Parameter(
            description="ISO 8601 time (no offset: UTC), inclusive",
            schema_extra={"format": "date-time"},
        ),
    ] = None,
    until: Annotated[
        str | None,
        Parameter(
            description="ISO 8601 time (no offset: UTC), exclusive",
            schema_extra={"format": "date-time"},
        ),
    ] = None,
) -> AuditEventPage:
    served_by_router()


router = Router(
    path="/admin/v1",
    route_handlers=[
        list_projects,
        create_project,
        get_project,
        update_project,
        *USER_HANDLERS,
        list_user_sessions,
        revoke_user_sessions,
        get_session,
        delete_session,
        list_clients,
        create_client,
        get_client,
        disable_client,
        enable_client,
        list_api_keys,
        create_api_key,
        revoke_api_key,
        list_audit_events,
    ],
    tags=["Admin"],
)
