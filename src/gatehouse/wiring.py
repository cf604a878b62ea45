"""The one place that builds adapters and hands them to services."""

from __future__ import annotations

from dataclasses import dataclass

from gatehouse.adapters.cache.memory import MemoryRateLimiter
from gatehouse.adapters.hashing import PasswordHasher
from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.projects import ProjectRepository
from gatehouse.adapters.store.sessions import SessionRepository
from gatehouse.adapters.store.users import UserRepository
from gatehouse.core.clock import Clock, SystemClock
from gatehouse.core.cursors import CursorCodec
from gatehouse.core.secretbox import SecretBox
from gatehouse.core.tokens import TokenHasher
from gatehouse.services.accounts import AccountService
from gatehouse.services.credentials import CredentialService
from gatehouse.services.ports import RateLimiter
from gatehouse.services.projects import ProjectService
from gatehouse.services.sessions import SessionService
from gatehouse.settings import Settings, load_instance_key

__all__ = ["Services", "build_services"]


@dataclass(slots=True)
class Services:
    settings: Settings
    db: Database
    clock: Clock
    tokens: TokenHasher
    limiter: RateLimiter
    passwords: PasswordHasher
    sessions: SessionService
    projects: ProjectService
    accounts: AccountService
    credentials: CredentialService
    secretbox: SecretBox

    async def close(self) -> None:
        self.passwords.close()
        await self.db.dispose()


def build_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    passwords: PasswordHasher | None = None,
) -> Services:
    clock = clock or SystemClock()
    key = load_instance_key(settings)
    tokens = TokenHasher(key)
    db = Database(settings.database_url)
    limiter = MemoryRateLimiter()
    passwords = passwords or PasswordHasher()
    session_repo = SessionRepository()
    user_repo = UserRepository()
    project_repo = ProjectRepository()
    secretbox = SecretBox(tokens.derive(b"secretbox"))
    sessions = SessionService(
        db=db,
        sessions=session_repo,
        users=user_repo,
        hasher=tokens,
        clock=clock,
        cursors=CursorCodec(tokens.derive(b"page-token")),
    )
    return Services(
        settings=settings,
        db=db,
        clock=clock,
        tokens=tokens,
        limiter=limiter,
        passwords=passwords,
        sessions=sessions,
        projects=ProjectService(
            db=db,
            projects=project_repo,
            users=user_repo,
            hasher=tokens,
            clock=clock,
            limiter=limiter,
        ),
        accounts=AccountService(
            db=db, users=user_repo, projects=project_repo, passwords=passwords, clock=clock
        ),
        credentials=CredentialService(
            db=db,
            users=user_repo,
            sessions=sessions,
            passwords=passwords,
            tokens=tokens,
            secretbox=secretbox,
            clock=clock,
            limiter=limiter,
        ),
        secretbox=secretbox,
    )
