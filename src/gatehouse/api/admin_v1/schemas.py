"""Wire types of the admin API (snake_case; times ISO 8601 UTC, ``...Z``)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from gatehouse.adapters.store.admin import ApiKeyInfo
from gatehouse.core.clock import rfc3339
from gatehouse.core.models import (
    AccessLevel,
    ApiKeyType,
    AuditEvent,
    Client,
    LimitPolicy,
    Project,
    SessionDetail,
    User,
)
from gatehouse.core.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from gatehouse.core.project_rules import MAX_SESSION_LIMIT, MAX_TTL_SECONDS

__all__ = [
    "AdminProjectOut",
    "AdminSessionOut",
    "ApiKeyOut",
    "AuditEventOut",
    "ClientOut",
    "FieldError",
    "NewApiKeyIn",
    "NewClientIn",
    "NewProjectIn",
    "NewUserIn",
    "PasswordIn",
    "ProblemBody",
    "ProjectPatchIn",
    "RevokedOut",
    "SteamIn",
    "UserOut",
    "UserPatchIn",
    "api_key_out",
    "audit_out",
    "client_out",
    "project_out",
    "session_out",
    "time_or_none",
    "user_out",
]

Name = Annotated[str, msgspec.Meta(max_length=200)]
Text255 = Annotated[str, msgspec.Meta(max_length=255)]
#: The documented (ASCII) forms; the services accept more (Unicode names and
#: addresses, any URL with a host) and judge every value again.
ProjectName = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
Ttl = Annotated[int, msgspec.Meta(ge=1, le=MAX_TTL_SECONDS)]
SessionLimit = Annotated[int, msgspec.Meta(ge=0, le=MAX_SESSION_LIMIT)]
SteamAppId = Annotated[int, msgspec.Meta(ge=1, le=2**32 - 1)]
Url = Annotated[
    str,
    msgspec.Meta(
        max_length=2000,
        pattern=r"^$|^(https?|wss?)://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#][!-~]*)?$",
    ),
]
Username = Annotated[
    str, msgspec.Meta(min_length=1, max_length=255, pattern=r"^[!-~]([ -~]*[!-~])?$")
]
Email = Annotated[str, msgspec.Meta(max_length=320, pattern=r"^$|^[ -~]*@[ -~]*$")]
Password = Annotated[
    str, msgspec.Meta(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)
]


class FieldError(msgspec.Struct):
    field: str
    message: str


class ProblemBody(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | msgspec.UnsetType = msgspec.UNSET


def time_or_none(us: int | None) -> str | None:
    return rfc3339(us) if us is not None else None


# -- projects ---------------------------------------------------------------------------


class AdminProjectOut(msgspec.Struct):
    id: int
    name: str
    created_at: str
    session_ttl_seconds: int
    max_ttl_seconds: int
    session_limit: int
    session_limit_policy: str
    ws_url: str
    webrtc_url: str
    steam_app_id: int | None
    steam_web_api_key_set: bool
    steam_auto_create: bool
    password_registration: bool


def project_out(p: Project) -> AdminProjectOut:
    return AdminProjectOut(
        id=p.id,
        name=p.name,
        created_at=rfc3339(p.created_at),
        session_ttl_seconds=p.session_ttl_seconds,
        max_ttl_seconds=p.max_ttl_seconds,
        session_limit=p.session_limit,
        session_limit_policy=str(p.session_limit_policy),
        ws_url=p.ws_url,
        webrtc_url=p.webrtc_url,
        steam_app_id=p.steam_app_id,
        steam_web_api_key_set=p.has_steam_web_api_key,
        steam_auto_create=p.steam_auto_create,
        password_registration=p.password_registration,
    )


class ProjectPatchIn(msgspec.Struct, forbid_unknown_fields=True):
    """Every field optional; the resulting project must be valid as a whole
    (``session_ttl_seconds`` at most ``max_ttl_seconds``)."""

    name: ProjectName | None = None
    session_ttl_seconds: Ttl | None = None
    max_ttl_seconds: Ttl | None = None
    session_limit: SessionLimit | None = None
    session_limit_policy: LimitPolicy | None = None
    ws_url: Url | None = None
    webrtc_url: Url | None = None
    steam_app_id: SteamAppId | None = None
    #: Write-only: stored encrypted, never shown.
    steam_web_api_key: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    steam_auto_create: bool | None = None
    password_registration: bool | None = None


class NewProjectIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A name and any settings of ``ProjectPatchIn``."""

    name: ProjectName
    session_ttl_seconds: Ttl | None = None
    max_ttl_seconds: Ttl | None = None
    session_limit: SessionLimit | None = None
    session_limit_policy: LimitPolicy | None = None
    ws_url: Url | None = None
    webrtc_url: Url | None = None
    steam_app_id: SteamAppId | None = None
    steam_web_api_key: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    steam_auto_create: bool | None = None
    password_registration: bool | None = None


# -- users ------------------------------------------------------------------------------


class UserOut(msgspec.Struct):
    id: int
    project_id: int
    username: str
    email: str
    first_name: str
    last_name: str
    access_level: int
    email_validated: bool
    has_password: bool
    two_factor_enabled: bool
    disabled: bool
    disabled_at: str | None
    created_at: str


def user_out(u: User) -> UserOut:
    return UserOut(
        id=u.id,
        project_id=u.project_id,
        username=u.username,
        email=u.email,
        first_name=u.first_name,
        last_name=u.last_name,
        access_level=int(u.access_level),
        email_validated=u.email_validated,
        has_password=u.has_password,
        two_factor_enabled=u.totp_enabled,
        disabled=u.disabled,
        disabled_at=time_or_none(u.disabled_at),
        created_at=rfc3339(u.created_at),
    )


