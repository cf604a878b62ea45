"""HiveMP-style progressive sign-in, API-key callers and session access (no HTTP).

The game sends everything it has (Steam tickets, email + passwordHash, a second
factor, answers to earlier prompts) on every call; the flow is stateless on
the server. Each call either issues a session or says what to ask next::

    steam ticket(s) ──verify──> SteamID ──linked──────────────> user  (login)
          │                        └─unlinked + auto-create──> new user (register)
          │                        └─unlinked + email/pw ok──> link-confirm → confirmLink → link
    email + passwordHash ──argon2id──> user (login)
          └─unknown email, registration on──> marketing prompt → new user (register)
    nothing usable ──> promptForEmailAddress + promptForPassword
    user ──(admin: project selection)──> second factor unless trusted device ──> session

Errors raised during the flow are wrapped in ``AuthenticationFailed`` together
with the prompts that were open when it failed, so the surface can tell the
game to keep prompting.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Final

from gatehouse.adapters.hashing import PasswordHasher
from gatehouse.adapters.providers.steam import MAX_TICKET_HEX_LENGTH, SteamClient
from gatehouse.adapters.store.devices import DeviceRepository, TrustedDevice
from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.errors import DuplicateKey
from gatehouse.adapters.store.projects import ProjectRepository
from gatehouse.adapters.store.users import UserRepository
from gatehouse.core.access_policy import (
    Access,
    CallerKind,
    Endpoint,
    allowed,
    check_session_access,
)
from gatehouse.core.clock import Clock
from gatehouse.core.errors import (
    Conflict,
    Forbidden,
    GatehouseError,
    IdentityAlreadyLinked,
    InvalidCredentials,
    InvalidInput,
    NotFound,
    UpstreamUnavailable,
    UserNotFound,
)
from gatehouse.core.identifiers import normalize_email, normalize_username
from gatehouse.core.models import ApiKeyType, Project, Session, SessionOrigin, TokenRole, User
from gatehouse.core.passwords import is_prehash
from gatehouse.core.secretbox import SecretBox
from gatehouse.core.tokens import (
    API_KEY_PREFIX,
    MAX_SECRET_LENGTH,
    SESSION_TOKEN_PREFIX,
    TokenHasher,
)
from gatehouse.services.credentials import TRUSTED_DEVICE, CredentialService
from gatehouse.services.projects import ProjectService
from gatehouse.services.sessions import IssuedSession, SessionService
from gatehouse.services.throttling import Throttles

__all__ = [
    "HIVEMP_SESSION_SECONDS",
    "MAX_STEAM_TICKETS",
    "ApiCaller",
    "AuthenticationFailed",
    "AuthenticationService",
    "Prompts",
    "SignInOutcome",
    "SignInRequest",
]

HIVEMP_SESSION_SECONDS: Final = 3600
#: One ticket names one Steam account; more than a few per request is no game's
#: need, only a way to multiply calls to Steam.
MAX_STEAM_TICKETS: Final = 4
MAX_EMAIL_LENGTH: Final = 320
MAX_CODE_LENGTH: Final = 64
MAX_DEVICE_ID_LENGTH: Final = 256
MAX_DEVICE_NAME_LENGTH: Final = 200
STEAM: Final = "steam"
ROLE_USER: Final = "builtin:user"
ROLE_ADMIN: Final = "builtin:admin"
_TICKETS_FIELD: Final = "tokens.steamTokens"
_KEY_KINDS: Final = {
    ApiKeyType.PUBLIC: CallerKind.PUBLIC,
    ApiKeyType.SERVER: CallerKind.SERVER,
    ApiKeyType.ADMIN: CallerKind.ADMIN,
}
_US: Final = 1_000_000


@dataclass(frozen=True, slots=True)
class ApiCaller:
    """Who presented the ``X-API-Key``: a typed key, or a session's own key."""

    kind: CallerKind
    project_id: int
    session: Session | None = None


