"""What the admin API (``/admin/v1``) answers, as typed values, and their readers.

Times are aware UTC datetimes; ids are ``int`` (projects, users, API keys) or
``str`` (sessions ``<user id>.<8 hex>.<8 hex>``, 32-hex ClientIDs). Lists come as
``Page`` (``gatehouse_client.Page``: ``items`` and ``next_page_token``, the API's
``next`` cursor).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar

import httpx

from gatehouse_client import _json as j
from gatehouse_client._pages import Page

__all__ = [
    "AccessLevel",
    "AdminSession",
    "ApiKey",
    "ApiKeyType",
    "AuditEvent",
    "Client",
    "LimitPolicy",
    "LinkedIdentity",
    "NewApiKey",
    "NewClient",
    "PasswordSet",
    "Project",
    "SteamLink",
    "TrustedDevice",
    "User",
    "UserExport",
]

T = TypeVar("T")

#: What an API key may do: ``public`` (game clients), ``server`` (back-ends),
#: ``admin`` (this API, its own project).
ApiKeyType = Literal["public", "server", "admin"]
#: What starting a session over the project's limit does.
LimitPolicy = Literal["reject", "evict_oldest"]


class AccessLevel(enum.IntEnum):
    """A user's ``access_level`` (plain ints are accepted and answered too)."""

    GUEST = 0
    REGULAR = 10
    MANAGEMENT = 20


@dataclass(frozen=True, slots=True)
class Project:
    id: int
    name: str
    created_at: datetime
    session_ttl_seconds: int
    max_ttl_seconds: int
    #: 0: no limit.
    session_limit: int
    session_limit_policy: str
    ws_url: str
    webrtc_url: str
    steam_app_id: int | None
    #: The Steam Web API key itself is write-only.
    steam_web_api_key_set: bool
    steam_auto_create: bool
    password_registration: bool


@dataclass(frozen=True, slots=True)
class User:
    id: int
    project_id: int
    username: str
    email: str
    first_name: str
    last_name: str
    #: 0, 10 or 20 (``AccessLevel``).
    access_level: int
    email_validated: bool
    has_password: bool
    two_factor_enabled: bool
    disabled: bool
    disabled_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AdminSession:
    """A session as the admin API shows it (with its address and user agent)."""

    id: str
    user_id: int
    project_id: int
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    last_used_at: datetime
    #: The surface that started it (``session-storage``, ``v1``, ``v3``, ``cli``...).
    origin: str
    intent: str | None
    #: The sign-in factors it was started with (``password``, ``steam``, ``totp``...).
    factors: tuple[str, ...]
    renewable: bool
    ip: str
    user_agent: str


@dataclass(frozen=True, slots=True)
class Client:
    """A client application (``ClientID`` / ``ClientSecret`` of Session Storage)."""

    client_id: str
    project_id: int
    user_id: int
    name: str
    disabled: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewClient(Client):
    """A client application as created: its secret is shown only here (and to a
    retry of the same creation with the same ``Idempotency-Key``)."""

    client_secret: str


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: int
    project_id: int
    #: ``public``, ``server`` or ``admin``.
    type: str
    name: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewApiKey(ApiKey):
    """An API key as created: the key (``gk_...``) is shown only here (and to a
    retry of the same creation with the same ``Idempotency-Key``)."""

    key: str


@dataclass(frozen=True, slots=True)
class AuditEvent:
    id: int
    at: datetime
    project_id: int | None
    user_id: int | None
    session_id: str | None
    #: ``user-created``, ``user-disabled``, ``revoked``, ``api-key-created``...
    action: str
    #: ``admin`` for this API, ``cli``, or the surface that did it.
    origin: str
    #: ``operator-key:<id>`` / ``api-key:<id>`` for this API, ``cli``...
    actor: str
    detail: str
    ip: str


@dataclass(frozen=True, slots=True)
class PasswordSet:
    user_id: int
    #: Every session of the user ends when the password is set.
    sessions_ended: int


@dataclass(frozen=True, slots=True)
class SteamLink:
    user_id: int
    #: SteamID64, decimal.
    steam_id: str


@dataclass(frozen=True, slots=True)
class LinkedIdentity:
    #: ``steam``...
    provider: str
    subject: str
    linked_at: datetime


@dataclass(frozen=True, slots=True)
class TrustedDevice:
    name: str
    trusted_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class UserExport:
    """Everything Gatehouse holds about one user (never a secret or a hash)."""

    exported_at: datetime
    user: User
    linked_identities: tuple[LinkedIdentity, ...]
    sessions: tuple[AdminSession, ...]
    trusted_devices: tuple[TrustedDevice, ...]
    clients: tuple[Client, ...]
    #: Oldest first.
    audit_events: tuple[AuditEvent, ...]


# -- readers ------------------------------------------------------------------------------

Reader = Callable[[Mapping[str, Any]], T]


def project(m: Mapping[str, Any]) -> Project:
    return Project(
        id=j.integer(m, "id"),
        name=j.string(m, "name"),
        created_at=j.rfc3339(m, "created_at"),
        session_ttl_seconds=j.integer(m, "session_ttl_seconds"),
        max_ttl_seconds=j.integer(m, "max_ttl_seconds"),
        session_limit=j.integer(m, "session_limit"),
        session_limit_policy=j.string(m, "session_limit_policy"),
        ws_url=j.string(m, "ws_url"),
        webrtc_url=j.string(m, "webrtc_url"),
        steam_app_id=j.optional_int(m, "steam_app_id"),
        steam_web_api_key_set=j.boolean(m, "steam_web_api_key_set"),
        steam_auto_create=j.boolean(m, "steam_auto_create"),
        password_registration=j.boolean(m, "password_registration"),
    )


