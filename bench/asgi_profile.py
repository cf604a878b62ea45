"""Profile one endpoint in-process: drive the ASGI app directly (no sockets, no
load generator) and print the top functions by cumulative time.

    python bench/asgi_profile.py [bearer|session|list] [N]
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import sys
import tempfile
import time

from gatehouse.adapters.store.migrate import migrate
from gatehouse.app import create_app
from gatehouse.services.accounts import NewUser
from gatehouse.settings import Settings
from gatehouse.wiring import build_services


async def main(which: str, n: int) -> None:
    data = tempfile.mkdtemp()
    settings = Settings.from_env({"GATEHOUSE_DATA_DIR": data})
    services = build_services(settings)
    await migrate(services.db)
    project = await services.projects.create("p")
    user = await services.accounts.create_user(project.id, NewUser(username="u"))
    client, secret = await services.projects.create_client(user.id)
    issued = await services.sessions.start(project=project, user_id=user.id, origin="storage")
    app = create_app(settings, services)
    if which == "bearer":
        path = "/session-storage/session"
        headers = [(b"authorization", f"Bearer {issued.publisher}".encode())]
    else:
        path = "/session-storage/sessions" + (f"/{issued.session.id}" if which == "session" else "")
        headers = [(b"clientid", client.id.encode()), (b"clientsecret", secret.encode())]

    async def one() -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
            "state": {},
        }
        status = []

        async def receive():  # type: ignore[no-untyped-def]
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                status.append(message["status"])

        await app(scope, receive, send)  # type: ignore[arg-type]
        assert status == [200], status

    for _ in range(200):
        await one()
    start = time.perf_counter()
    for _ in range(n):
        await one()
    per = (time.perf_counter() - start) / n
    print(f"{which}: {per * 1e6:.0f} µs per request in-process ({1 / per:,.0f}/s)")
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        await one()
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    await services.close()


if __name__ == "__main__":
    asyncio.run(
        main(
            sys.argv[1] if len(sys.argv) > 1 else "bearer",
            int(sys.argv[2]) if len(sys.argv) > 2 else 2000,
        )
    )