@dataclass(frozen=True, slots=True)
class SignInRequest:
    email: str | None = None
    password_hash: str | None = None
    marketing_opt_in: bool | None = None
    prompt_for_project: bool = False
    project_id: str | None = None
    requested_role: str | None = None
    steam_tickets: tuple[str, ...] = ()
    two_factor_code: str | None = None
    device_identifier: str | None = None
    device_name: str | None = None
    trust_device: bool = False
    confirm_link: bool = False


@dataclass(slots=True)
class Prompts:
    email_address: bool = False
    password: bool = False
    marketing_opt_in: bool = False
    two_factor: bool = False


@dataclass(frozen=True, slots=True)
class SignInOutcome:
    intent: str | None
    prompts: Prompts = field(default_factory=Prompts)
    issued: IssuedSession | None = None
    available_projects: list[Project] | None = None


class AuthenticationFailed(Exception):
    """A flow step failed; ``prompts`` are what the game should keep asking for."""

    def __init__(self, error: GatehouseError, prompts: Prompts) -> None:
        super().__init__(error.message)
        self.error = error
        self.prompts = prompts


def _validate(req: SignInRequest) -> None:
    if req.email is not None and (
        len(req.email) > MAX_EMAIL_LENGTH or (req.email and "@" not in req.email)
    ):
        raise InvalidInput("emailAddress must be an email address", field="emailAddress")
    if req.password_hash is not None and req.password_hash and not is_prehash(req.password_hash):
        raise InvalidInput("passwordHash must be 64 lowercase hex characters", field="passwordHash")
    if len(req.steam_tickets) > MAX_STEAM_TICKETS:
        raise InvalidInput(
            f"At most {MAX_STEAM_TICKETS} Steam tickets per request", field=_TICKETS_FIELD
        )
    for ticket in req.steam_tickets:
        if not ticket or len(ticket) > MAX_TICKET_HEX_LENGTH:
            raise InvalidInput("Steam ticket is empty or too long", field=_TICKETS_FIELD)
        try:
            bytes.fromhex(ticket)
        except ValueError:
            raise InvalidInput("Steam ticket must be hexadecimal", field=_TICKETS_FIELD) from None
    if req.two_factor_code is not None and len(req.two_factor_code) > MAX_CODE_LENGTH:
        raise InvalidInput("twoFactorCode is too long", field="twoFactor.twoFactorCode")
    if req.device_identifier is not None and len(req.device_identifier) > MAX_DEVICE_ID_LENGTH:
        raise InvalidInput("deviceIdentifier is too long", field="twoFactor.deviceIdentifier")
    if req.device_name is not None and len(req.device_name) > MAX_DEVICE_NAME_LENGTH:
        raise InvalidInput(
            "deviceIdentifierFriendlyName is too long",
            field="twoFactor.deviceIdentifierFriendlyName",
        )
    if req.requested_role not in (None, ROLE_USER, ROLE_ADMIN):
        raise InvalidInput(
            f"requestedRole must be {ROLE_USER!r} or {ROLE_ADMIN!r}", field="requestedRole"
        )
    if req.project_id is not None and not (
        req.project_id.isascii() and req.project_id.isdigit() and len(req.project_id) <= 18
    ):
        raise InvalidInput("projectId must be a project id", field="projectId")


