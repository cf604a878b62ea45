"""The admin API in the OpenAPI document and ``/docs``: Litestar declarations whose
signatures and decorators describe each operation of ``routes.ROUTES``. They are
never called (the router answers first); the route-table test and the fuzz run
hold the two together."""

from __future__ import annotations

from typing import Annotated, Any, Final

from litestar import Router, delete, get, patch, post, put
from litestar.params import HeaderParameter, Parameter, PathParameter

from gatehouse.api._common.openapi import json_body, served_by_router
from gatehouse.api.admin_v1.openapi import errors
from gatehouse.api.admin_v1.schemas import (
    ApiKeyOut,
    ApiKeyPage,
    AuditEventPage,
    ClientOut,
    ClientPage,
    NewApiKeyIn,
    NewClientIn,
    NewProjectIn,
    NewUserIn,
    PasswordIn,
    PasswordSetOut,
    ProjectOut,
    ProjectPage,
    ProjectPatchIn,
    RevokedOut,
    SessionOut,
    SessionPage,
    SteamIn,
    SteamLinkOut,
    UserExportOut,
    UserOut,
    UserPage,
    UserPatchIn,
)
from gatehouse.core.cursors import MAX_TOKEN_LENGTH

__all__ = ["router"]

_SECURITY: Final[list[dict[str, list[str]]]] = [{"AdminKey": []}]
_ID = {"ge": 1, "le": 2**53}
ProjectId = Annotated[int, PathParameter(description="Project id", **_ID)]
UserId = Annotated[int, PathParameter(description="User id (of that project)", **_ID)]
KeyId = Annotated[int, PathParameter(description="API key id (of that project)", **_ID)]
SessionId = Annotated[str, PathParameter(description="<user id>.<8 hex>.<8 hex>")]
ClientId = Annotated[str, PathParameter(description="ClientID")]
Limit = Annotated[int, Parameter(ge=1, le=200, description="Items per page (1-200)")]
After = Annotated[
    str | None,
    Parameter(
        description="`next` of the previous page, as it came (any other value: 400)",
        schema_extra={"pattern": "^[A-Za-z0-9_-]+$", "maxLength": MAX_TOKEN_LENGTH},
    ),
]
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        description=(
            "Optional. The same key and request within 24 hours replays the first answer "
            "(Idempotent-Replayed: true); with another request 422; while the first is in "
            "flight 409"
        ),
        required=False,
        schema_extra={"minLength": 1, "maxLength": 255, "pattern": "^[!-~]([ -~]*[!-~])?$"},
    ),
]


def _body(kind: Any, description: str, example: dict[str, Any]) -> Any:
    return json_body(kind, description=description, examples={"example": example}, required=True)


# -- projects ----------------------------------------------------------------------------


@get(
    "/projects",
    summary="List projects (a project key: its own)",
    responses=errors(400),
    security=_SECURITY,
)
async def list_projects(limit: Limit = 50, after: After = None) -> ProjectPage:
    served_by_router()


@post(
    "/projects",
    summary="Create a project (operator keys only)",
    status_code=201,
    responses=errors(400, 403, 409, 413, 415, 422),
    security=_SECURITY,
    operation_class=_body(NewProjectIn, "Name and any settings", {"name": "Space Game"}),
)
async def create_project(idempotency_key: IdempotencyKey = None) -> ProjectOut:
    served_by_router()


@get(
    "/projects/{project_id:int}",
    summary="A project's settings",
    responses=errors(404),
    security=_SECURITY,
)
async def get_project(project_id: ProjectId) -> ProjectOut:
    served_by_router()


@patch(
    "/projects/{project_id:int}",
    summary="Change settings, all or nothing (the rules of `gatehouse project set`)",
    responses=errors(400, 404, 413, 415),
    security=_SECURITY,
    operation_class=_body(
        ProjectPatchIn, "Fields to change", {"session_limit": 5, "ws_url": "wss://rt.example/ws"}
    ),
)
async def update_project(project_id: ProjectId) -> ProjectOut:
    served_by_router()


# -- users -------------------------------------------------------------------------------

_U = "/projects/{project_id:int}/users/{user_id:int}"


@get(
    "/projects/{project_id:int}/users",
    summary="Search users (exact username, email in any spelling, Steam id), by id",
    responses=errors(400, 404),
    security=_SECURITY,
)
async def list_users(
    project_id: ProjectId,
    limit: Limit = 50,
    after: After = None,
    username: Annotated[str | None, Parameter(max_length=255)] = None,
    email: Annotated[str | None, Parameter(max_length=320)] = None,
    steam_id: Annotated[str | None, Parameter(pattern="^[0-9]{1,20}$")] = None,
) -> UserPage:
    served_by_router()


@post(
    "/projects/{project_id:int}/users",
    summary="Create a user",
    status_code=201,
    responses=errors(400, 404, 409, 413, 415, 422),
    security=_SECURITY,
    operation_class=_body(
        NewUserIn, "The new user (password optional)", {"username": "alice", "email": "a@x.org"}
    ),
)
async def create_user(project_id: ProjectId, idempotency_key: IdempotencyKey = None) -> UserOut:
    served_by_router()


@get(_U, summary="A user", responses=errors(404), security=_SECURITY)
async def get_user(project_id: ProjectId, user_id: UserId) -> UserOut:
    served_by_router()


@patch(
    _U,
    summary="Change a user's profile (a new email is unconfirmed unless said otherwise)",
    responses=errors(400, 404, 409, 413, 415),
    security=_SECURITY,
    operation_class=_body(UserPatchIn, "Fields to change", {"first_name": "Alice"}),
)
async def update_user(project_id: ProjectId, user_id: UserId) -> UserOut:
    served_by_router()


