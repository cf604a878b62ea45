"""Python clients for Gatehouse, for game back-ends and tools.

One client per surface, each in an async (``Async...``) and a blocking flavour:

* ``SessionStorageClient`` — ``/session-storage`` (``ClientID`` / ``ClientSecret``)
* ``UserSessionClient`` — ``/v1``, HiveMP-compatible (``X-API-Key``), with the
  progressive sign-in driver (``sign_in``) and automatic renewal (``keep_renewed``)
* ``AccountClient`` — ``/v3/session`` (``PRIVATE-TOKEN``)
* ``AdminClient`` — ``/admin/v1`` (``Authorization: Bearer`` operator or project
  admin key): projects, users, clients, API keys, sessions, audit, export
* ``TokenVerifier`` — "who is this token?" with a bounded cache; the ASGI
  middleware (``gatehouse_client.asgi``) and the FastAPI / Litestar dependencies
  (``gatehouse_client.fastapi``, ``gatehouse_client.litestar``) are built on it.

Failures are ``GatehouseError`` subclasses (``gatehouse_client.errors``); 429, 503
and HiveMP 6001/6002 are retried per ``RetryPolicy``; the admin API's creations
carry an ``Idempotency-Key``, the same on every retry.
"""

from gatehouse_client._pages import Page
from gatehouse_client.account import (
    AccountBillingDetails,
    AccountClient,
    AccountDetails,
    AccountUser,
    AsyncAccountClient,
    DeviceToken,
    LoginResult,
)
from gatehouse_client.admin import AdminClient, AsyncAdminClient
from gatehouse_client.admin_models import (
    AccessLevel,
    AdminSession,
    ApiKey,
    AuditEvent,
    Client,
    LinkedIdentity,
    NewApiKey,
    NewClient,
    PasswordSet,
    Project,
    SteamLink,
    TrustedDevice,
    User,
    UserExport,
)
from gatehouse_client.errors import (
    AccountErrorBody,
    BadRequest,
    Conflict,
    ConnectionFailed,
    FieldError,
    Forbidden,
    GatehouseError,
    HiveMPErrorBody,
    InvalidToken,
    NotFound,
    PayloadTooLarge,
    ProblemDetails,
    PropertyError,
    RateLimited,
    ServerError,
    ServiceUnavailable,
    SessionStorageErrorBody,
    SessionStorageProblem,
    Unauthorized,
    UnexpectedResponse,
    ValidationFailed,
)
from gatehouse_client.renewal import AsyncRenewingSession, RenewingSession
from gatehouse_client.retry import NO_RETRY, RetryPolicy
from gatehouse_client.session_storage import (
    AsyncSessionStorageClient,
    NewSession,
    Session,
    SessionStorageClient,
    TokenSession,
)
from gatehouse_client.sign_in import AsyncSignIn, Need, Prompt, SignIn
from gatehouse_client.user_session import AsyncUserSessionClient, UserSessionClient
from gatehouse_client.user_session_models import (
    AuthenticatedSession,
    AuthenticationRequest,
    AuthenticationResponse,
    ProjectChoice,
    UserSession,
    hivemp_password_hash,
)
from gatehouse_client.verifier import AsyncTokenVerifier, Identity, TokenKind, TokenVerifier

__version__ = "0.1.0"

__all__ = [
    "NO_RETRY",
    "AccessLevel",
    "AccountBillingDetails",
    "AccountClient",
    "AccountDetails",
    "AccountErrorBody",
    "AccountUser",
    "AdminClient",
    "AdminSession",
    "ApiKey",
    "AsyncAccountClient",
    "AsyncAdminClient",
    "AsyncRenewingSession",
    "AsyncSessionStorageClient",
    "AsyncSignIn",
    "AsyncTokenVerifier",
    "AsyncUserSessionClient",
    "AuditEvent",
    "AuthenticatedSession",
    "AuthenticationRequest",
    "AuthenticationResponse",
    "BadRequest",
    "Client",
    "Conflict",
    "ConnectionFailed",
    "DeviceToken",
    "FieldError",
    "Forbidden",
    "GatehouseError",
    "HiveMPErrorBody",
    "Identity",
    "InvalidToken",
    "LinkedIdentity",
    "LoginResult",
    "Need",
    "NewApiKey",
    "NewClient",
    "NewSession",
    "NotFound",
    "Page",
    "PasswordSet",
    "PayloadTooLarge",
    "ProblemDetails",
    "Project",
    "ProjectChoice",
    "Prompt",
    "PropertyError",
    "RateLimited",
    "RenewingSession",
    "RetryPolicy",
    "ServerError",
    "ServiceUnavailable",
    "Session",
    "SessionStorageClient",
    "SessionStorageErrorBody",
    "SessionStorageProblem",
    "SignIn",
    "SteamLink",
    "TokenKind",
    "TokenSession",
    "TokenVerifier",
    "TrustedDevice",
    "Unauthorized",
    "UnexpectedResponse",
    "User",
    "UserExport",
    "UserSession",
    "UserSessionClient",
    "ValidationFailed",
    "hivemp_password_hash",
]
