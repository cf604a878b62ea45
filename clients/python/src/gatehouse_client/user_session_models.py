"""User Session API v1 (HiveMP) values, in Python names, and their wire mapping."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from gatehouse_client import _json as j

__all__ = [
    "AuthenticatedSession",
    "AuthenticationRequest",
    "AuthenticationResponse",
    "ProjectChoice",
    "UserSession",
    "hivemp_password_hash",
]

ROLE_USER = "builtin:user"
ROLE_ADMIN = "builtin:admin"


def hivemp_password_hash(password: str) -> str:
    """What a HiveMP game sends instead of the password: lowercase hex SHA-256 of
    ``"HiveMPv1" + password`` (UTF-8)."""
    return hashlib.sha256(("HiveMPv1" + password).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class UserSession:
    id: str
    #: The user's id.
    account_id: str
    project_id: str
    start: datetime
    expiry: datetime
    metered: bool
    billed_minutes: int
    profile: Mapping[str, Any] | None
    #: The factors the sign-in satisfied: "password", "steam", "totp", "recovery-code".
    authenticated_with: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AuthenticatedSession(UserSession):
    """A session as issued by sign-in: ``api_key`` is its secret (its ``X-API-Key``)."""

    api_key: str


@dataclass(frozen=True, slots=True)
class ProjectChoice:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class AuthenticationRequest:
    """Everything the game has so far (``PUT /v1/authenticate``); ``None`` = not sent."""

    email_address: str | None = None
    password_hash: str | None = None
    marketing_preference_opt_in: bool | None = None
    prompt_for_project: bool | None = None
    project_id: str | None = None
    requested_role: str | None = None
    #: Steam session tickets, hex.
    steam_tickets: tuple[str, ...] = ()
    two_factor_code: str | None = None
    device_identifier: str | None = None
    device_identifier_friendly_name: str | None = None
    trust_this_device: bool | None = None
    confirm_link: bool | None = None

    def to_wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            key: value
            for key, value in (
                ("emailAddress", self.email_address),
                ("passwordHash", self.password_hash),
                ("marketingPreferenceOptIn", self.marketing_preference_opt_in),
                ("promptForProject", self.prompt_for_project),
                ("projectId", self.project_id),
                ("requestedRole", self.requested_role),
                ("confirmLink", self.confirm_link),
            )
            if value is not None
        }
        if self.steam_tickets:
            body["tokens"] = {"steamTokens": [{"userTicket": t} for t in self.steam_tickets]}
        two_factor = {
            key: value
            for key, value in (
                ("twoFactorCode", self.two_factor_code),
                ("deviceIdentifier", self.device_identifier),
                ("deviceIdentifierFriendlyName", self.device_identifier_friendly_name),
                ("trustThisDevice", self.trust_this_device),
            )
            if value is not None
        }
        if two_factor:
            body["twoFactor"] = two_factor
        return body


@dataclass(frozen=True, slots=True)
class AuthenticationResponse:
    authenticated_session: AuthenticatedSession | None
    #: ``"login"``, ``"register"``, ``"link"``, ``"link-confirm"`` or ``None``.
    intent: str | None
    prompt_for_email_address: bool
    prompt_for_password: bool
    prompt_for_marketing_preference_opt_in: bool
    prompt_for_two_factor: bool
    available_projects: tuple[ProjectChoice, ...] | None
    password_reset_email_sent: bool


def _session_fields(m: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": j.string(m, "id"),
        "account_id": j.string(m, "accountId"),
        "project_id": j.string(m, "projectId"),
        "start": j.unix_time(m, "start"),
        "expiry": j.unix_time(m, "expiry"),
        "metered": bool(m.get("metered", False)),
        "billed_minutes": j.integer(m, "billedMinutes") if "billedMinutes" in m else 0,
        "profile": j.optional_obj(m, "profile"),
        # A Gatehouse extension: absent from other HiveMP-compatible servers.
        "authenticated_with": j.strings(m, "authenticatedWith") if "authenticatedWith" in m else (),
    }


def read_user_session(response: httpx.Response) -> UserSession:
    return UserSession(**_session_fields(j.obj(j.body_of(response))))


def _project(m: Mapping[str, Any]) -> ProjectChoice:
    return ProjectChoice(id=str(m.get("id")), name=j.string(m, "name"))


def read_authentication_response(response: httpx.Response) -> AuthenticationResponse:
    m = j.obj(j.body_of(response))
    raw_session = j.optional_obj(m, "authenticatedSession")
    session = None
    if raw_session is not None:
        session = AuthenticatedSession(
            **_session_fields(raw_session), api_key=j.string(raw_session, "apiKey")
        )
    raw_projects = m.get("availableProjects")
    projects = None
    if raw_projects is not None:
        if not isinstance(raw_projects, list):
            raise j.unexpected("availableProjects", "a list or null", raw_projects)
        projects = tuple(_project(j.obj(p, "availableProjects[]")) for p in raw_projects)
    return AuthenticationResponse(
        authenticated_session=session,
        intent=j.optional_str(m, "intent"),
        prompt_for_email_address=bool(m.get("promptForEmailAddress")),
        prompt_for_password=bool(m.get("promptForPassword")),
        prompt_for_marketing_preference_opt_in=bool(m.get("promptForMarketingPreferenceOptIn")),
        prompt_for_two_factor=bool(m.get("promptForTwoFactor")),
        available_projects=projects,
        password_reset_email_sent=bool(m.get("passwordResetEmailSent")),
    )
