"""The one place that builds adapters and hands them to services."""

from __future__ import annotations

from dataclasses import dataclass

from gatehouse.adapters.cache.memory import MemoryRateLimiter
from gatehouse.adapters.cache.redis import RedisClient, RedisRateLimiter
from gatehouse.adapters.cache.shared import (
    RedisAccountTokenCache,
    RedisCredentialCache,
    RedisTokenCache,
)
from gatehouse.adapters.geo import GeoLookup
from gatehouse.adapters.hashing import PasswordHasher
from gatehouse.adapters.mail import DisabledMailer, SmtpMailer, build_mailer
from gatehouse.adapters.providers.steam import SteamClient
from gatehouse.adapters.store.access_tokens import AccessTokenRepository
from gatehouse.adapters.store.admin import AdminRepository
from gatehouse.adapters.store.audit import AuditRepository
from gatehouse.adapters.store.devices import DeviceRepository
from gatehouse.adapters.store.email_links import EmailLinkRepository
from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.idempotency import IdempotencyRepository
from gatehouse.adapters.store.operator_keys import OperatorKeyRepository
from gatehouse.adapters.store.pending import PendingRepository
from gatehouse.adapters.store.projects import ProjectRepository
from gatehouse.adapters.store.sessions import SessionRepository
from gatehouse.adapters.store.users import UserRepository
from gatehouse.core.clock import Clock, SystemClock
from gatehouse.core.cursors import CursorCodec
from gatehouse.core.secretbox import SecretBox
from gatehouse.core.tokens import TokenHasher
from gatehouse.services.account_mail import AccountMail
from gatehouse.services.account_tokens import AccountTokenService
from gatehouse.services.accounts import AccountService
from gatehouse.services.admin_directory import AdminDirectory
from gatehouse.services.admin_users import AdminUsers
from gatehouse.services.api_callers import ApiCallers
from gatehouse.services.background import Background
from gatehouse.services.credentials import CredentialService
from gatehouse.services.idempotency import Idempotency
from gatehouse.services.operator_keys import OperatorKeys
from gatehouse.services.ports import RateLimiter
from gatehouse.services.progressive_sign_in import ProgressiveSignIn
from gatehouse.services.projects import ProjectService
from gatehouse.services.self_service import SelfService
from gatehouse.services.session_access import SessionAccess
from gatehouse.services.sessions import SessionService
from gatehouse.services.sign_in_accounts import SignInAccounts
from gatehouse.services.steam_tickets import SteamTickets
from gatehouse.services.throttling import Throttles
from gatehouse.services.trusted_devices import TrustedDevices
from gatehouse.settings import Settings, load_instance_key

__all__ = ["Services", "build_services"]


