"""``gatehouse operator-key``: instance-wide keys of the admin API (``gko_``).

Only this command makes them: whoever runs it can reach the database already.
"""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from gatehouse.adapters.store.operator_keys import OperatorKey
from gatehouse.cli import _emit, _kv_table, _run, json_flag, main
from gatehouse.core.clock import rfc3339
from gatehouse.wiring import Services

__all__ = ["operator_key"]


def _key_json(k: OperatorKey) -> dict[str, Any]:
    return {
        "id": k.id,
        "name": k.name,
        "created_at": rfc3339(k.created_at),
        "revoked_at": rfc3339(k.revoked_at) if k.revoked_at is not None else None,
    }


@main.group("operator-key")
def operator_key() -> None:
    """Operator keys of the admin API (every project; Authorization: Bearer gko_...)."""


@operator_key.command("create")
@click.option("--name", required=True, help="Who or what holds the key.")
@json_flag
def operator_key_create(name: str, as_json: bool) -> None:
    """Create an operator key; it is shown only now."""

    async def work(services: Services) -> tuple[OperatorKey, str]:
        return await services.operator_keys.create(name)

    made, key = _run(work)
    payload = {"key": key, **_key_json(made)}
    _emit(as_json, payload, _kv_table("operator key (shown only once)", payload))


@operator_key.command("list")
@json_flag
def operator_key_list(as_json: bool) -> None:
    """List operator keys (never the keys themselves)."""

    async def work(services: Services) -> list[OperatorKey]:
        return await services.operator_keys.all()

    keys = _run(work)
    table = Table("id", "name", "created", "revoked")
    for k in keys:
        row = _key_json(k)
        table.add_row(str(k.id), k.name, row["created_at"], row["revoked_at"] or "")
    _emit(as_json, {"operator_keys": [_key_json(k) for k in keys]}, table)


@operator_key.command("revoke")
@click.argument("key_id", type=int)
@json_flag
def operator_key_revoke(key_id: int, as_json: bool) -> None:
    """Revoke an operator key; it is refused at once."""

    async def work(services: Services) -> None:
        await services.operator_keys.revoke(key_id)

    _run(work)
    _emit(as_json, {"revoked": key_id}, f"operator key {key_id} revoked")