class AuthenticationService:
    def __init__(
        self,
        *,
        db: Database,
        users: UserRepository,
        project_repo: ProjectRepository,
        devices: DeviceRepository,
        projects: ProjectService,
        sessions: SessionService,
        credentials: CredentialService,
        passwords: PasswordHasher,
        tokens: TokenHasher,
        secretbox: SecretBox,
        steam: SteamClient,
        clock: Clock,
        throttles: Throttles,
        steam_identity: str = "",
    ) -> None:
        self._db = db
        self._users = users
        self._project_repo = project_repo
        self._devices = devices
        self._projects = projects
        self._sessions = sessions
        self._credentials = credentials
        self._passwords = passwords
        self._tokens = tokens
        self._box = secretbox
        self._steam = steam
        self._clock = clock
        self._key_throttle = throttles.api_key
        self._password_throttle = throttles.password
        self._steam_rejected = throttles.steam_rejected
        self._steam_calls = throttles.steam_calls
        self._steam_identity = steam_identity

    # -- who is calling? ---------------------------------------------------------------

    async def resolve_api_key(self, presented: str | None, *, caller: str) -> ApiCaller:
        """A typed API key (``gk_``) or a session's own key (``gs_``, publisher).
        Unknown, revoked and expired keys all answer ``InvalidCredentials``; each
        such failure is counted per caller address, and a throttled address is
        refused (429) even with a right key."""
        async with self._key_throttle.attempt(caller=caller) as attempt:
            found = await self._api_caller(presented)
            if found is None:
                if presented:  # a missing key is no guess
                    await attempt.failed()
                raise InvalidCredentials("Missing, unknown or revoked API key", field="X-API-Key")
        return found

    async def _api_caller(self, presented: str | None) -> ApiCaller | None:
        if not presented or len(presented) > MAX_SECRET_LENGTH:
            return None
        if presented.startswith(API_KEY_PREFIX):
            record = await self._projects.find_api_key(presented)
            if record is None:
                return None
            return ApiCaller(_KEY_KINDS[record.key_type], record.project_id)
        if presented.startswith(SESSION_TOKEN_PREFIX):
            resolved = await self._sessions.resolve(presented)
            if resolved is None or resolved.role is not TokenRole.PUBLISHER:
                return None
            s = resolved.session
            kind = CallerKind.ADMIN if s.scope == "admin" else CallerKind.USER_SESSION
            return ApiCaller(kind, s.project_id, s)
        return None

    # -- GET / POST / DELETE /v1/session ------------------------------------------------

    async def _target(
        self, caller: ApiCaller, endpoint: Endpoint, session_id: str | None
    ) -> Session:
        access = allowed(endpoint, caller.kind)
        if session_id is None:
            if caller.session is None:
                raise InvalidInput("id is required with this kind of API key", field="id")
            session_id = caller.session.id
        target: Session | None = None
        if access is Access.OWN:
            own = caller.session.id if caller.session else None
            check_session_access(
                endpoint,
                caller.kind,
                caller_project_id=caller.project_id,
                caller_session_id=own,
                target_session_id=session_id,
                target_project_id=None,
            )
            # The caller's own session was resolved (and found active) a moment
            # ago from its token: no second read.
            if caller.session is not None and caller.session.id == session_id:
                return caller.session
            target = await self._sessions.get(session_id)
        else:
            target = await self._sessions.get(session_id)
            check_session_access(
                endpoint,
                caller.kind,
                caller_project_id=caller.project_id,
                caller_session_id=caller.session.id if caller.session else None,
                target_session_id=target.id,
                target_project_id=target.project_id,
            )
        return target

    async def get_session(self, caller: ApiCaller, session_id: str | None) -> Session:
        return await self._target(caller, Endpoint.SESSION_GET, session_id)

    async def renew_session(self, caller: ApiCaller, session_id: str | None) -> Session:
        target = await self._target(caller, Endpoint.SESSION_RENEW, session_id)
        project = await self._projects.get(target.project_id)
        # The session's own apiKey renews only a renewable session (core/renewal.py).
        by_holder = caller.session is not None and caller.session.id == target.id
        return await self._sessions.renew(
            target,
            HIVEMP_SESSION_SECONDS,
            max_ttl_seconds=project.max_ttl_seconds,
            by_holder=by_holder,
        )

    async def end_session(self, caller: ApiCaller, session_id: str | None) -> None:
        target = await self._target(caller, Endpoint.SESSION_DELETE, session_id)
        await self._sessions.revoke(target, origin=str(SessionOrigin.HIVEMP))

    # -- PUT /v1/authenticate -------------------------------------------------------------

    async def authenticate(
        self, caller: ApiCaller, req: SignInRequest, *, ip: str, user_agent: str = ""
    ) -> SignInOutcome:
        allowed(Endpoint.AUTHENTICATE, caller.kind)
        _validate(req)
        project = await self._projects.get(caller.project_id)
        prompts = Prompts()
        try:
            return await self._flow(caller, project, req, prompts, ip=ip, user_agent=user_agent)
        except GatehouseError as exc:
            raise AuthenticationFailed(exc, prompts) from None

    async def _flow(
        self,
        caller: ApiCaller,
        project: Project,
        req: SignInRequest,
        prompts: Prompts,
        *,
        ip: str,
        user_agent: str,
    ) -> SignInOutcome:
        role = req.requested_role or (ROLE_ADMIN if caller.kind is CallerKind.ADMIN else ROLE_USER)
        email = normalize_email(req.email or "") or None  # one form for every lookup
        password_hash = req.password_hash or None

        # 1. Steam ticket(s): verified before anything is read or written.
        steam_id: str | None = None
        steam_owner: int | None = None
        if req.steam_tickets:
            steam_id = await self._verify_steam(project, req.steam_tickets, caller=ip)
            async with self._db.read() as conn:
                steam_owner = await self._users.by_identity(conn, project.id, STEAM, steam_id)

        # 2. Email + passwordHash.
        password_user: User | None = None
        registering = False
        if email and password_hash:
            prompts.email_address = prompts.password = True
            if project.password_registration and not await self._email_exists(project.id, email):
                # "Unknown, register?" tells whether an email has an account: such
                # answers cost the caller's address like a failed password would.
                await self._password_throttle.spend(caller=ip)
                registering = True
            else:
                password_user = await self._credentials.check_password(
                    project.id, login=email, password_hash=password_hash, by="email", caller=ip
                )
            prompts.email_address = prompts.password = False

        # Who is it?
        user: User
        intent: str
        factors: list[str] = []
        new_user = False
        link_steam = False
        if registering:
            assert email is not None and password_hash is not None
            if steam_owner is not None:
                raise IdentityAlreadyLinked(field=_TICKETS_FIELD)
            if req.marketing_opt_in is None:
                return SignInOutcome("register", Prompts(marketing_opt_in=True))
            user = await self._create_user(
                project.id,
                username_hint=email[:255],
                email=email,
                password_hash=await self._passwords.hash(password_hash),
                marketing_opt_in=req.marketing_opt_in,
                steam_id=steam_id,
            )
            intent, new_user = "register", True
            factors = ["password"] + (["steam"] if steam_id else [])
        elif password_user is not None:
            user, intent, factors = password_user, "login", ["password"]
            if steam_id is not None:
                if steam_owner == password_user.id:
                    factors = ["password", "steam"]
                elif steam_owner is not None:
                    raise IdentityAlreadyLinked(field=_TICKETS_FIELD)
                elif not req.confirm_link:
                    return SignInOutcome("link-confirm")
                else:
                    intent, link_steam = "link", True
                    factors = ["password", "steam"]
        elif steam_id is not None and steam_owner is not None:
            found = await self._user(steam_owner)
            user, intent, factors = found, "login", ["steam"]
        elif steam_id is not None and project.steam_auto_create and not email:
            user = await self._create_user(
                project.id, username_hint=f"steam-{steam_id}", steam_id=steam_id
            )
            intent, new_user, factors = "register", True, ["steam"]
        elif email and not password_hash:
            return SignInOutcome(None, Prompts(password=True))
        else:
            return SignInOutcome(None, Prompts(email_address=True, password=True))

        # 3. Which project (admin sign-in)?
        target = project
        create_default = False
        if role == ROLE_ADMIN:
            async with self._db.read() as conn:
                administered = await self._project_repo.administered_by(conn, user.id)
            if req.project_id is not None:
                match = [p for p in administered if p.id == int(req.project_id)]
                if not match:
                    raise Forbidden("You do not administer that project", field="projectId")
                target = match[0]
            elif req.prompt_for_project:
                if administered:
                    # A trusted device skips the prompt (a failed probe counts).
                    needs_2fa = (
                        not new_user
                        and user.totp_enabled
                        and await self._credentials.second_factor(
                            user, None, device_identifier=req.device_identifier, caller=ip
                        )
                        is None
                    )
                    return SignInOutcome(
                        intent, Prompts(two_factor=needs_2fa), available_projects=administered
                    )
                create_default = True
            elif not any(p.id == project.id for p in administered):
                raise Forbidden("You do not administer this project", field="requestedRole")

        # 4. Second factor, unless this device is trusted.
        if not new_user and user.totp_enabled:
            prompts.two_factor = True
            factor = await self._credentials.second_factor(
                user, req.two_factor_code, device_identifier=req.device_identifier, caller=ip
            )
            prompts.two_factor = False
            if factor is None:
                return SignInOutcome(intent, Prompts(two_factor=True))
            if factor != TRUSTED_DEVICE:
                factors.append(factor)
                if req.trust_device and req.device_identifier:
                    await self._credentials.trust_device(
                        user, req.device_identifier, req.device_name or ""
                    )

        # 5. Link, create the default project, start the session.
        if link_steam:
            assert steam_id is not None
            await self._link(project.id, user.id, steam_id)
        if create_default:
            target = await self._projects.create_default(
                user.id, f"{user.username}'s project"[:200]
            )
        issued = await self._sessions.start(
            project=target,
            user_id=user.id,
            origin=SessionOrigin.HIVEMP,
            ttl_seconds=min(HIVEMP_SESSION_SECONDS, target.max_ttl_seconds),
            factors=tuple(factors),
            scope="admin" if role == ROLE_ADMIN else "user",
            ip=ip,
            user_agent=user_agent[:512],
            credential_stamp=user.credential_stamp,
            renewable=True,  # its apiKey renews it (POST /v1/session)
        )
        return SignInOutcome(intent, issued=issued)

    # -- steps -----------------------------------------------------------------------------

    async def _verify_steam(
        self, project: Project, tickets: tuple[str, ...], *, caller: str
    ) -> str:
        if project.steam_app_id is None or not project.has_steam_web_api_key:
            raise InvalidInput(
                "Steam sign-in is not configured for this project", field=_TICKETS_FIELD
            )
        async with self._db.read() as conn:
            sealed = await self._project_repo.steam_web_api_key_enc(conn, project.id)
        try:
            key = self._box.open(sealed or "", context=f"steam:project:{project.id}")
        except ValueError:
            raise UpstreamUnavailable("The project's Steam web API key cannot be read") from None
        owners = set()
        for ticket in dict.fromkeys(tickets):
            owners.add(await self._steam_ticket(project, key, ticket, caller=caller))
        if len(owners) != 1:
            raise InvalidInput(
                "The Steam tickets belong to different Steam accounts", field=_TICKETS_FIELD
            )
        return owners.pop()

    async def _steam_ticket(self, project: Project, key: str, ticket: str, *, caller: str) -> str:
        """One ticket checked by Steam. Rejections are throttled per address and per
        project, and every call spends the project's budget of calls to Steam."""
        assert project.steam_app_id is not None
        project_key = str(project.id)
        attempt = self._steam_rejected.attempt(caller=caller, account=project_key)
        async with attempt:
            await self._steam_calls.spend(caller=caller, account=project_key)
            try:
                return await self._steam.authenticate_ticket(
                    app_id=project.steam_app_id,
                    web_api_key=key,
                    ticket_hex=ticket,
                    identity=self._steam_identity,
                )
            except InvalidCredentials:
                await attempt.failed()
                raise

    async def _email_exists(self, project_id: int, email: str) -> bool:
        async with self._db.read() as conn:
            return await self._users.by_email(conn, project_id, email) is not None

    async def _user(self, user_id: int) -> User:
        async with self._db.read() as conn:
            user = await self._users.get(conn, user_id)
        if user is None:
            raise UserNotFound()
        return user

    async def _create_user(
        self,
        project_id: int,
        *,
        username_hint: str,
        email: str = "",
        password_hash: str | None = None,
        marketing_opt_in: bool | None = None,
        steam_id: str | None = None,
    ) -> User:
        try:
            async with self._db.write() as conn:
                if email and await self._users.by_email(conn, project_id, email) is not None:
                    raise Conflict(
                        "An account with that email address exists", field="emailAddress"
                    )
                if steam_id and await self._users.by_identity(conn, project_id, STEAM, steam_id):
                    raise IdentityAlreadyLinked(field=_TICKETS_FIELD)
                username = normalize_username(username_hint)
                if await self._users.by_username(conn, project_id, username) is not None:
                    username = f"{username_hint[:240]}-{secrets.token_hex(4)}"
                now = self._clock.now_us()
                user_id = await self._users.create(
                    conn,
                    project_id=project_id,
                    now=now,
                    username=username,
                    email=email,
                    password_hash=password_hash,
                    marketing_opt_in=marketing_opt_in,
                )
                if steam_id:
                    await self._users.link_identity(
                        conn,
                        project_id=project_id,
                        user_id=user_id,
                        provider=STEAM,
                        subject=steam_id,
                        now=now,
                    )
                user = await self._users.get(conn, user_id)
        except DuplicateKey:  # a concurrent sign-in created or linked the same account
            raise Conflict("The account was created concurrently; try again") from None
        assert user is not None
        return user

    async def _link(self, project_id: int, user_id: int, steam_id: str) -> None:
        try:
            async with self._db.write() as conn:
                owner = await self._users.by_identity(conn, project_id, STEAM, steam_id)
                if owner is not None and owner != user_id:
                    raise IdentityAlreadyLinked(field=_TICKETS_FIELD)
                if owner is None:
                    if await self._users.identity_of(conn, user_id, STEAM) is not None:
                        raise Conflict(
                            "This account is already linked to another Steam account",
                            field=_TICKETS_FIELD,
                        )
                    await self._users.link_identity(
                        conn,
                        project_id=project_id,
                        user_id=user_id,
                        provider=STEAM,
                        subject=steam_id,
                        now=self._clock.now_us(),
                    )
        except DuplicateKey:
            raise IdentityAlreadyLinked(field=_TICKETS_FIELD) from None

    # -- trusted devices -------------------------------------------------------------------

    async def trusted_devices(self, user_id: int) -> list[TrustedDevice]:
        async with self._db.read() as conn:
            return await self._devices.list_active(conn, user_id=user_id, now=self._clock.now_us())

    async def forget_device(self, user_id: int, device_hash: str) -> None:
        async with self._db.write() as conn:
            if not await self._devices.forget(conn, user_id=user_id, device_hash=device_hash):
                raise NotFound("No such trusted device")

    # -- operator actions (CLI) --------------------------------------------------------------

    async def link_steam(self, user_id: int, steam_id: str) -> None:
        if not (steam_id.isascii() and steam_id.isdigit() and 0 < int(steam_id) < 2**64):
            raise InvalidInput("steam id must be a SteamID64 (decimal)", field="steam_id")
        user = await self._user(user_id)
        await self._link(user.project_id, user.id, str(int(steam_id)))

    async def unlink_steam(self, user_id: int) -> None:
        await self._user(user_id)
        async with self._db.write() as conn:
            if not await self._users.unlink_identity(conn, user_id, STEAM):
                raise NotFound("The user has no linked Steam account")
