"""Wire types of the User Session API v1 (HiveMP): camelCase, ``null`` for absent."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from gatehouse.adapters.providers.steam import MAX_TICKET_HEX_LENGTH
from gatehouse.core.clock import to_unix_seconds
from gatehouse.core.models import Project, Session
from gatehouse.services.sign_in_messages import (
    MAX_CODE_LENGTH,
    MAX_DEVICE_ID_LENGTH,
    MAX_DEVICE_NAME_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_STEAM_TICKETS,
    ROLE_ADMIN,
    ROLE_USER,
)

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


def _doc(**schema: Any) -> msgspec.Meta:
    """Limits the sign-in service checks itself (400 naming the field): documented here
    only, so that a request valid per the document is one the service accepts."""
    return msgspec.Meta(extra_json_schema=schema)


class SteamToken(msgspec.Struct, rename="camel", forbid_unknown_fields=False):
    """A Steam session ticket (hex), as the game got it from Steam."""

    # Required: a Steam token without its ticket is no credential (400 naming the list).
    user_ticket: Annotated[
        str, _doc(pattern="^([0-9a-fA-F]{2})+$", maxLength=MAX_TICKET_HEX_LENGTH)
    ]


class Tokens(msgspec.Struct, rename="camel", forbid_unknown_fields=False):
    steam_tokens: Annotated[list[SteamToken], _doc(maxItems=MAX_STEAM_TICKETS)] | None = None
    # Accepted and ignored: only Steam tickets are credentials in Gatehouse. Each is a
    # token object of its provider ({"apiKey": …} for itch.io).
    itch_io_tokens: list[dict[str, Any]] | None = None
    discord_tokens: list[dict[str, Any]] | None = None
    device_test_tokens: list[dict[str, Any]] | None = None
    o_auth_tokens: list[dict[str, Any]] | None = msgspec.field(default=None, name="oAuthTokens")


class TwoFactor(msgspec.Struct, rename="camel", forbid_unknown_fields=False):
    device_identifier: Annotated[str, _doc(maxLength=MAX_DEVICE_ID_LENGTH)] | None = None
    device_identifier_friendly_name: (
        Annotated[str, _doc(maxLength=MAX_DEVICE_NAME_LENGTH)] | None
    ) = None
    #: A 6-digit TOTP code or a one-use recovery code.
    two_factor_code: Annotated[str, _doc(maxLength=MAX_CODE_LENGTH)] | None = None
    trust_this_device: bool | None = None


class AuthenticationRequest(msgspec.Struct, rename="camel", forbid_unknown_fields=False):
    """Everything the game has so far; send it all again with each new answer."""

    # "" means not given; anything else must look like an address.
    email_address: Annotated[str, _doc(pattern="^$|@", maxLength=MAX_EMAIL_LENGTH)] | None = None
    #: Lowercase hex SHA-256 of "HiveMPv1" + password ("" means not given).
    password_hash: Annotated[str, _doc(pattern="^([0-9a-f]{64})?$")] | None = None
    marketing_preference_opt_in: bool | None = None
    metered: bool | None = None
    prompt_for_project: bool | None = None
    project_id: Annotated[str, _doc(pattern="^[0-9]{1,18}$")] | None = None
    requested_role: Annotated[str, _doc(enum=[ROLE_USER, ROLE_ADMIN])] | None = None
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
