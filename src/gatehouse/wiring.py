"""The one place that builds adapters and hands them to services."""

from __future__ import annotations

from dataclasses import dataclass, field

from gatehouse.adapters.cache.memory import MemoryRateLimiter
from gatehouse.adapters.cache.redis import RedisClient, RedisRateLimiter, RedisTokenCache
from gatehouse.adapters.geo import GeoLookup
from gatehouse.adapters.hashing import PasswordHasher
from gatehouse.adapters.providers.steam import SteamClient
from gatehouse.adapters.store.access_tokens import AccessTokenRepository
from gatehouse.adapters.store.devices import DeviceRepository
from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.pending import PendingRepository
from gatehouse.adapters.store.projects import ProjectRepository
from gatehouse.adapters.store.sessions import SessionRepository
from gatehouse.adapters.store.users import UserRepository
from gatehouse.core.clock import Clock, SystemClock
from gatehouse.core.cursors import CursorCodec
from gatehouse.core.secretbox import SecretBox
from gatehouse.core.tokens import TokenHasher
from gatehouse.services.account_tokens import AccountTokenService
from gatehouse.services.accounts import AccountService
from gatehouse.services.authentication import AuthenticationService
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
    redis: RedisClient | None
    token_cache: RedisTokenCache | None
    # -- account API v3 (set by build_services; init=False keeps later fields free) --
    account_tokens: AccountTokenService = field(init=False)
    geo: GeoLookup = field(init=False)
    # -- User Session API v1 (HiveMP) --
    steam: SteamClient = field(init=False)
    authentication: AuthenticationService = field(init=False)

    async def close(self) -> None:
        self.passwords.close()
        await self.steam.aclose()
        await self.db.dispose()
        if self.redis is not None:
            await self.redis.close()


def build_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    passwords: PasswordHasher | None = None,
    steam: SteamClient | None = None,
) -> Services:
    clock = clock or SystemClock()
    key = load_instance_key(settings)
    tokens = TokenHasher(key)
    db = Database(settings.database_url)
    # Redis (optional): shared rate-limit counters and token cache for N processes.
    redis = (
        RedisClient(settings.redis_url, prefix=settings.redis_prefix)
        if settings.redis_url
        else None
    )
    limiter: RateLimiter = RedisRateLimiter(redis) if redis else MemoryRateLimiter()
    token_cache = RedisTokenCache(redis) if redis else None
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
        cache=token_cache,
    )
    services = Services(
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
        redis=redis,
        token_cache=token_cache,
    )
    # -- account API v3 --
    services.geo = GeoLookup()
    services.account_tokens = AccountTokenService(
        db=db,
        tokens=AccessTokenRepository(),
        pending=PendingRepository(),
        projects_repo=project_repo,
        projects=services.projects,
        accounts=services.accounts,
        sessions=sessions,
        credentials=services.credentials,
        hasher=tokens,
        clock=clock,
        limiter=limiter,
    )
    # -- User Session API v1 (HiveMP) --
    services.steam = steam or SteamClient(settings.steam_api_url)
    services.authentication = AuthenticationService(
        db=db,
        users=user_repo,
        project_repo=project_repo,
        devices=DeviceRepository(),
        projects=services.projects,
        sessions=sessions,
        credentials=services.credentials,
        passwords=passwords,
        tokens=tokens,
        secretbox=secretbox,
        steam=services.steam,
        clock=clock,
    )
    return services
