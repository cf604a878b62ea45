"""Every failure the clients raise: one tree, keyed by what a caller does about it.

``GatehouseError`` carries the HTTP ``status``, the surface's own ``code`` and
``message``, and the decoded error ``body`` in that surface's shape:

* User Session v1 (HiveMP): ``HiveMPErrorBody`` (``code``, ``message``, ``fields``,
  ``data``); ``code`` is the HiveMP code (1002, 6002, ...).
* Session Storage: ``SessionStorageErrorBody`` (``error`` and the ``errors`` list);
  ``code`` is the stable slug at the end of the first error's ``type``
  (``"session-not-found"``, ``"invalid-credentials"``, ...).
* Account v3: ``AccountErrorBody`` (``errorCode``, ``errorMessage``, ``errors``);
  ``code`` is the ``errorCode`` (10010, ...).
* Admin API: ``ProblemDetails`` (RFC 9457 ``application/problem+json``: ``type``,
  ``title``, ``status``, ``detail``, ``errors``); ``code`` is the slug ending the
  ``type`` (``"user-not-found"``, ``"idempotency-key-reused"``, ...) and
  ``message`` the ``detail``; ``title``, ``detail`` and ``errors`` are properties.

The subclass says what happened (``NotFound``, ``RateLimited`` ...), whatever the
surface; ``error_for`` picks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "AccountErrorBody",
    "BadRequest",
    "Conflict",
    "ConnectionFailed",
    "ErrorBody",
    "FieldError",
    "Forbidden",
    "GatehouseError",
    "HiveMPErrorBody",
    "InvalidToken",
    "NotFound",
    "PayloadTooLarge",
    "ProblemDetails",
    "PropertyError",
    "RateLimited",
    "ServerError",
    "ServiceUnavailable",
    "SessionStorageErrorBody",
    "SessionStorageProblem",
    "Unauthorized",
    "UnexpectedResponse",
    "ValidationFailed",
    "error_for",
]


@dataclass(frozen=True, slots=True)
class HiveMPErrorBody:
    """``HiveMPSystemError``: ``fields`` names the request field at fault;
    ``data`` is ``{"retryAfterSeconds": N}`` when throttled, the open prompts after a
    failed sign-in step, else ``None``."""

    code: int
    message: str
    fields: str | None
    data: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class SessionStorageProblem:
    type: str
    status: int
    title: str
    detail: str
    instance: str
    error_code: int


@dataclass(frozen=True, slots=True)
class SessionStorageErrorBody:
    error: str
    errors: tuple[SessionStorageProblem, ...]


@dataclass(frozen=True, slots=True)
class PropertyError:
    property: str
    message: str


@dataclass(frozen=True, slots=True)
class AccountErrorBody:
    error_code: int
    error_message: str
    errors: tuple[PropertyError, ...]


@dataclass(frozen=True, slots=True)
class FieldError:
    """Admin API: the request field at fault (a JSON body member, a query
    parameter, ``body``, or ``Idempotency-Key``) and what is wrong with it."""

    field: str
    message: str


@dataclass(frozen=True, slots=True)
class ProblemDetails:
    """Admin API: an RFC 9457 problem (``application/problem+json``)."""

    #: ``urn:gatehouse:problem:<slug>``; the slug is the error's ``code``.
    type: str
    title: str
    status: int
    detail: str
    #: Present only when request fields are at fault.
    errors: tuple[FieldError, ...]


ErrorBody = HiveMPErrorBody | SessionStorageErrorBody | AccountErrorBody | ProblemDetails


class GatehouseError(Exception):
    """A call failed. ``status`` is ``None`` when no HTTP answer came back."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | str | None = None,
        surface: str = "",
        body: ErrorBody | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.surface = surface
        self.body = body
        #: Seconds the server asked the caller to wait (``Retry-After``), if it did.
        self.retry_after = retry_after

    @property
    def fields(self) -> str | None:
        """HiveMP: the request field at fault."""
        return self.body.fields if isinstance(self.body, HiveMPErrorBody) else None

    @property
    def data(self) -> Mapping[str, Any] | None:
        """HiveMP: the error's ``data`` object."""
        return self.body.data if isinstance(self.body, HiveMPErrorBody) else None

    @property
    def title(self) -> str | None:
        """Admin API: the problem's ``title`` (``None`` on other surfaces)."""
        return self.body.title if isinstance(self.body, ProblemDetails) else None

    @property
    def detail(self) -> str | None:
        """Admin API: the problem's ``detail`` (``None`` on other surfaces)."""
        return self.body.detail if isinstance(self.body, ProblemDetails) else None

    @property
    def errors(self) -> tuple[FieldError, ...]:
        """Admin API: the request fields at fault (empty when none is, and on other
        surfaces: their own lists are in ``body``)."""
        return self.body.errors if isinstance(self.body, ProblemDetails) else ()

    def __str__(self) -> str:
        where = f"{self.surface} " if self.surface else ""
        status = f"HTTP {self.status}" if self.status is not None else "no answer"
        code = f", code {self.code}" if self.code is not None else ""
        return f"{self.message} ({where}{status}{code})"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status={self.status!r}, "
            f"code={self.code!r}, surface={self.surface!r})"
        )


class BadRequest(GatehouseError):
    """400: the request was malformed or a value out of range."""


class Unauthorized(GatehouseError):
    """401: missing, unknown, expired or revoked credentials; wrong password or code."""


class InvalidToken(Unauthorized):
    """The token verifier's verdict: this token names no live session."""


class Forbidden(GatehouseError):
    """403: the credential is valid but may not do this."""


class NotFound(GatehouseError):
    """404: no such session, user, route (or not logged in, on v3)."""


class Conflict(GatehouseError):
    """409: a session limit, an already linked identity, already logged in; on the
    admin API a taken username or email, or an ``Idempotency-Key`` still in flight."""


class PayloadTooLarge(GatehouseError):
    """413: the body is over the server's limit."""


class ValidationFailed(GatehouseError):
    """422: Account v3 refused the submitted values (one entry per property); the
    admin API's ``Idempotency-Key`` was used with a different request."""


class RateLimited(GatehouseError):
    """429 (HiveMP 6002): throttled; ``retry_after`` says for how long."""


class ServerError(GatehouseError):
    """5xx: the server failed."""


class ServiceUnavailable(ServerError):
    """502/503/504, or HiveMP 6001: transient trouble (storage, Steam); retry later."""


class ConnectionFailed(GatehouseError):
    """No HTTP answer: connection refused or reset, timeout, TLS failure."""


class UnexpectedResponse(GatehouseError):
    """An answer that is not in the surface's documented shape."""


_BY_STATUS: Mapping[int, type[GatehouseError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    422: ValidationFailed,
    429: RateLimited,
    502: ServiceUnavailable,
    503: ServiceUnavailable,
    504: ServiceUnavailable,
}

#: HiveMP codes whose meaning wins over the status: 6001 transient, 6002 throttled.
_BY_HIVEMP_CODE: Mapping[int, type[GatehouseError]] = {
    6001: ServiceUnavailable,
    6002: RateLimited,
}


def error_for(status: int, hivemp_code: int | None = None) -> type[GatehouseError]:
    """The exception class of an HTTP failure (and of a HiveMP code, when there is one)."""
    if hivemp_code is not None and hivemp_code in _BY_HIVEMP_CODE:
        return _BY_HIVEMP_CODE[hivemp_code]
    found = _BY_STATUS.get(status)
    if found is not None:
        return found
    return ServerError if status >= 500 else GatehouseError
