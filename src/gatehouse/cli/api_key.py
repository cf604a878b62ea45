"""``gatehouse api-key``: typed API keys (X-API-Key) of a project."""

from __future__ import annotations

import click

from gatehouse.cli import _emit, _kv_table, _run, json_flag, main
from gatehouse.core.models import ApiKeyType
from gatehouse.wiring import Services

__all__ = ["api_key"]


@main.group("api-key")
def api_key() -> None:
    """Typed API keys (X-API-Key) of a project: public, server, admin."""


@api_key.command("create")
@click.option("--project", "project_id", type=int, required=True)
@click.option("--type", "key_type", type=click.Choice([t.value for t in ApiKeyType]), required=True)
@click.option("--name", default="")
@json_flag
def api_key_create(project_id: int, key_type: str, name: str, as_json: bool) -> None:
    """Create an API key; it is shown only now."""

    async def work(services: Services) -> tuple[int, str]:
        return await services.projects.create_api_key(project_id, ApiKeyType(key_type), name)

    key_id, key = _run(work)
    payload = {"key": key, "id": key_id}
    _emit(as_json, payload, _kv_table(f"{key_type} API key (shown only once)", payload))


@api_key.command("revoke")
@click.argument("key_id", type=int)
@json_flag
def api_key_revoke(key_id: int, as_json: bool) -> None:
    """Revoke an API key; it is refused at once."""

    async def work(services: Services) -> None:
        await services.projects.revoke_api_key(key_id)

    _run(work)
    _emit(as_json, {"revoked": key_id}, f"API key {key_id} revoked")
