"""HiveMP progressive sign-in (``PUT /v1/authenticate``) as a state machine (no HTTP).

The game sends everything it has (Steam tickets, email + passwordHash, a second
factor, answers to earlier prompts) on every call and the server keeps nothing
between calls, so each call runs the machine from START to a final state (■): a
session, or what to ask for next. Each step does its state's work, records what
it found on the ``_Attempt`` and names the next state, which must be one that
``TRANSITIONS`` lists; ``ANSWERS`` maps each final state to the call's answer.
docs/sign-in-flow.md draws the same machine::

    START ────────┬─ Steam tickets ───────────────────────────────> STEAM
                  ├─ email + passwordHash ────────────────────────> PASSWORD
                  └─ neither ─────────────────────────────────────> IDENTIFY
    STEAM ────────┬─ email + passwordHash ────────────────────────> PASSWORD
                  └─ otherwise ───────────────────────────────────> IDENTIFY
    PASSWORD ─────── password checked, or unknown email ──────────> IDENTIFY
    IDENTIFY ─────┬─ unknown email, no marketing answer ──────────> ASK_MARKETING ■
                  ├─ unknown email, answered ─────────────────────> REGISTER
                  ├─ password ok, SteamID unlinked, no confirm ────> ASK_LINK_CONFIRMATION ■
                  ├─ password ok, or SteamID linked ──────────────> LOGIN
                  ├─ SteamID unlinked, auto-create, no email ─────> REGISTER
                  ├─ email without password ──────────────────────> ASK_PASSWORD ■
                  └─ nothing usable ──────────────────────────────> ASK_CREDENTIALS ■
    REGISTER ─────┬─ admin sign-in ───────────────────────────────> PROJECT
                  └─ otherwise ───────────────────────────────────> ISSUE
    LOGIN ────────┬─ admin sign-in ───────────────────────────────> PROJECT
                  ├─ TOTP on ─────────────────────────────────────> SECOND_FACTOR
                  └─ otherwise ───────────────────────────────────> ISSUE
    PROJECT ──────┬─ promptForProject, projects administered ─────> ASK_PROJECT ■
                  ├─ TOTP on, not a new account ──────────────────> SECOND_FACTOR
                  └─ otherwise ───────────────────────────────────> ISSUE
    SECOND_FACTOR ┬─ no code, device not trusted ─────────────────> ASK_SECOND_FACTOR ■
                  └─ code ok, or trusted device ──────────────────> ISSUE
    ISSUE ────────── link Steam, default project, session ────────> ISSUED ■

    Any step may fail instead: its GatehouseError leaves as AuthenticationFailed
    with the prompts open at that moment (the password's while it is checked,
    the second factor's while that is).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Final

from gatehouse.adapters.hashing import PasswordHasher
from gatehouse.core.access_policy import CallerKind, Endpoint, allowed
from gatehouse.core.errors import Forbidden, GatehouseError, IdentityAlreadyLinked
from gatehouse.core.identifiers import normalize_email
from gatehouse.core.models import Project, SessionOrigin, User
from gatehouse.services.api_callers import ApiCaller
from gatehouse.services.credentials import TRUSTED_DEVICE, CredentialService
from gatehouse.services.projects import ProjectService
from gatehouse.services.session_access import HIVEMP_SESSION_SECONDS
from gatehouse.services.sessions import IssuedSession, SessionService
from gatehouse.services.sign_in_accounts import SignInAccounts
from gatehouse.services.sign_in_messages import (
    ROLE_ADMIN,
    ROLE_USER,
    TICKETS_FIELD,
    AuthenticationFailed,
    Prompts,
    SignInOutcome,
    SignInRequest,
    validate,
)
from gatehouse.services.steam_tickets import SteamTickets
from gatehouse.services.throttling import Throttles

__all__ = ["ANSWERS", "FINAL", "TRANSITIONS", "ProgressiveSignIn", "State"]


class State(Enum):
    START = "start"
    STEAM = "steam"  # verify the tickets; find the SteamID's owner
    PASSWORD = "password"  # check email + passwordHash, or note "unknown: register?"
    IDENTIFY = "identify"  # who is it? (decides only)
    REGISTER = "register"  # create the account
    LOGIN = "login"  # the password's user or the SteamID's owner
    PROJECT = "project"  # admin sign-in: which project
    SECOND_FACTOR = "second_factor"
    ISSUE = "issue"  # link Steam, create the default project, start the session
    # Final: the answer of the call.
    ASK_CREDENTIALS = "ask_credentials"
    ASK_PASSWORD = "ask_password"
    ASK_MARKETING = "ask_marketing"
    ASK_LINK_CONFIRMATION = "ask_link_confirmation"
    ASK_PROJECT = "ask_project"
    ASK_SECOND_FACTOR = "ask_second_factor"
    ISSUED = "issued"


TRANSITIONS: Final[Mapping[State, frozenset[State]]] = {
    State.START: frozenset({State.STEAM, State.PASSWORD, State.IDENTIFY}),
    State.STEAM: frozenset({State.PASSWORD, State.IDENTIFY}),
    State.PASSWORD: frozenset({State.IDENTIFY}),
    State.IDENTIFY: frozenset(
        {
            State.ASK_MARKETING,
            State.REGISTER,
            State.ASK_LINK_CONFIRMATION,
            State.LOGIN,
            State.ASK_PASSWORD,
            State.ASK_CREDENTIALS,
        }
    ),
    State.REGISTER: frozenset({State.PROJECT, State.ISSUE}),
    State.LOGIN: frozenset({State.PROJECT, State.SECOND_FACTOR, State.ISSUE}),
    State.PROJECT: frozenset({State.ASK_PROJECT, State.SECOND_FACTOR, State.ISSUE}),
    State.SECOND_FACTOR: frozenset({State.ASK_SECOND_FACTOR, State.ISSUE}),
    State.ISSUE: frozenset({State.ISSUED}),
}
FINAL: Final = frozenset(State) - TRANSITIONS.keys()


@dataclass(slots=True)
class _Attempt:
    """One call's request and everything its steps have found so far."""

    project: Project
    req: SignInRequest
    prompts: Prompts  # open while a step checks them; AuthenticationFailed carries them
    ip: str
    user_agent: str
    role: str
    email: str | None  # canonical, one form for every lookup
    password_hash: str | None
    target: Project  # the project of the session: the caller's, or an administered one
    steam_id: str | None = None
    steam_owner: int | None = None
    password_user: User | None = None
    registering: bool = False  # unknown email, registration on
    user: User | None = None
    intent: str | None = None
    factors: list[str] = field(default_factory=list)
    new_user: bool = False
    link_steam: bool = False
    administered: list[Project] = field(default_factory=list)
    create_default: bool = False
    needs_second_factor: bool = False  # with the project prompt
    issued: IssuedSession | None = None

    @property
    def who(self) -> User:
        assert self.user is not None, "asked before REGISTER or LOGIN"
        return self.user

    @property
    def has_password(self) -> bool:
        return bool(self.email and self.password_hash)

    def after_identified(self) -> State:
        """The exit of REGISTER and LOGIN; PROJECT's is ``second_factor_or_issue``."""
        if self.role == ROLE_ADMIN:
            return State.PROJECT
        return self.second_factor_or_issue()

    def second_factor_or_issue(self) -> State:
        return State.SECOND_FACTOR if not self.new_user and self.who.totp_enabled else State.ISSUE