def user(m: Mapping[str, Any]) -> User:
    return User(
        id=j.integer(m, "id"),
        project_id=j.integer(m, "project_id"),
        username=j.string(m, "username"),
        email=j.string(m, "email"),
        first_name=j.string(m, "first_name"),
        last_name=j.string(m, "last_name"),
        access_level=j.integer(m, "access_level"),
        email_validated=j.boolean(m, "email_validated"),
        has_password=j.boolean(m, "has_password"),
        two_factor_enabled=j.boolean(m, "two_factor_enabled"),
        disabled=j.boolean(m, "disabled"),
        disabled_at=j.optional_rfc3339(m, "disabled_at"),
        created_at=j.rfc3339(m, "created_at"),
    )


def session(m: Mapping[str, Any]) -> AdminSession:
    return AdminSession(
        id=j.string(m, "id"),
        user_id=j.integer(m, "user_id"),
        project_id=j.integer(m, "project_id"),
        created_at=j.rfc3339(m, "created_at"),
        updated_at=j.rfc3339(m, "updated_at"),
        expires_at=j.rfc3339(m, "expires_at"),
        last_used_at=j.rfc3339(m, "last_used_at"),
        origin=j.string(m, "origin"),
        intent=j.optional_str(m, "intent"),
        factors=j.strings(m, "factors"),
        renewable=j.boolean(m, "renewable"),
        ip=j.string(m, "ip"),
        user_agent=j.string(m, "user_agent"),
    )


def _client_fields(m: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "client_id": j.string(m, "client_id"),
        "project_id": j.integer(m, "project_id"),
        "user_id": j.integer(m, "user_id"),
        "name": j.string(m, "name"),
        "disabled": j.boolean(m, "disabled"),
        "created_at": j.rfc3339(m, "created_at"),
    }


def client(m: Mapping[str, Any]) -> Client:
    return Client(**_client_fields(m))


def new_client(m: Mapping[str, Any]) -> NewClient:
    return NewClient(**_client_fields(m), client_secret=j.string(m, "client_secret"))


def _api_key_fields(m: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": j.integer(m, "id"),
        "project_id": j.integer(m, "project_id"),
        "type": j.string(m, "type"),
        "name": j.string(m, "name"),
        "created_at": j.rfc3339(m, "created_at"),
        "revoked_at": j.optional_rfc3339(m, "revoked_at"),
    }


def api_key(m: Mapping[str, Any]) -> ApiKey:
    return ApiKey(**_api_key_fields(m))


def new_api_key(m: Mapping[str, Any]) -> NewApiKey:
    return NewApiKey(**_api_key_fields(m), key=j.string(m, "key"))


def audit_event(m: Mapping[str, Any]) -> AuditEvent:
    return AuditEvent(
        id=j.integer(m, "id"),
        at=j.rfc3339(m, "at"),
        project_id=j.optional_int(m, "project_id"),
        user_id=j.optional_int(m, "user_id"),
        session_id=j.optional_str(m, "session_id"),
        action=j.string(m, "action"),
        origin=j.string(m, "origin"),
        actor=j.string(m, "actor"),
        detail=j.string(m, "detail"),
        ip=j.string(m, "ip"),
    )


def password_set(m: Mapping[str, Any]) -> PasswordSet:
    return PasswordSet(
        user_id=j.integer(m, "user_id"), sessions_ended=j.integer(m, "sessions_ended")
    )


def steam_link(m: Mapping[str, Any]) -> SteamLink:
    return SteamLink(user_id=j.integer(m, "user_id"), steam_id=j.string(m, "steam_id"))


def _list(m: Mapping[str, Any], key: str, read: Reader[T]) -> tuple[T, ...]:
    items = m.get(key)
    if not isinstance(items, list):
        raise j.unexpected(key, "a list", items)
    return tuple(read(j.obj(item, f"{key}[]")) for item in items)


def user_export(m: Mapping[str, Any]) -> UserExport:
    return UserExport(
        exported_at=j.rfc3339(m, "exported_at"),
        user=user(j.obj(m.get("user"), "user")),
        linked_identities=_list(
            m,
            "linked_identities",
            lambda i: LinkedIdentity(
                provider=j.string(i, "provider"),
                subject=j.string(i, "subject"),
                linked_at=j.rfc3339(i, "linked_at"),
            ),
        ),
        sessions=_list(m, "sessions", session),
        trusted_devices=_list(
            m,
            "trusted_devices",
            lambda d: TrustedDevice(
                name=j.string(d, "name"),
                trusted_at=j.rfc3339(d, "trusted_at"),
                expires_at=j.rfc3339(d, "expires_at"),
            ),
        ),
        clients=_list(m, "clients", client),
        audit_events=_list(m, "audit_events", audit_event),
    )


def one(read: Reader[T]) -> Callable[[httpx.Response], T]:
    """An answer that is one object."""
    return lambda response: read(j.obj(j.body_of(response)))


def page(read: Reader[T]) -> Callable[[httpx.Response], Page[T]]:
    """A listing's answer, ``{"items": [...], "next": cursor | null}``."""

    def read_page(response: httpx.Response) -> Page[T]:
        body = j.obj(j.body_of(response))
        return Page(items=_list(body, "items", read), next_page_token=j.optional_str(body, "next"))

    return read_page