@dataclass(slots=True)
class Services:
    """Everything a surface or the CLI may call, built once at start."""

    settings: Settings
    db: Database
    clock: Clock
    tokens: TokenHasher
    secretbox: SecretBox
    limiter: RateLimiter
    passwords: PasswordHasher
    redis: RedisClient | None
    token_cache: RedisTokenCache | None
    geo: GeoLookup
    steam: SteamClient
    sessions: SessionService
    projects: ProjectService
    accounts: AccountService
    credentials: CredentialService
    account_tokens: AccountTokenService
    #: The User Session API v1: who presents the X-API-Key, the progressive
    #: sign-in, and sessions by id.
    api_callers: ApiCallers
    sign_in: ProgressiveSignIn
    session_access: SessionAccess
    sign_in_accounts: SignInAccounts
    trusted_devices: TrustedDevices
    #: The account pages: a player's own sign-in, sessions and activity; mail.
    self_service: SelfService
    account_mail: AccountMail
    mailer: SmtpMailer | DisabledMailer
    #: Work requests start without waiting for it (services/background.py).
    background: Background
    #: The admin API: its callers, listings, user administration, idempotency.
    operator_keys: OperatorKeys
    admin_directory: AdminDirectory
    admin_users: AdminUsers
    idempotency: Idempotency

    async def close(self) -> None:
        await self.background.drain()
        await self.mailer.aclose()
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
    db = Database(settings.database_url, pool_size=settings.database_pool_size)
    # Redis (optional): shared rate-limit counters and token cache for N processes.
    redis = (
        RedisClient(settings.redis_url, prefix=settings.redis_prefix)
        if settings.redis_url
        else None
    )
    limiter: RateLimiter = RedisRateLimiter(redis) if redis else MemoryRateLimiter()
    throttles = Throttles(
        limiter,
        ipv6_prefix=settings.ipv6_prefix,
        steam_calls_per_minute=settings.steam_calls_per_minute,
    )
    token_cache = RedisTokenCache(redis) if redis else None
    credential_cache = RedisCredentialCache(redis) if redis else None
    # PRIVATE-TOKEN entries read their bound session from the session cache's own
    # entries (one SharedCache), so a session's tombstone ends the token's answer.
    account_cache = RedisAccountTokenCache(token_cache.shared) if token_cache else None
    passwords = passwords or PasswordHasher()
    session_repo = SessionRepository()
    user_repo = UserRepository()
    project_repo = ProjectRepository()
    secretbox = SecretBox(tokens.derive(b"secretbox"))
    audit = AuditRepository()
    sessions = SessionService(
        db=db,
        sessions=session_repo,
        users=user_repo,
        hasher=tokens,
        clock=clock,
        cursors=CursorCodec(tokens.derive(b"page-token")),
        throttles=throttles,
        cache=token_cache,
    )
    projects = ProjectService(
        db=db,
        projects=project_repo,
        users=user_repo,
        hasher=tokens,
        clock=clock,
        throttles=throttles,
        cache=credential_cache,
        max_projects_per_user=settings.max_projects_per_user,
        audit=audit,
        secretbox=secretbox,
    )
    accounts = AccountService(
        db=db,
        users=user_repo,
        projects=project_repo,
        passwords=passwords,
        clock=clock,
        audit=audit,
    )
    devices = DeviceRepository()
    pending = PendingRepository()
    email_links = EmailLinkRepository()
    background = Background()
    credentials = CredentialService(
        db=db,
        users=user_repo,
        devices=devices,
        pending=pending,
        sessions=sessions,
        passwords=passwords,
        tokens=tokens,
        secretbox=secretbox,
        clock=clock,
        throttles=throttles,
        audit=audit,
        email_links=email_links,
        background=background,
        user_cache=account_cache,
    )
    mailer = build_mailer(settings)
    steam = steam or SteamClient(settings.steam_api_url)
    sign_in_accounts = SignInAccounts(db=db, users=user_repo, clock=clock, audit=audit)
    admin_repo = AdminRepository()
    sign_in = ProgressiveSignIn(
        projects=projects,
        sessions=sessions,
        credentials=credentials,
        passwords=passwords,
        accounts=sign_in_accounts,
        steam=SteamTickets(
            db=db,
            project_repo=project_repo,
            secretbox=secretbox,
            steam=steam,
            throttles=throttles,
            identity=settings.steam_identity,
        ),
        throttles=throttles,
    )
    return Services(
        settings=settings,
        db=db,
        clock=clock,
        tokens=tokens,
        secretbox=secretbox,
        limiter=limiter,
        passwords=passwords,
        redis=redis,
        token_cache=token_cache,
        geo=GeoLookup(),
        steam=steam,
        sessions=sessions,
        projects=projects,
        accounts=accounts,
        credentials=credentials,
        account_tokens=AccountTokenService(
            db=db,
            tokens=AccessTokenRepository(),
            pending=pending,
            projects=projects,
            accounts=accounts,
            sessions=sessions,
            credentials=credentials,
            hasher=tokens,
            clock=clock,
            throttles=throttles,
            cache=account_cache,
        ),
        api_callers=ApiCallers(projects=projects, sessions=sessions, throttles=throttles),
        sign_in=sign_in,
        session_access=SessionAccess(projects=projects, sessions=sessions),
        sign_in_accounts=sign_in_accounts,
        trusted_devices=TrustedDevices(db=db, devices=devices, clock=clock),
        self_service=SelfService(
            db=db,
            pending=pending,
            audit=audit,
            accounts=accounts,
            credentials=credentials,
            sessions=sessions,
            tokens=tokens,
            clock=clock,
        ),
        account_mail=AccountMail(
            db=db,
            users=user_repo,
            links=email_links,
            audit=audit,
            credentials=credentials,
            tokens=tokens,
            clock=clock,
            throttles=throttles,
            mailer=mailer,
            background=background,
            public_url=settings.public_url,
            user_cache=account_cache,
        ),
        mailer=mailer,
        background=background,
        operator_keys=OperatorKeys(
            db=db,
            keys=OperatorKeyRepository(),
            audit=audit,
            projects=projects,
            hasher=tokens,
            clock=clock,
            throttles=throttles,
        ),
        admin_directory=AdminDirectory(
            db=db,
            repo=admin_repo,
            cursors=CursorCodec(tokens.derive(b"admin-page-token")),
            clock=clock,
        ),
        admin_users=AdminUsers(
            db=db,
            users=user_repo,
            repo=admin_repo,
            audit=audit,
            sessions=sessions,
            clock=clock,
            user_cache=account_cache,
            credential_cache=credential_cache,
        ),
        idempotency=Idempotency(db=db, repo=IdempotencyRepository(), box=secretbox, clock=clock),
    )
