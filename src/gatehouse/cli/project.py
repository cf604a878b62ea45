"""``gatehouse project``: projects (tenants), their settings and administrators."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from gatehouse.cli import _emit, _kv_table, _run, json_flag, main
from gatehouse.core.clock import rfc3339
from gatehouse.core.models import LimitPolicy, Project
from gatehouse.services.projects import ProjectSettings
from gatehouse.wiring import Services

__all__ = ["project", "project_json"]


def project_json(p: Project) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "created_at": rfc3339(p.created_at),
        "session_ttl_seconds": p.session_ttl_seconds,
        "max_ttl_seconds": p.max_ttl_seconds,
        "session_limit": p.session_limit,
        "session_limit_policy": str(p.session_limit_policy),
        "ws_url": p.ws_url,
        "webrtc_url": p.webrtc_url,
        "steam_app_id": p.steam_app_id,
        "steam_web_api_key_set": p.has_steam_web_api_key,
        "steam_auto_create": p.steam_auto_create,
        "password_registration": p.password_registration,
    }


@main.group()
def project() -> None:
    """Projects (tenants) and their settings."""


@project.command("create")
@click.argument("name")
@json_flag
def project_create(name: str, as_json: bool) -> None:
    """Create a project."""

    async def work(services: Services) -> Project:
        return await services.projects.create(name)

    p = _run(work)
    _emit(as_json, project_json(p), _kv_table(f"project {p.id}", project_json(p)))


@project.command("list")
@json_flag
def project_list(as_json: bool) -> None:
    """List projects."""

    async def work(services: Services) -> list[Project]:
        return await services.projects.all()

    projects = _run(work)
    table = Table("id", "name", "session limit", "policy")
    for p in projects:
        table.add_row(str(p.id), p.name, str(p.session_limit), str(p.session_limit_policy))
    _emit(as_json, {"projects": [project_json(p) for p in projects]}, table)


@project.command("show")
@click.argument("project_id", type=int)
@json_flag
def project_show(project_id: int, as_json: bool) -> None:
    """Print a project's settings."""

    async def work(services: Services) -> Project:
        return await services.projects.get(project_id)

    p = _run(work)
    _emit(as_json, project_json(p), _kv_table(f"project {p.id}", project_json(p)))


@project.command("set")
@click.argument("project_id", type=int)
@click.option("--name")
@click.option("--ws-url", help="Realtime WebSocket endpoint handed out with new sessions.")
@click.option("--webrtc-url", help="Realtime WebRTC endpoint handed out with new sessions.")
@click.option(
    "--session-limit",
    type=click.IntRange(0, 100_000),
    help="Active sessions per user (0: no limit).",
)
@click.option(
    "--session-limit-policy",
    type=click.Choice([p.value for p in LimitPolicy]),
    help="At the limit: refuse the new session, or end the oldest.",
)
@click.option("--session-ttl", type=click.IntRange(1), help="Default session lifetime (s).")
@click.option("--max-ttl", type=click.IntRange(1), help="Longest ttl_seconds accepted (s).")
@click.option("--steam-app-id", type=click.IntRange(1, 2**32 - 1), help="Steam app id (HiveMP).")
@click.option("--steam-web-api-key", help="Steam publisher Web API key (stored encrypted).")
@click.option(
    "--steam-auto-create/--no-steam-auto-create",
    default=None,
    help="Create an account for an unlinked SteamID at sign-in.",
)
@click.option(
    "--password-registration/--no-password-registration",
    default=None,
    help="Let an unknown email + password register (HiveMP sign-in).",
)
@json_flag
def project_set(
    project_id: int,
    name: str | None,
    ws_url: str | None,
    webrtc_url: str | None,
    session_limit: int | None,
    session_limit_policy: str | None,
    session_ttl: int | None,
    max_ttl: int | None,
    steam_app_id: int | None,
    steam_web_api_key: str | None,
    steam_auto_create: bool | None,
    password_registration: bool | None,
    as_json: bool,
) -> None:
    """Change a project's settings."""
    settings = ProjectSettings(
        name=name,
        ws_url=ws_url,
        webrtc_url=webrtc_url,
        session_limit=session_limit,
        session_limit_policy=LimitPolicy(session_limit_policy) if session_limit_policy else None,
        session_ttl_seconds=session_ttl,
        max_ttl_seconds=max_ttl,
        steam_app_id=steam_app_id,
        steam_auto_create=steam_auto_create,
        password_registration=password_registration,
    )

    async def work(services: Services) -> Project:
        return await services.projects.configure(
            project_id, settings, steam_web_api_key=steam_web_api_key
        )

    p = _run(work)
    _emit(as_json, project_json(p), _kv_table(f"project {p.id}", project_json(p)))


@project.command("add-admin")
@click.option("--project", "project_id", type=int, required=True)
@click.option("--user", "user_id", type=int, required=True)
@json_flag
def project_add_admin(project_id: int, user_id: int, as_json: bool) -> None:
    """Make a user an administrator of a project (HiveMP admin sign-in)."""

    async def work(services: Services) -> None:
        await services.projects.add_admin(project_id, user_id)

    _run(work)
    _emit(
        as_json,
        {"project_id": project_id, "user_id": user_id},
        f"user {user_id} administers project {project_id}",
    )
