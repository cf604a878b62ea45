"""Users of a project: search, create, read, change, disable and enable, delete,
password, two-factor reset, Steam link. Each calls the service the CLI calls."""

from __future__ import annotations

from gatehouse.api._common.http import Call, Reply, json_reply
from gatehouse.api.admin_v1.common import (
    NO_CONTENT,
    admin,
    body_as,
    page_args,
    page_reply,
    project_of,
    query_text,
    user_of,
)
from gatehouse.api.admin_v1.idempotency import once
from gatehouse.api.admin_v1.schemas import (
    NewUserIn,
    PasswordIn,
    PasswordSetOut,
    SteamIn,
    SteamLinkOut,
    UserPatchIn,
    user_out,
)
from gatehouse.services.accounts import NewUser
from gatehouse.services.admin_users import ADMIN_ORIGIN, UserChanges
from gatehouse.services.operator_keys import AdminCaller

__all__ = [
    "create_user",
    "delete_user",
    "disable_user",
    "enable_user",
    "get_user",
    "link_steam",
    "list_users",
    "reset_two_factor",
    "set_password",
    "unlink_steam",
    "update_user",
]


@admin
async def list_users(call: Call, caller: AdminCaller) -> Reply:
    project = await project_of(call, caller)
    listing = await call.services.admin_directory.users(
        project.id,
        username=query_text(call, "username", 255),
        email=query_text(call, "email"),
        steam_id=query_text(call, "steam_id", 20),
        **page_args(call),
    )
    return page_reply([user_out(u) for u in listing.items], listing.next)


@admin
async def create_user(call: Call, caller: AdminCaller) -> Reply:
    project = await project_of(call, caller)

    async def make() -> Reply:
        body: NewUserIn = await body_as(call, NewUserIn)
        new = NewUser(
            username=body.username,
            email=body.email,
            first_name=body.first_name,
            last_name=body.last_name,
            access_level=body.access_level,
            password=body.password,
        )
        user = await call.services.accounts.create_user(project.id, new)
        return json_reply(user_out(user), 201)

    return await once(call, caller, make)


@admin
async def get_user(call: Call, caller: AdminCaller) -> Reply:
    _, user = await user_of(call, caller)
    return json_reply(user_out(user))


@admin
async def update_user(call: Call, caller: AdminCaller) -> Reply:
    project, user = await user_of(call, caller)
    body: UserPatchIn = await body_as(call, UserPatchIn)
    changes = UserChanges(
        email=body.email,
        first_name=body.first_name,
        last_name=body.last_name,
        access_level=body.access_level,
        email_validated=body.email_validated,
    )
    changed = await call.services.admin_users.update(project.id, user.id, changes)
    return json_reply(user_out(changed))


@admin
async def delete_user(call: Call, caller: AdminCaller) -> Reply:
    project, user = await user_of(call, caller)
    await call.services.admin_users.delete(project.id, user.id)
    return NO_CONTENT


async def _set_disabled(call: Call, caller: AdminCaller, disabled: bool) -> Reply:
    project, user = await user_of(call, caller)
    changed = await call.services.admin_users.set_disabled(project.id, user.id, disabled)
    return json_reply(user_out(changed))


@admin
async def disable_user(call: Call, caller: AdminCaller) -> Reply:
    return await _set_disabled(call, caller, True)


@admin
async def enable_user(call: Call, caller: AdminCaller) -> Reply:
    return await _set_disabled(call, caller, False)


@admin
async def set_password(call: Call, caller: AdminCaller) -> Reply:
    _, user = await user_of(call, caller)
    body: PasswordIn = await body_as(call, PasswordIn)
    ended = await call.services.credentials.set_password(
        user.id, body.password, origin=ADMIN_ORIGIN
    )
    return json_reply(PasswordSetOut(user_id=user.id, sessions_ended=ended))


@admin
async def reset_two_factor(call: Call, caller: AdminCaller) -> Reply:
    _, user = await user_of(call, caller)
    await call.services.credentials.disable_totp(user.id)
    return NO_CONTENT


@admin
async def link_steam(call: Call, caller: AdminCaller) -> Reply:
    _, user = await user_of(call, caller)
    body: SteamIn = await body_as(call, SteamIn)
    await call.services.sign_in_accounts.link_steam(user.id, body.steam_id)
    return json_reply(SteamLinkOut(user_id=user.id, steam_id=str(int(body.steam_id))))


@admin
async def unlink_steam(call: Call, caller: AdminCaller) -> Reply:
    _, user = await user_of(call, caller)
    await call.services.sign_in_accounts.unlink_steam(user.id)
    return NO_CONTENT
