"""Wire types of the User Session API v1 (HiveMP): camelCase, ``null`` for absent."""

from __future__ import annotations

from typing import Any

import msgspec

from gatehouse.core.clock import to_unix_seconds
from gatehouse.core.models import Project, Session

__all__ = [
    "AuthenticationRequest",
    "AuthenticationResponse",
    "HiveMPSystemError",
    "ProjectOut",
    "SteamToken",
    "Tokens",
    "TwoFactor",
    "UserSession",
    "UserSessionWithSecrets",
    "project_out",
    "user_session",
]


class SteamToken(msgspec.Struct, rename="camel", forbid_unknown_fields=False):
    user_ticket: str | None = None


class Tokens(msgspec.Struct, rename="camel", forbid_unknown_fields=False):
    steam_tokens: list[SteamToken] | None = None
    # Accepted and ignored: only Steam tickets are credentials in Gatehouse.
    itch_io_tokens: list[Any] | None = None
    discord_tokens: list[Any] | None = None
    device_test_tokens: list[Any] | None = None
    o_auth_tokens: list[Any] | None = msgspec.field(default=None, name="oAuthTokens")


class TwoFactor(msgspec.Struct, rename="camel", forbid_unknown_fields=False):
    device_identifier: str | None = None
    device_identifier_friendly_name: str | None = None
    two_factor_code: str | None = None
    trust_this_device: bool | None = None


class AuthenticationRequest(msgspec.Struct, rename="camel", forbid_unknown_fields=False):
    email_address: str | None = None
    password_hash: str | None = None
    marketing_preference_opt_in: bool | None = None
    metered: bool | None = None
    prompt_for_project: bool | None = None
    project_id: str | None = None
    requested_role: str | None = None
    tokens: Tokens | None = None
    two_factor: TwoFactor | None = None
    confirm_link: bool | None = None


class UserSession(msgspec.Struct, rename="camel"):
    id: str
    account_id: str
    project_id: str
    start: int
    expiry: int
    metered: bool
    billed_minutes: int
    profile: dict[str, Any] | None
    authenticated_with: list[str]


class UserSessionWithSecrets(msgspec.Struct, rename="camel"):
    id: str
    account_id: str
    project_id: str
    start: int
    expiry: int
    metered: bool
    billed_minutes: int
    profile: dict[str, Any] | None
    authenticated_with: list[str]
    api_key: str


class ProjectOut(msgspec.Struct, rename="camel"):
    id: str
    name: str


class AuthenticationResponse(msgspec.Struct, rename="camel"):
    authenticated_session: UserSessionWithSecrets | None
    intent: str | None
    prompt_for_email_address: bool
    prompt_for_password: bool
    prompt_for_marketing_preference_opt_in: bool
    prompt_for_two_factor: bool
    available_projects: list[ProjectOut] | None
    password_reset_email_sent: bool = False


class HiveMPSystemError(msgspec.Struct):
    code: int
    message: str
    fields: str | None
    data: dict[str, Any] | None


def user_session(session: Session) -> UserSession:
    return UserSession(
        id=session.id,
        account_id=str(session.user_id),
        project_id=str(session.project_id),
        start=to_unix_seconds(session.created_at),
        expiry=to_unix_seconds(session.expires_at),
        metered=False,
        billed_minutes=0,
        profile=None,
        authenticated_with=list(session.factors),
    )


def project_out(project: Project) -> ProjectOut:
    return ProjectOut(id=str(project.id), name=project.name)
