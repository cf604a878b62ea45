"""OpenAPI declarations of the admin API's user operations (see docs.py)."""

from __future__ import annotations

from typing import Annotated

from litestar import delete, get, patch, post, put
from litestar.params import Parameter

from gatehouse.api._common.openapi import served_by_router
from gatehouse.api.admin_v1.docs_params import (
    SECURITY,
    After,
    IdempotencyKey,
    Limit,
    ProjectId,
    UserId,
    body,
)
from gatehouse.api.admin_v1.openapi import errors
from gatehouse.api.admin_v1.schemas import (
    NewUserIn,
    PasswordIn,
    PasswordSetOut,
    SteamIn,
    SteamLinkOut,
    UserExportOut,
    UserOut,
    UserPage,
    UserPatchIn,
)

__all__ = ["USER_HANDLERS"]

# -- users -------------------------------------------------------------------------------

_U = "/projects/{project_id:int}/users/{user_id:int}"


@get(
    "/projects/{project_id:int}/users",
    summary="Search users (exact username, email in any spelling, Steam id), by id",
    responses=errors(400, 404),
    security=SECURITY,
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
    security=SECURITY,
    operation_class=body(
        NewUserIn, "The new user (password optional)", {"username": "alice", "email": "a@x.org"}
    ),
)
async def create_user(project_id: ProjectId, idempotency_key: IdempotencyKey = None) -> UserOut:
    served_by_router()


@get(_U, summary="A user", responses=errors(404), security=SECURITY)
async def get_user(project_id: ProjectId, user_id: UserId) -> UserOut:
    served_by_router()


@patch(
    _U,
    summary="Change a user's profile (a new email is unconfirmed unless said otherwise)",
    responses=errors(400, 404, 409, 413, 415),
    security=SECURITY,
    operation_class=body(UserPatchIn, "Fields to change", {"first_name": "Alice"}),
)
async def update_user(project_id: ProjectId, user_id: UserId) -> UserOut:
    served_by_router()


@delete(
    _U,
    summary="Delete a user with all their data; every session ends at once",
    status_code=204,
    responses=errors(404),
    security=SECURITY,
)
async def delete_user(project_id: ProjectId, user_id: UserId) -> None:
    served_by_router()


@post(
    _U + "/disable",
    summary="Disable: no sign-in on any surface, every session ends",
    status_code=200,
    responses=errors(404),
    security=SECURITY,
)
async def disable_user(project_id: ProjectId, user_id: UserId) -> UserOut:
    served_by_router()


@post(
    _U + "/enable",
    summary="Enable again",
    status_code=200,
    responses=errors(404),
    security=SECURITY,
)
async def enable_user(project_id: ProjectId, user_id: UserId) -> UserOut:
    served_by_router()


@put(
    _U + "/password",
    summary="Set the password; every session ends",
    responses=errors(400, 404, 413, 415),
    security=SECURITY,
    operation_class=body(PasswordIn, "The new password", {"password": "correct horse battery"}),
)
async def set_password(project_id: ProjectId, user_id: UserId) -> PasswordSetOut:
    served_by_router()


@delete(
    _U + "/two-factor",
    summary="Turn two-factor authentication off; every session ends",
    status_code=204,
    responses=errors(404),
    security=SECURITY,
)
async def reset_two_factor(project_id: ProjectId, user_id: UserId) -> None:
    served_by_router()


@put(
    _U + "/steam",
    summary="Link a Steam account (SteamID64)",
    responses=errors(400, 404, 409, 413, 415),
    security=SECURITY,
    operation_class=body(SteamIn, "The SteamID64", {"steam_id": "76561197960287930"}),
)
async def link_steam(project_id: ProjectId, user_id: UserId) -> SteamLinkOut:
    served_by_router()


@delete(
    _U + "/steam",
    summary="Unlink the Steam account",
    status_code=204,
    responses=errors(404),
    security=SECURITY,
)
async def unlink_steam(project_id: ProjectId, user_id: UserId) -> None:
    served_by_router()


@get(
    _U + "/export",
    summary="Personal-data export: profile, identities, sessions, devices, clients, events",
    responses=errors(404),
    security=SECURITY,
)
async def export_user(project_id: ProjectId, user_id: UserId) -> UserExportOut:
    served_by_router()


USER_HANDLERS = [
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
]
