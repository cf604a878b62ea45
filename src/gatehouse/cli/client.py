"""``gatehouse client``: client applications (ClientID + ClientSecret) of a user."""

from __future__ import annotations

from typing import Any

import click

from gatehouse.cli import _emit, _kv_table, _run, json_flag, main
from gatehouse.wiring import Services

__all__ = ["client"]


@main.group()
def client() -> None:
    """Client applications (ClientID + ClientSecret) of a user."""


@client.command("create")
@click.option("--user", "user_id", type=int, required=True)
@click.option("--name", default="")
@json_flag
def client_create(user_id: int, name: str, as_json: bool) -> None:
    """Create a client application; its secret is shown only now."""

    async def work(services: Services) -> Any:
        return await services.projects.create_client(user_id, name)

    c, secret = _run(work)
    payload = {
        "client_id": c.id,
        "client_secret": secret,
        "user_id": c.user_id,
        "project_id": c.project_id,
        "name": c.name,
    }
    _emit(as_json, payload, _kv_table("client (the secret is shown only once)", payload))


@client.command("disable")
@click.argument("client_id")
def client_disable(client_id: str) -> None:
    """Switch a client application off (its calls answer 403)."""

    async def work(services: Services) -> None:
        await services.projects.set_client_disabled(client_id, True)

    _run(work)
    click.echo(f"client {client_id} disabled")
