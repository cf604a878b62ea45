"""Sessions, client applications and API keys of a project."""

from __future__ import annotations

from gatehouse.api._common.http import Call, Reply, json_reply
from gatehouse.api.admin_v1.common import (
    NO_CONTENT,
    admin,
    body_as,
    int_param,
    page_args,
    page_reply,
    project_of,
    user_of,
)
from gatehouse.api.admin_v1.idempotency import once
from gatehouse.api.admin_v1.schemas import (
    NewApiKeyIn,
    NewClientIn,
    RevokedOut,
    api_key_out,
    client_out,
    session_out,
)
from gatehouse.core.errors import NotFound
from gatehouse.core.models import Client
from gatehouse.services.admin_users import ADMIN_ORIGIN
from gatehouse.services.operator_keys import AdminCaller

__all__ = [
    "create_api_key",
    "create_client",
    "delete_session",
    "disable_client",
    "enable_client",
    "get_client",
    "get_session",
    "list_api_keys",
    "list_clients",
    "list_user_sessions",
    "revoke_api_key",
    "revoke_user_sessions",
]

# -- sessions -----------------------------------------------------------------------------


@admin
async def list_user_sessions(call: Call, caller: AdminCaller) -> Reply:
    _, user = await user_of(call, caller)
    listing = await call.services.admin_directory.sessions(user.id, **page_args(call))
    return page_reply([session_out(d) for d in listing.items], listing.next)


@admin
async def revoke_user_sessions(call: Call, caller: AdminCaller) -> Reply:
    _, user = await user_of(call, caller)
    ended = await call.services.sessions.revoke_all(user.id, origin=ADMIN_ORIGIN)
    return json_reply(RevokedOut(revoked=ended))


@admin
async def get_session(call: Call, caller: AdminCaller) -> Reply:
    project = await project_of(call, caller)
    found = await call.services.admin_directory.session(project.id, call.params["session_id"])
    return json_reply(session_out(found))


@admin
async def delete_session(call: Call, caller: AdminCaller) -> Reply:
    project = await project_of(call, caller)
    found = await call.services.admin_directory.session(project.id, call.params["session_id"])
    await call.services.sessions.revoke(found.session, origin=ADMIN_ORIGIN)
    return NO_CONTENT


# -- client applications --------------------------------------------------------------------


async def _client(call: Call, caller: AdminCaller) -> Client:
    project = await project_of(call, caller)
    client: Client = await call.services.projects.client(call.params["client_id"])
    if client.project_id != project.id:
        raise NotFound("No such client application")
    return client


@admin
async def list_clients(call: Call, caller: AdminCaller) -> Reply:
    project = await project_of(call, caller)
    listing = await call.services.admin_directory.clients(
        project.id, user_id=call.query_int("user_id"), **page_args(call)
    )
    return page_reply([client_out(c) for c in listing.items], listing.next)


@admin
async def create_client(call: Call, caller: AdminCaller) -> Reply:
    project = await project_of(call, caller)

    async def make() -> Reply:
        body: NewClientIn = await body_as(call, NewClientIn)
        user = await call.services.admin_users.get(project.id, body.user_id)
        client, secret = await call.services.projects.create_client(user.id, body.name)
        return json_reply(client_out(client, secret), 201)

    return await once(call, caller, make)


@admin
async def get_client(call: Call, caller: AdminCaller) -> Reply:
    return json_reply(client_out(await _client(call, caller)))


async def _set_client_disabled(call: Call, caller: AdminCaller, disabled: bool) -> Reply:
    client = await _client(call, caller)
    await call.services.projects.set_client_disabled(client.id, disabled)
    return json_reply(client_out(await call.services.projects.client(client.id)))


@admin
async def disable_client(call: Call, caller: AdminCaller) -> Reply:
    return await _set_client_disabled(call, caller, True)


@admin
async def enable_client(call: Call, caller: AdminCaller) -> Reply:
    return await _set_client_disabled(call, caller, False)


# -- API keys -----------------------------------------------------------------------------


@admin
async def list_api_keys(call: Call, caller: AdminCaller) -> Reply:
    project = await project_of(call, caller)
    listing = await call.services.admin_directory.api_keys(project.id, **page_args(call))
    return page_reply([api_key_out(k) for k in listing.items], listing.next)


@admin
async def create_api_key(call: Call, caller: AdminCaller) -> Reply:
    project = await project_of(call, caller)

    async def make() -> Reply:
        body: NewApiKeyIn = await body_as(call, NewApiKeyIn)
        services = call.services
        key_id, key = await services.projects.create_api_key(project.id, body.type, body.name)
        info = await services.admin_directory.api_key(key_id)
        assert info is not None
        return json_reply(api_key_out(info, key), 201)

    return await once(call, caller, make)


@admin
async def revoke_api_key(call: Call, caller: AdminCaller) -> Reply:
    project = await project_of(call, caller)
    info = await call.services.admin_directory.api_key(int_param(call, "key_id"))
    if info is None or info.project_id != project.id or info.revoked_at is not None:
        raise NotFound("No such active API key")
    await call.services.projects.revoke_api_key(info.id)
    return NO_CONTENT