@delete(
    _U,
    summary="Delete a user with all their data; every session ends at once",
    status_code=204,
    responses=errors(404),
    security=_SECURITY,
)
async def delete_user(project_id: ProjectId, user_id: UserId) -> None:
    served_by_router()


@post(
    _U + "/disable",
    summary="Disable: no sign-in on any surface, every session ends",
    status_code=200,
    responses=errors(404),
    security=_SECURITY,
)
async def disable_user(project_id: ProjectId, user_id: UserId) -> UserOut:
    served_by_router()


@post(
    _U + "/enable",
    summary="Enable again",
    status_code=200,
    responses=errors(404),
    security=_SECURITY,
)
async def enable_user(project_id: ProjectId, user_id: UserId) -> UserOut:
    served_by_router()


@put(
    _U + "/password",
    summary="Set the password; every session ends",
    responses=errors(400, 404, 413, 415),
    security=_SECURITY,
    operation_class=_body(PasswordIn, "The new password", {"password": "correct horse battery"}),
)
async def set_password(project_id: ProjectId, user_id: UserId) -> PasswordSetOut:
    served_by_router()


@delete(
    _U + "/two-factor",
    summary="Turn two-factor authentication off; every session ends",
    status_code=204,
    responses=errors(404),
    security=_SECURITY,
)
async def reset_two_factor(project_id: ProjectId, user_id: UserId) -> None:
    served_by_router()


@put(
    _U + "/steam",
    summary="Link a Steam account (SteamID64)",
    responses=errors(400, 404, 409, 413, 415),
    security=_SECURITY,
    operation_class=_body(SteamIn, "The SteamID64", {"steam_id": "76561197960287930"}),
)
async def link_steam(project_id: ProjectId, user_id: UserId) -> SteamLinkOut:
    served_by_router()


@delete(
    _U + "/steam",
    summary="Unlink the Steam account",
    status_code=204,
    responses=errors(404),
    security=_SECURITY,
)
async def unlink_steam(project_id: ProjectId, user_id: UserId) -> None:
    served_by_router()


@get(
    _U + "/export",
    summary="Personal-data export: profile, identities, sessions, devices, clients, events",
    responses=errors(404),
    security=_SECURITY,
)
async def export_user(project_id: ProjectId, user_id: UserId) -> UserExportOut:
    served_by_router()


# -- sessions ------------------------------------------------------------------------------


@get(
    _U + "/sessions",
    summary="A user's active sessions, oldest first",
    responses=errors(400, 404),
    security=_SECURITY,
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
    security=_SECURITY,
)
async def revoke_user_sessions(project_id: ProjectId, user_id: UserId) -> RevokedOut:
    served_by_router()


@get(
    "/projects/{project_id:int}/sessions/{session_id:str}",
    summary="An active session",
    responses=errors(404),
    security=_SECURITY,
)
async def get_session(project_id: ProjectId, session_id: SessionId) -> SessionOut:
    served_by_router()


@delete(
    "/projects/{project_id:int}/sessions/{session_id:str}",
    summary="End a session; its tokens stop working at once",
    status_code=204,
    responses=errors(404),
    security=_SECURITY,
)
async def delete_session(project_id: ProjectId, session_id: SessionId) -> None:
    served_by_router()


# -- client applications -------------------------------------------------------------------

_C = "/projects/{project_id:int}/clients"


@get(
    _C,
    summary="Client applications (of one user with user_id)",
    responses=errors(400, 404),
    security=_SECURITY,
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
    security=_SECURITY,
    operation_class=_body(NewClientIn, "Owner and name", {"user_id": 42, "name": "backend"}),
)
async def create_client(project_id: ProjectId, idempotency_key: IdempotencyKey = None) -> ClientOut:
    served_by_router()


@get(
    _C + "/{client_id:str}",
    summary="A client application",
    responses=errors(404),
    security=_SECURITY,
)
async def get_client(project_id: ProjectId, client_id: ClientId) -> ClientOut:
    served_by_router()


@post(
    _C + "/{client_id:str}/disable",
    summary="Switch a client application off",
    status_code=200,
    responses=errors(404),
    security=_SECURITY,
)
async def disable_client(project_id: ProjectId, client_id: ClientId) -> ClientOut:
    served_by_router()


@post(
    _C + "/{client_id:str}/enable",
    summary="Switch a client application on",
    status_code=200,
    responses=errors(404),
    security=_SECURITY,
)
async def enable_client(project_id: ProjectId, client_id: ClientId) -> ClientOut:
    served_by_router()


# -- API keys --------------------------------------------------------------------------------

_K = "/projects/{project_id:int}/api-keys"


@get(
    _K,
    summary="API keys (never the keys themselves)",
    responses=errors(400, 404),
    security=_SECURITY,
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
    security=_SECURITY,
    operation_class=_body(NewApiKeyIn, "Type and name", {"type": "server", "name": "backend"}),
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
    security=_SECURITY,
)
async def revoke_api_key(project_id: ProjectId, key_id: KeyId) -> None:
    served_by_router()


# -- audit -----------------------------------------------------------------------------------


@get(
    "/projects/{project_id:int}/audit-events",
    summary="The project's audit trail, newest first",
    responses=errors(400, 404),
    security=_SECURITY,
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
        list_users,
        create_user,
        get_user,
        update_user,
        delete_user,
        disable_user,
        enable_user,
        set_password,
        reset_two_factor,
        link_steam,
        unlink_steam,
        export_user,
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
