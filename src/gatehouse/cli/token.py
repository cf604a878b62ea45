"""``gatehouse token``: account tokens (PRIVATE-TOKEN of the account API v3)."""

from __future__ import annotations

from typing import Any

import click

from gatehouse.cli import _emit, _kv_table, _run, json_flag, main
from gatehouse.wiring import Services

__all__ = ["token"]


@main.group()
def token() -> None:
    """Account tokens (PRIVATE-TOKEN of the account API v3)."""


@token.command("create")
@click.option("--user", "user_id", type=int, required=True)
@json_flag
def token_create(user_id: int, as_json: bool) -> None:
    """A personal access token, always logged in as its owner (shown only once)."""

    async def work(services: Services) -> Any:
        return await services.account_tokens.create_personal_token(user_id)

    issued, owner = _run(work)
    payload = {
        "token": issued.token,
        "kind": "personal",
        "user_id": owner.id,
        "project_id": owner.project_id,
    }
    _emit(as_json, payload, _kv_table("personal access token (shown only once)", payload))
