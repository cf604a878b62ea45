"""Projects: list, create (operator keys only), read, change (the rules of
``gatehouse project set``: services/projects.py, core/project_rules.py)."""

from __future__ import annotations

from gatehouse.api._common.http import Call, Reply, json_reply
from gatehouse.api.admin_v1.common import (
    admin,
    body_as,
    operator_only,
    page_args,
    page_reply,
    project_of,
)
from gatehouse.api.admin_v1.idempotency import once
from gatehouse.api.admin_v1.schemas import NewProjectIn, ProjectPatchIn, project_out
from gatehouse.services.operator_keys import AdminCaller
from gatehouse.services.projects import ProjectSettings

__all__ = ["create_project", "get_project", "list_projects", "update_project"]


def _settings(body: ProjectPatchIn | NewProjectIn) -> ProjectSettings:
    return ProjectSettings(
        name=body.name,
        session_ttl_seconds=body.session_ttl_seconds,
        max_ttl_seconds=body.max_ttl_seconds,
        session_limit=body.session_limit,
        session_limit_policy=body.session_limit_policy,
        ws_url=body.ws_url,
        webrtc_url=body.webrtc_url,
        steam_app_id=body.steam_app_id,
        steam_auto_create=body.steam_auto_create,
        password_registration=body.password_registration,
    )


@admin
async def list_projects(call: Call, caller: AdminCaller) -> Reply:
    listing = await call.services.admin_directory.projects(
        only=caller.project_id, **page_args(call)
    )
    return page_reply([project_out(p) for p in listing.items], listing.next)


@admin
async def create_project(call: Call, caller: AdminCaller) -> Reply:
    operator_only(caller)

    async def make() -> Reply:
        body: NewProjectIn = await body_as(call, NewProjectIn)
        projects = call.services.projects
        project = await projects.create(body.name, _settings(body))
        if body.steam_web_api_key is not None:
            project = await projects.configure(
                project.id, ProjectSettings(), steam_web_api_key=body.steam_web_api_key
            )
        return json_reply(project_out(project), 201)

    return await once(call, caller, make)


@admin
async def get_project(call: Call, caller: AdminCaller) -> Reply:
    return json_reply(project_out(await project_of(call, caller)))


@admin
async def update_project(call: Call, caller: AdminCaller) -> Reply:
    project = await project_of(call, caller)
    body: ProjectPatchIn = await body_as(call, ProjectPatchIn)
    changed = await call.services.projects.configure(
        project.id, _settings(body), steam_web_api_key=body.steam_web_api_key
    )
    return json_reply(project_out(changed))
