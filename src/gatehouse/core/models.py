"""Small frozen value types shared by services and surfaces (one model for all)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = [
    "AccessLevel",
    "ApiKeyType",
    "AuditEvent",
    "Client",
    "LimitPolicy",
    "Project",
    "Session",
    "SessionDetail",
    "SessionOrigin",
    "TokenRole",
    "User",
]

DAY = 86_400


class AccessLevel(enum.IntEnum):
    GUEST = 0
    REGULAR = 10
    MANAGEMENT = 20


class LimitPolicy(enum.StrEnum):
    REJECT = "reject"
    EVICT_OLDEST = "evict_oldest"


class TokenRole(enum.StrEnum):
    PUBLISHER = "publisher"
    SUBSCRIBER = "subscriber"


class SessionOrigin(enum.StrEnum):
    """Which surface created the session (all sessions are alike otherwise)."""

    STORAGE = "storage"
    HIVEMP = "hivemp"
    ACCOUNT = "account"
    CLI = "cli"
    #: The players' own account pages (/account/).
    PAGES = "pages"


class ApiKeyType(enum.StrEnum):
    PUBLIC = "public"
    SERVER = "server"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """What an ``X-API-Key`` resolves to (the key itself is stored only hashed)."""

    id: int
    project_id: int
    key_type: ApiKeyType
    revoked: bool


@dataclass(frozen=True, slots=True)
class Project:
    id: int
    name: str
    created_at: int
    session_ttl_seconds: int = 30 * DAY
    max_ttl_seconds: int = 365 * DAY
    session_limit: int = 10
    session_limit_policy: LimitPolicy = LimitPolicy.REJECT
    ws_url: str = ""
    webrtc_url: str = ""
    steam_app_id: int | None = None
    has_steam_web_api_key: bool = False
    steam_auto_create: bool = True
    password_registration: bool = False


@dataclass(frozen=True, slots=True)
class User:
    id: int
    project_id: int
    username: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    gender: str = ""
    phone: str = ""
    access_level: AccessLevel = AccessLevel.REGULAR
    email_validated: bool = False
    is_trial: bool = False
    trial_expires_at: int | None = None
    created_at: int = 0
    has_password: bool = False
    totp_enabled: bool = False
    #: core/passwords.py credential_stamp of the row this was read from.
    credential_stamp: str = ""
    #: Switched off by an operator (admin API): no sign-in anywhere.
    disabled_at: int | None = None

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None


@dataclass(frozen=True, slots=True)
class Client:
    """A client application (``ClientID`` + ``ClientSecret``) owned by one user."""

    id: str
    project_id: int
    user_id: int
    name: str
    created_at: int
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    project_id: int
    user_id: int
    created_at: int
    updated_at: int
    expires_at: int
    origin: SessionOrigin = SessionOrigin.STORAGE
    intent: str | None = None
    room_name: str = ""
    factors: tuple[str, ...] = ()
    scope: str = "user"
    #: May the holder of its own token renew it (HiveMP sign-ins)? See core/renewal.py.
    renewable: bool = False

    def is_active(self, now_us: int) -> bool:
        return now_us < self.expires_at


@dataclass(frozen=True, slots=True)
class SessionDetail:
    """A session as its owner sees it in a list: where and how it was made."""

    session: Session
    ip: str
    user_agent: str
    #: The latest of: made, renewed, used on the account pages (token checks on the
    #: API surfaces write nothing, so the hot path stays read-only).
    last_used_at: int


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One line of the audit trail."""

    id: int
    at: int
    project_id: int | None
    user_id: int | None
    session_id: str | None
    action: str
    origin: str
    detail: str
    ip: str
    #: Who made it (``operator-key:3``, ``api-key:12``, ``cli``), "" when unknown.
    actor: str = ""
