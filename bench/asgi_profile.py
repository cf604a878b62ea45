"""Profile one hot endpoint in-process: drive the ASGI app directly (no sockets, no
load generator), ``--concurrency`` requests at a time, and print the CPU time
this process spends per request, then the top functions by own time.

    python bench/asgi_profile.py [bearer|session|list|v3user|v1get|v1server|renew]
                                 [--requests N] [--concurrency C] [--no-profile]

The backend comes from the usual ``GATEHOUSE_*`` variables (SQLite in a temporary
directory by default; ``GATEHOUSE_DATABASE_URL`` / ``GATEHOUSE_REDIS_URL`` for
PostgreSQL + Redis). CPU time, not wall time, is the figure that matters: under
load the server's one core is the bottleneck, while the database and Redis run
on the other.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import hashlib
import os
import pstats
import tempfile
import time
from typing import Any

import httpx

from gatehouse.adapters.store.migrate import migrate
from gatehouse.app import create_app
from gatehouse.core.models import ApiKeyType
from gatehouse.services.accounts import NewUser
from gatehouse.settings import Settings
from gatehouse.wiring import build_services

PASSWORD = "profile-password-1"


async def prepare(which: str, app: Any, services: Any) -> tuple[str, str, list[Any]]:
    """(method, path, headers) of one request of kind ``which``."""
    project = await services.projects.create("p")
    user = await services.accounts.create_user(
        project.id, NewUser(username="u", email="u@p.test", password=PASSWORD)
    )
    if which in ("bearer", "session", "list"):
        client, secret = await services.projects.create_client(user.id)
        issued = await services.sessions.start(project=project, user_id=user.id, origin="storage")
        if which == "bearer":
            return (
                "GET",
                "/session-storage/session",
                [(b"authorization", f"Bearer {issued.publisher}".encode())],
            )
        path = "/session-storage/sessions"
        if which == "session":
            path += f"/{issued.session.id}"
        return "GET", path, [(b"clientid", client.id.encode()), (b"clientsecret", secret.encode())]
    if which == "v3user":
        issued_token, _ = await services.account_tokens.create_personal_token(user.id)
        return "GET", "/v3/session/user", [(b"private-token", issued_token.token.encode())]
    _, public_key = await services.projects.create_api_key(project.id, ApiKeyType.PUBLIC)
    prehash = hashlib.sha256(("HiveMPv1" + PASSWORD).encode()).hexdigest()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gh") as http:
        answer = await http.put(
            "/v1/authenticate",
            headers={"X-API-Key": public_key},
            json={"emailAddress": "u@p.test", "passwordHash": prehash},
        )
    signed_in = answer.json()["authenticatedSession"]
    if which == "v1server":
        _, server_key = await services.projects.create_api_key(project.id, ApiKeyType.SERVER)
        return "GET", f"/v1/session?id={signed_in['id']}", [(b"x-api-key", server_key.encode())]
    method = "GET" if which == "v1get" else "POST"
    return method, "/v1/session", [(b"x-api-key", signed_in["apiKey"].encode())]


async def main(which: str, n: int, concurrency: int, profile: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k.startswith("GATEHOUSE_")}
    settings = Settings.from_env({"GATEHOUSE_DATA_DIR": tempfile.mkdtemp(), **env})
    services = build_services(settings)
    await migrate(services.db)
    app = create_app(settings, services)
    method, path, headers = await prepare(which, app, services)

    path, _, query = path.partition("?")

    async def one() -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
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

    async def batch(count: int) -> None:
        for _ in range(count // concurrency):
            await asyncio.gather(*(one() for _ in range(concurrency)))

    await batch(200)
    cpu, wall = time.process_time(), time.perf_counter()
    await batch(n)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"{which}: {cpu / n * 1e6:.0f} µs CPU per request, {n / wall:,.0f}/s wall "
        f"({concurrency} at a time)"
    )
    if profile:
        prof = cProfile.Profile()
        prof.enable()
        await batch(n)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
    await services.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "which",
        nargs="?",
        default="bearer",
        choices=["bearer", "session", "list", "v3user", "v1get", "v1server", "renew"],
    )
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.which, args.requests, args.concurrency, not args.no_profile))
