"""``gatehouse session``: a user's sessions."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from gatehouse.cli import _emit, _run, json_flag, main
from gatehouse.core.clock import rfc3339
from gatehouse.core.models import Session
from gatehouse.wiring import Services

__all__ = ["session", "session_json"]


def session_json(s: Session) -> dict[str, Any]:
    return {
        "id": s.id,
        "user_id": s.user_id,
        "project_id": s.project_id,
        "created_at": rfc3339(s.created_at),
        "updated_at": rfc3339(s.updated_at),
        "expires_at": rfc3339(s.expires_at),
        "origin": str(s.origin),
        "intent": s.intent,
        "factors": list(s.factors),
    }


@main.group()
def session() -> None:
    """Sessions."""


@session.command("list")
@click.option("--user", "user_id", type=int, required=True)
@json_flag
def session_list(user_id: int, as_json: bool) -> None:
    """A user's active sessions, oldest first."""

    async def work(services: Services) -> list[Session]:
        await services.accounts.get_user(user_id)
        return await services.sessions.list_active(user_id)

    sessions = _run(work)
    table = Table("id", "created", "expires", "origin")
    for s in sessions:
        table.add_row(s.id, rfc3339(s.created_at), rfc3339(s.expires_at), str(s.origin))
    _emit(as_json, {"user_id": user_id, "sessions": [session_json(s) for s in sessions]}, table)


@session.command("revoke")
@click.argument("session_id")
@json_flag
def session_revoke(session_id: str, as_json: bool) -> None:
    """End a session; its tokens stop working at once."""

    async def work(services: Services) -> None:
        await services.sessions.revoke_by_id(session_id, origin="cli")

    _run(work)
    _emit(as_json, {"revoked": session_id}, f"session {session_id} revoked")
