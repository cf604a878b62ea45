"""Small helpers shared by the test suites."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from gatehouse.adapters.hashing import PasswordHasher
from gatehouse.services.accounts import NewUser
from gatehouse.wiring import Services

__all__ = ["Tenant", "fast_passwords", "make_tenant"]


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
