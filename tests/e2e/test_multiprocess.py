"""The production path across processes: two ``gatehouse serve`` on two ports,
sharing PostgreSQL and Redis. A session revoked through one is refused by the other
on the very next request."""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx
import pytest

from tests.live_server import _env, cli_json, cli_user_with_client, start_server, stop_server


@pytest.mark.parametrize("database_url", ["postgres+redis"], indirect=True)
def test_revocation_is_seen_by_every_process_at_once(
    tmp_path: Path, gatehouse_env: dict[str, str]
) -> None:
    shared = {**gatehouse_env, "GATEHOUSE_SECRET_KEY": secrets.token_urlsafe(48)}
    servers = []
    try:
        for name in ("a", "b"):
            data_dir = tmp_path / name
            data_dir.mkdir()
            env = {**_env(data_dir), **shared, "GATEHOUSE_DATA_DIR": str(data_dir)}
            if not servers:
                project = cli_json(env, data_dir, "project", "create", "mp", "--json")
                _, creds = cli_user_with_client(env, data_dir, project["id"], "player")
            proc, base_url, _ = start_server(env, data_dir)
            servers.append((proc, base_url))
        (_, a), (_, b) = servers

        with httpx.Client(timeout=10) as http:
            for _ in range(3):
                created = http.post(f"{a}/session-storage/session", headers=creds).json()["data"]
                bearer = {"Authorization": f"Bearer {created['publisher']}"}
                # Both processes have answered (and cached) the token.
                assert http.get(f"{a}/session-storage/session", headers=bearer).status_code == 200
                assert http.get(f"{b}/session-storage/session", headers=bearer).status_code == 200

                deleted = http.delete(
                    f"{b}/session-storage/sessions/{created['id']}", headers=creds
                )
                assert deleted.status_code == 204
                assert http.get(f"{a}/session-storage/session", headers=bearer).status_code == 401
                assert http.get(f"{b}/session-storage/session", headers=bearer).status_code == 401

            # Renewal through one process is seen by the other.
            created = http.post(f"{a}/session-storage/session", headers=creds).json()["data"]
            bearer = {"Authorization": f"Bearer {created['publisher']}"}
            assert http.get(f"{b}/session-storage/session", headers=bearer).status_code == 200
            moved = http.post(
                f"{a}/session-storage/sessions/{created['id']}",
                params={"ttl_seconds": 86_400 * 300},
                headers=creds,
            )
            assert moved.status_code == 204
            seen = http.get(f"{b}/session-storage/session", headers=bearer).json()["data"]
            assert seen["expires_at"] > created["expires_at"]

            ready = http.get(f"{a}/readyz").json()
            assert ready["checks"] == {"database": "ok", "redis": "ok"}
    finally:
        for proc, _ in servers:
            stop_server(proc)
