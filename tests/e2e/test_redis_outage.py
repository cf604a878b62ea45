"""Redis is an accelerator: when it goes away requests are answered from the
database (never a 5xx), /readyz says degraded, and it recovers by itself."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers import make_tenant, serve_app
from tests.redis_server import RedisServer, outage_services


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_requests_survive_redis_going_away_and_coming_back(
    tmp_path: Path, database_url: str, redis_server: RedisServer, monkeypatch
) -> None:
    settings, services = outage_services(tmp_path, database_url, redis_server, monkeypatch)
    tenant = await make_tenant(services)
    async with serve_app(settings, services) as http:
        created = (await http.post("/session-storage/session", headers=tenant.headers)).json()[
            "data"
        ]
        doomed = (await http.post("/session-storage/session", headers=tenant.headers)).json()[
            "data"
        ]
        bearer = {"Authorization": f"Bearer {created['publisher']}"}
        assert (await http.get("/session-storage/session", headers=bearer)).status_code == 200

        # A partition that keeps Redis's data: an entry cached before a revocation
        # that Redis did not hear about must not be believed afterwards.
        cached = (await http.post("/session-storage/session", headers=tenant.headers)).json()[
            "data"
        ]
        cached_bearer = {"Authorization": f"Bearer {cached['publisher']}"}
        for _ in range(2):  # the second answer comes from Redis
            ok = await http.get("/session-storage/session", headers=cached_bearer)
            assert ok.status_code == 200
        pause_ms = 1500
        subprocess.run(
            ["redis-cli", "-p", str(redis_server.port), "CLIENT", "PAUSE", str(pause_ms)],
            check=True,
            capture_output=True,
        )
        gone = await http.delete(
            f"/session-storage/sessions/{cached['id']}", headers=tenant.headers
        )
        assert gone.status_code == 204
        time.sleep(pause_ms / 1000 + 0.2)
        refused = await http.get("/session-storage/session", headers=cached_bearer)
        assert refused.status_code == 401
        assert services.token_cache is not None
        hits = services.token_cache.hits
        assert (await http.get("/session-storage/session", headers=bearer)).status_code == 200
        assert services.token_cache.hits == hits + 1

        redis_server.stop()
        for _ in range(5):
            assert (await http.get("/session-storage/session", headers=bearer)).status_code == 200
        ready = (await http.get("/readyz")).json()
        assert ready["status"] == "degraded" and ready["checks"]["redis"] == "down"

        # Revoked during the outage: refused now, and still refused once Redis is
        # back (the tombstone is written before the cache is trusted again).
        gone = await http.delete(
            f"/session-storage/sessions/{doomed['id']}", headers=tenant.headers
        )
        assert gone.status_code == 204
        dead = {"Authorization": f"Bearer {doomed['publisher']}"}
        assert (await http.get("/session-storage/session", headers=dead)).status_code == 401

        redis_server.start()
        ready = (await http.get("/readyz")).json()
        assert ready == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
        assert (await http.get("/session-storage/session", headers=dead)).status_code == 401
        assert (await http.get("/session-storage/session", headers=bearer)).status_code == 200