class ProgressiveSignIn:
    def __init__(
        self,
        *,
        projects: ProjectService,
        sessions: SessionService,
        credentials: CredentialService,
        passwords: PasswordHasher,
        accounts: SignInAccounts,
        steam: SteamTickets,
        throttles: Throttles,
    ) -> None:
        self._projects = projects
        self._sessions = sessions
        self._credentials = credentials
        self._passwords = passwords
        self._accounts = accounts
        self._steam = steam
        self._password_throttle = throttles.password
        self._steps: dict[State, Callable[[_Attempt], Awaitable[State]]] = {
            State.START: self._start,
            State.STEAM: self._verify_steam,
            State.PASSWORD: self._check_password,
            State.IDENTIFY: self._identify,
            State.REGISTER: self._register,
            State.LOGIN: self._login,
            State.PROJECT: self._choose_project,
            State.SECOND_FACTOR: self._second_factor,
            State.ISSUE: self._issue,
        }

    async def authenticate(
        self, caller: ApiCaller, req: SignInRequest, *, ip: str, user_agent: str = ""
    ) -> SignInOutcome:
        allowed(Endpoint.AUTHENTICATE, caller.kind)
        validate(req)
        project = await self._projects.get(caller.project_id)
        prompts = Prompts()
        try:
            role = req.requested_role or (
                ROLE_ADMIN if caller.kind is CallerKind.ADMIN else ROLE_USER
            )
            attempt = _Attempt(
                project,
                req,
                prompts,
                ip=ip,
                user_agent=user_agent,
                role=role,
                email=normalize_email(req.email or "") or None,
                password_hash=req.password_hash or None,
                target=project,
            )
            return await self._run(attempt)
        except GatehouseError as exc:
            raise AuthenticationFailed(exc, prompts) from None

    async def _run(self, a: _Attempt) -> SignInOutcome:
        state = State.START
        while state not in FINAL:
            following = await self._steps[state](a)
            assert following in TRANSITIONS[state], f"no move {state} -> {following}"
            state = following
        return ANSWERS[state](a)

    # -- steps: each does its state's work and names the next state --------------------------

    async def _start(self, a: _Attempt) -> State:
        if a.req.steam_tickets:
            return State.STEAM
        return State.PASSWORD if a.has_password else State.IDENTIFY

    async def _verify_steam(self, a: _Attempt) -> State:
        """Before any account is read or written."""
        a.steam_id = await self._steam.verify(a.project, a.req.steam_tickets, caller=a.ip)
        a.steam_owner = await self._accounts.steam_owner(a.project.id, a.steam_id)
        return State.PASSWORD if a.has_password else State.IDENTIFY

    async def _check_password(self, a: _Attempt) -> State:
        assert a.email is not None and a.password_hash is not None
        a.prompts.email_address = a.prompts.password = True
        if a.project.password_registration and not await self._accounts.email_exists(
            a.project.id, a.email
        ):
            # "Unknown, register?" tells whether an email has an account: such
            # answers cost the caller's address like a failed password would.
            await self._password_throttle.spend(caller=a.ip)
            a.registering = True
        else:
            a.password_user = await self._credentials.check_password(
                a.project.id,
                login=a.email,
                password_hash=a.password_hash,
                by="email",
                caller=a.ip,
                origin="hivemp",
            )
        a.prompts.email_address = a.prompts.password = False
        return State.IDENTIFY

    async def _identify(self, a: _Attempt) -> State:
        if a.registering:
            if a.steam_owner is not None:
                raise IdentityAlreadyLinked(field=TICKETS_FIELD)
            return State.ASK_MARKETING if a.req.marketing_opt_in is None else State.REGISTER
        if a.password_user is not None:
            if a.steam_id is not None and a.steam_owner not in (None, a.password_user.id):
                raise IdentityAlreadyLinked(field=TICKETS_FIELD)
            if a.steam_id is not None and a.steam_owner is None and not a.req.confirm_link:
                return State.ASK_LINK_CONFIRMATION
            return State.LOGIN
        if a.steam_owner is not None:
            return State.LOGIN
        if a.steam_id is not None and a.project.steam_auto_create and not a.email:
            return State.REGISTER
        if a.email and not a.password_hash:
            return State.ASK_PASSWORD
        return State.ASK_CREDENTIALS

    async def _register(self, a: _Attempt) -> State:
        if a.registering:  # email + password (and the SteamID, if any)
            assert a.email is not None and a.password_hash is not None
            a.user = await self._accounts.create(
                a.project.id,
                username_hint=a.email[:255],
                email=a.email,
                password_hash=await self._passwords.hash(a.password_hash),
                marketing_opt_in=a.req.marketing_opt_in,
                steam_id=a.steam_id,
            )
            a.factors = ["password"] + (["steam"] if a.steam_id else [])
        else:  # Steam auto-create
            assert a.steam_id is not None
            a.user = await self._accounts.create(
                a.project.id, username_hint=f"steam-{a.steam_id}", steam_id=a.steam_id
            )
            a.factors = ["steam"]
        a.intent, a.new_user = "register", True
        return a.after_identified()

    async def _login(self, a: _Attempt) -> State:
        a.intent = "login"
        if a.password_user is not None:
            a.user, a.factors = a.password_user, ["password"]
            if a.steam_id is not None:  # this user's SteamID, or (confirmed) nobody's
                a.factors.append("steam")
                if a.steam_owner is None:
                    a.intent, a.link_steam = "link", True
        else:
            assert a.steam_owner is not None
            a.user, a.factors = await self._accounts.get(a.steam_owner), ["steam"]
        return a.after_identified()

    async def _choose_project(self, a: _Attempt) -> State:
        req, user = a.req, a.who
        a.administered = await self._projects.administered_by(user.id)
        if req.project_id is not None:
            match = [p for p in a.administered if p.id == int(req.project_id)]
            if not match:
                raise Forbidden("You do not administer that project", field="projectId")
            a.target = match[0]
        elif req.prompt_for_project:
            if a.administered:
                # A trusted device skips the prompt (a failed probe counts).
                a.needs_second_factor = (
                    not a.new_user
                    and user.totp_enabled
                    and await self._credentials.second_factor(
                        user, None, device_identifier=req.device_identifier, caller=a.ip
                    )
                    is None
                )
                return State.ASK_PROJECT
            a.create_default = True
        elif not any(p.id == a.project.id for p in a.administered):
            raise Forbidden("You do not administer this project", field="requestedRole")
        return a.second_factor_or_issue()

    async def _second_factor(self, a: _Attempt) -> State:
        req, user = a.req, a.who
        a.prompts.two_factor = True
        factor = await self._credentials.second_factor(
            user,
            req.two_factor_code,
            device_identifier=req.device_identifier,
            caller=a.ip,
            origin="hivemp",
        )
        a.prompts.two_factor = False
        if factor is None:
            return State.ASK_SECOND_FACTOR
        if factor != TRUSTED_DEVICE:
            a.factors.append(factor)
            if req.trust_device and req.device_identifier:
                await self._credentials.trust_device(
                    user, req.device_identifier, req.device_name or ""
                )
        return State.ISSUE

    async def _issue(self, a: _Attempt) -> State:
        user = a.who
        if a.link_steam:
            assert a.steam_id is not None
            await self._accounts.link(a.project.id, user.id, a.steam_id)
        target = a.target
        if a.create_default:
            target = await self._projects.create_default(
                user.id, f"{user.username}'s project"[:200]
            )
        a.issued = await self._sessions.start(
            project=target,
            user_id=user.id,
            origin=SessionOrigin.HIVEMP,
            ttl_seconds=min(HIVEMP_SESSION_SECONDS, target.max_ttl_seconds),
            factors=tuple(a.factors),
            scope="admin" if a.role == ROLE_ADMIN else "user",
            ip=a.ip,
            user_agent=a.user_agent[:512],
            credential_stamp=user.credential_stamp,
            renewable=True,  # its apiKey renews it (POST /v1/session)
        )
        return State.ISSUED


#: What the call answers in each final state.
ANSWERS: Final[Mapping[State, Callable[[_Attempt], SignInOutcome]]] = {
    State.ISSUED: lambda a: SignInOutcome(a.intent, issued=a.issued),
    State.ASK_SECOND_FACTOR: lambda a: SignInOutcome(a.intent, Prompts(two_factor=True)),
    State.ASK_PROJECT: lambda a: SignInOutcome(
        a.intent, Prompts(two_factor=a.needs_second_factor), available_projects=a.administered
    ),
    State.ASK_MARKETING: lambda _: SignInOutcome("register", Prompts(marketing_opt_in=True)),
    State.ASK_LINK_CONFIRMATION: lambda _: SignInOutcome("link-confirm"),
    State.ASK_PASSWORD: lambda _: SignInOutcome(None, Prompts(password=True)),
    State.ASK_CREDENTIALS: lambda _: SignInOutcome(
        None, Prompts(email_address=True, password=True)
    ),
}
