"""Small helpers shared by the test suites."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from gatehouse.adapters.hashing import PasswordHasher
from gatehouse.app import create_app
from gatehouse.services.accounts import NewUser
from gatehouse.settings import Settings
from gatehouse.wiring import Services

__all__ = ["CALLER", "Tenant", "fast_passwords", "make_tenant", "serve_app", "sql_sent"]

#: The address every in-process test request comes from (TEST-NET-3).
CALLER = ("203.0.113.7", 40000)


@dataclass
class Tenant:
    """A project with one user and one client application of that user."""

    project_id: int
    user_id: int
    client_id: str
    client_secret: str

    @property
    def headers(self) -> dict[str, str]:
        return {"ClientID": self.client_id, "ClientSecret": self.client_secret}


async def make_tenant(services: Services, project_id: int | None = None, name: str = "u") -> Tenant:
    if project_id is None:
        project_id = (await services.projects.create(f"project-{uuid.uuid4().hex[:6]}")).id
    user = await services.accounts.create_user(
        project_id, NewUser(username=f"{name}-{uuid.uuid4().hex[:6]}")
    )
    c, secret = await services.projects.create_client(user.id, "tests")
    return Tenant(project_id, user.id, c.id, secret)


def fast_passwords() -> PasswordHasher:
    """Real argon2id at low cost so the suite stays quick; production parameters are
    exercised by the hashing tests and the benchmarks."""
    return PasswordHasher(memory_cost=1024, time_cost=1)


@asynccontextmanager
async def serve_app(
    settings: Settings, services: Services, *, lifespan: bool = True
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client driving the real ASGI app in-process (startup and shutdown
    included when ``lifespan``; shutdown closes ``services``)."""
    app = create_app(settings, services)
    transport = httpx.ASGITransport(app=app, client=CALLER)
    async with httpx.AsyncClient(transport=transport, base_url="http://gatehouse") as client:
        if not lifespan:
            yield client
            return
        async with LifespanManager(app):
            yield client


@contextmanager
def sql_sent() -> Iterator[list[str]]:
    """Every statement this process sends to PostgreSQL while the block runs (BEGIN
    and COMMIT included). SQL reaches PostgreSQL only through asyncpg's connection
    methods (adapters/store/postgres.py), so this is all of it."""
    import asyncpg

    sent: list[str] = []
    names = ("execute", "executemany", "fetch", "fetchrow", "fetchval")
    originals = {name: getattr(asyncpg.Connection, name) for name in names}

    def counting(original: Any) -> Any:
        def method(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            sent.append(query)
            return original(self, query, *args, **kwargs)

        return method

    for name, original in originals.items():
        setattr(asyncpg.Connection, name, counting(original))
    try:
        yield sent
    finally:
        for name, original in originals.items():
            setattr(asyncpg.Connection, name, original)