class NewUserIn(msgspec.Struct, forbid_unknown_fields=True):
    username: Username
    email: Email = ""
    first_name: Text255 = ""
    last_name: Text255 = ""
    access_level: AccessLevel = AccessLevel.REGULAR
    password: Password | None = None


class UserPatchIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email | None = None
    first_name: Text255 | None = None
    last_name: Text255 | None = None
    access_level: AccessLevel | None = None
    email_validated: bool | None = None


class PasswordIn(msgspec.Struct, forbid_unknown_fields=True):
    password: Password


class SteamIn(msgspec.Struct, forbid_unknown_fields=True):
    #: SteamID64, decimal (1 to 2**64 - 1).
    steam_id: Annotated[str, msgspec.Meta(pattern="^[1-9][0-9]{0,18}$")]


# -- sessions, clients, API keys, audit ----------------------------------------------------


class AdminSessionOut(msgspec.Struct):
    id: str
    user_id: int
    project_id: int
    created_at: str
    updated_at: str
    expires_at: str
    last_used_at: str
    origin: str
    intent: str | None
    factors: list[str]
    renewable: bool
    ip: str
    user_agent: str


def session_out(d: SessionDetail) -> AdminSessionOut:
    s = d.session
    return AdminSessionOut(
        id=s.id,
        user_id=s.user_id,
        project_id=s.project_id,
        created_at=rfc3339(s.created_at),
        updated_at=rfc3339(s.updated_at),
        expires_at=rfc3339(s.expires_at),
        last_used_at=rfc3339(d.last_used_at),
        origin=str(s.origin),
        intent=s.intent,
        factors=list(s.factors),
        renewable=s.renewable,
        ip=d.ip,
        user_agent=d.user_agent,
    )


class RevokedOut(msgspec.Struct):
    revoked: int


class ClientOut(msgspec.Struct):
    client_id: str
    project_id: int
    user_id: int
    name: str
    disabled: bool
    created_at: str
    #: Only in the answer that created it (and its idempotent replays).
    client_secret: str | msgspec.UnsetType = msgspec.UNSET


def client_out(c: Client, secret: str | None = None) -> ClientOut:
    return ClientOut(
        client_id=c.id,
        project_id=c.project_id,
        user_id=c.user_id,
        name=c.name,
        disabled=c.disabled,
        created_at=rfc3339(c.created_at),
        client_secret=secret if secret is not None else msgspec.UNSET,
    )


class NewClientIn(msgspec.Struct, forbid_unknown_fields=True):
    user_id: int
    name: Name = ""


class ApiKeyOut(msgspec.Struct):
    id: int
    project_id: int
    type: str
    name: str
    created_at: str
    revoked_at: str | None
    #: Only in the answer that created it (and its idempotent replays).
    key: str | msgspec.UnsetType = msgspec.UNSET


def api_key_out(k: ApiKeyInfo, key: str | None = None) -> ApiKeyOut:
    return ApiKeyOut(
        id=k.id,
        project_id=k.project_id,
        type=str(k.key_type),
        name=k.name,
        created_at=rfc3339(k.created_at),
        revoked_at=time_or_none(k.revoked_at),
        key=key if key is not None else msgspec.UNSET,
    )


class NewApiKeyIn(msgspec.Struct, forbid_unknown_fields=True):
    type: ApiKeyType
    name: Name = ""


class AuditEventOut(msgspec.Struct):
    id: int
    at: str
    project_id: int | None
    user_id: int | None
    session_id: str | None
    action: str
    origin: str
    actor: str
    detail: str
    ip: str


def audit_out(e: AuditEvent) -> AuditEventOut:
    return AuditEventOut(
        id=e.id,
        at=rfc3339(e.at),
        project_id=e.project_id,
        user_id=e.user_id,
        session_id=e.session_id,
        action=e.action,
        origin=e.origin,
        actor=e.actor,
        detail=e.detail,
        ip=e.ip,
    )


def page(items: list[Any], next_cursor: str | None) -> dict[str, Any]:
    """A listing's answer: ``{"items": [...], "next": cursor | null}``."""
    return {"items": items, "next": next_cursor}


# -- pages and other answers (named, for the OpenAPI document) ---------------------------


class ProjectPage(msgspec.Struct):
    items: list[AdminProjectOut]
    next: str | None


class UserPage(msgspec.Struct):
    items: list[UserOut]
    next: str | None


class SessionPage(msgspec.Struct):
    items: list[AdminSessionOut]
    next: str | None


class ClientPage(msgspec.Struct):
    items: list[ClientOut]
    next: str | None


class ApiKeyPage(msgspec.Struct):
    items: list[ApiKeyOut]
    next: str | None


class AuditEventPage(msgspec.Struct):
    items: list[AuditEventOut]
    next: str | None


class PasswordSetOut(msgspec.Struct):
    user_id: int
    sessions_ended: int


class SteamLinkOut(msgspec.Struct):
    user_id: int
    steam_id: str


class IdentityOut(msgspec.Struct):
    provider: str
    subject: str
    linked_at: str


class TrustedDeviceOut(msgspec.Struct):
    name: str
    trusted_at: str
    expires_at: str


class UserExportOut(msgspec.Struct):
    exported_at: str
    user: UserOut
    linked_identities: list[IdentityOut]
    sessions: list[AdminSessionOut]
    trusted_devices: list[TrustedDeviceOut]
    clients: list[ClientOut]
    audit_events: list[AuditEventOut]
