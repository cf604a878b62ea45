"""``gatehouse token create --user ID --json``: a personal access token."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from gatehouse.cli import main

from ._support import V3, h, make_user


async def test_token_create_gives_a_logged_in_token(
    client, services, project_id, tmp_path: Path, database_url: str
) -> None:
    user = await make_user(services, project_id)
    env = {"GATEHOUSE_DATA_DIR": str(tmp_path / "data"), "GATEHOUSE_DATABASE_URL": database_url}
    # The CLI runs its own event loop; run it in a thread so it does not nest in ours.
    import anyio.to_thread

    result = await anyio.to_thread.run_sync(
        lambda: CliRunner().invoke(
            main, ["token", "create", "--user", str(user.id), "--json"], env=env
        )
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["token"].startswith("gt_")
    r = await client.get(f"{V3}/user", headers=h(payload["token"]))
    assert r.status_code == 200 and r.json()["userId"] == user.id


async def test_token_create_for_unknown_user_fails_cleanly(
    client, services, tmp_path: Path, database_url: str
) -> None:
    env = {"GATEHOUSE_DATA_DIR": str(tmp_path / "data"), "GATEHOUSE_DATABASE_URL": database_url}
    import anyio.to_thread

    result = await anyio.to_thread.run_sync(
        lambda: CliRunner().invoke(main, ["token", "create", "--user", "999999", "--json"], env=env)
    )
    assert result.exit_code != 0
    assert "Traceback" not in result.output
