"""Domain errors, shared by every surface.

Each surface maps these classes to its own status code and error body in one
table (``api/<surface>/errors.py``); surfaces render the stable ``code``, never
the message text.

    GatehouseError
    ├── InvalidInput            a request value is malformed or out of range
    ├── InvalidCredentials      unknown or wrong secret (password, client, key, token)
    ├── Forbidden               authenticated, but not allowed to do this
    │   ├── ClientDisabled      the client application is switched off
    │   └── AccountDisabled     an operator switched the user off: no sign-in
    ├── NotFound
    │   ├── SessionNotFound     no active session with that id for this caller
    │   ├── UserNotFound
    │   ├── ProjectNotFound
    │   └── PendingSignInNotFound   no OTP step is waiting (or its window closed)
    ├── Conflict
    │   ├── SessionLimitReached per-user session limit, policy ``reject``
    │   ├── AlreadyLoggedIn
    │   └── IdentityAlreadyLinked   the external id belongs to another user
    ├── InvalidOneTimePassword  wrong, expired or replayed OTP / recovery code
    ├── RateLimited             too many guesses; carries ``retry_after`` seconds
    ├── PayloadTooLarge
    └── UpstreamUnavailable     Steam failed; safe to retry later
        └── StorageUnavailable  the database cannot be reached right now
"""

from __future__ import annotations

import enum

__all__ = [
    "AccountDisabled",
    "AlreadyLoggedIn",
    "ClientDisabled",
    "Conflict",
    "ErrorCode",
    "Forbidden",
    "GatehouseError",
    "IdentityAlreadyLinked",
    "InvalidCredentials",
    "InvalidInput",
    "InvalidOneTimePassword",
    "NotFound",
    "PayloadTooLarge",
    "PendingSignInNotFound",
    "ProjectNotFound",
    "RateLimited",
    "SessionLimitReached",
    "SessionNotFound",
    "StorageUnavailable",
    "UpstreamUnavailable",
    "UserNotFound",
]


class ErrorCode(enum.Enum):
    """Stable machine-readable names of every domain error."""

    INVALID_INPUT = "invalid-input"
    INVALID_CREDENTIALS = "invalid-credentials"
    FORBIDDEN = "forbidden"
    CLIENT_DISABLED = "client-disabled"
    NOT_FOUND = "not-found"
    SESSION_NOT_FOUND = "session-not-found"
    USER_NOT_FOUND = "user-not-found"
    PROJECT_NOT_FOUND = "project-not-found"
    PENDING_SIGN_IN_NOT_FOUND = "pending-sign-in-not-found"
    CONFLICT = "conflict"
    SESSION_LIMIT_REACHED = "session-limit-reached"
    ALREADY_LOGGED_IN = "already-logged-in"
    IDENTITY_ALREADY_LINKED = "identity-already-linked"
    INVALID_ONE_TIME_PASSWORD = "invalid-one-time-password"
    RATE_LIMITED = "rate-limited"
    PAYLOAD_TOO_LARGE = "payload-too-large"
    UPSTREAM_UNAVAILABLE = "upstream-unavailable"
    STORAGE_UNAVAILABLE = "storage-unavailable"


class GatehouseError(Exception):
    """Base of every error a service may raise on purpose."""

    code: ErrorCode = ErrorCode.INVALID_INPUT
    default_message = "Request failed"

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        self.message = message or self.default_message
        #: The request field at fault, when there is one (rendered by surfaces).
        self.field = field
        super().__init__(self.message)


class InvalidInput(GatehouseError):
    code = ErrorCode.INVALID_INPUT
    default_message = "Invalid request"


class InvalidCredentials(GatehouseError):
    code = ErrorCode.INVALID_CREDENTIALS
    default_message = "Invalid credentials"


class Forbidden(GatehouseError):
    code = ErrorCode.FORBIDDEN
    default_message = "Not allowed"


class ProjectLimitReached(Forbidden):
    """A sign-in would create a default project beyond the per-user limit."""

    default_message = "Project limit reached"


class ClientDisabled(Forbidden):
    code = ErrorCode.CLIENT_DISABLED
    default_message = "Client application is disabled"


class AccountDisabled(Forbidden):
    """Every sign-in of a disabled user is refused, on every surface."""

    default_message = "This account is disabled"


class NotFound(GatehouseError):
    code = ErrorCode.NOT_FOUND
    default_message = "Not found"


class SessionNotFound(NotFound):
    code = ErrorCode.SESSION_NOT_FOUND
    default_message = "Session not found"


class UserNotFound(NotFound):
    code = ErrorCode.USER_NOT_FOUND
    default_message = "User not found"


class ProjectNotFound(NotFound):
    code = ErrorCode.PROJECT_NOT_FOUND
    default_message = "Project not found"


class PendingSignInNotFound(NotFound):
    code = ErrorCode.PENDING_SIGN_IN_NOT_FOUND
    default_message = "No sign-in is waiting for a one-time password"


class Conflict(GatehouseError):
    code = ErrorCode.CONFLICT
    default_message = "Conflict"


class SessionLimitReached(Conflict):
    code = ErrorCode.SESSION_LIMIT_REACHED
    default_message = "Session limit reached"


class AlreadyLoggedIn(Conflict):
    code = ErrorCode.ALREADY_LOGGED_IN
    default_message = "Already logged in"


class IdentityAlreadyLinked(Conflict):
    code = ErrorCode.IDENTITY_ALREADY_LINKED
    default_message = "This external account is linked to another user"


class InvalidOneTimePassword(GatehouseError):
    code = ErrorCode.INVALID_ONE_TIME_PASSWORD
    default_message = "Invalid one-time password"


class RateLimited(GatehouseError):
    code = ErrorCode.RATE_LIMITED
    default_message = "Too many requests"

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class PayloadTooLarge(GatehouseError):
    code = ErrorCode.PAYLOAD_TOO_LARGE
    default_message = "Request body too large"


class UpstreamUnavailable(GatehouseError):
    code = ErrorCode.UPSTREAM_UNAVAILABLE
    default_message = "An upstream service is unavailable"


class StorageUnavailable(UpstreamUnavailable):
    code = ErrorCode.STORAGE_UNAVAILABLE
    default_message = "Storage is briefly unavailable; retry shortly"
