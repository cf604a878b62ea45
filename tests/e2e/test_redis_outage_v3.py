"""``PRIVATE-TOKEN`` checks when Redis goes away (see test_redis_outage.py): answered
from the database meanwhile, a logout that Redis did not hear about is not undone
by the entry it left there, and the cache warms up again once Redis is back."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.account_v3._support import V3, h, login, make_user, new_token
from tests.helpers import serve_app
from tests.redis_server import RedisServer, outage_services


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_v3_tokens_survive_redis_going_away_and_coming_back(
    tmp_path: Path, database_url: str, redis_server: RedisServer, monkeypatch
) -> None:
    settings, services = outage_services(tmp_path, database_url, redis_server, monkeypatch)
    project = await services.projects.create("default")
    alice = await make_user(services, project.id, "alice")
    personal = (await services.account_tokens.create_personal_token(alice.id))[0].token
    cache = services.token_cache
    assert cache is not None
    async with serve_app(settings, services) as http:

        async def me(token: str) -> int:
            return (await http.get(f"{V3}/user", headers=h(token))).status_code

        device = await new_token(http)
        assert (await login(http, device, alice)).status_code == 200
        for token in (device, personal):
            assert await me(token) == 200
            hits = cache.hits
            assert await me(token) == 200
            assert cache.hits > hits  # answered from Redis

        # A partition that keeps Redis's data: the logout's tombstones (the token's
        # and its session's) cannot be written, and the entries that say "logged
        # in" are still there when Redis answers again.
        pause_ms = 1500
        subprocess.run(
            ["redis-cli", "-p", str(redis_server.port), "CLIENT", "PAUSE", str(pause_ms)],
            check=True,
            capture_output=True,
        )
        assert (await http.post(f"{V3}/logout", headers=h(device))).status_code == 204
        time.sleep(pause_ms / 1000 + 0.2)
        assert await me(device) == 404
        hits = cache.hits
        assert await me(personal) == 200
        assert cache.hits > hits

        # Redis gone: every answer comes from the database, changes included.
        redis_server.stop()
        assert await me(personal) == 200
        assert await me(device) == 404
        assert (await login(http, device, alice)).status_code == 200
        assert await me(device) == 200
        assert (await http.post(f"{V3}/logout", headers=h(device))).status_code == 204
        assert await me(device) == 404

        # Back: warm again after one database read, and still right.
        redis_server.start()
        assert (await login(http, device, alice)).status_code == 200
        for token in (device, personal):
            assert await me(token) == 200
            hits = cache.hits
            assert await me(token) == 200
            assert cache.hits > hits
