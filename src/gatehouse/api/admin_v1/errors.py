"""Domain error or HTTP problem → RFC 9457 ``application/problem+json``, in one table.

Body: ``{"type": "urn:gatehouse:problem:<slug>", "title", "status", "detail",
"errors": [{"field", "message"}]}`` (``errors`` only when a field is at fault).
A 401 carries ``WWW-Authenticate: Bearer``, a 429 ``Retry-After``.
"""

from __future__ import annotations

import msgspec

from gatehouse.api._common.http import Problem
from gatehouse.api.admin_v1.schemas import FieldError, ProblemBody
from gatehouse.core.errors import ErrorCode, GatehouseError, RateLimited

__all__ = ["MEDIA_TYPE", "PREFIX", "STATUS", "TYPE_PREFIX", "render"]

PREFIX = "/admin/v1"
MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:gatehouse:problem:"

#: Every domain error code → (HTTP status, title). Tested to cover ErrorCode.
STATUS: dict[ErrorCode, tuple[int, str]] = {
    ErrorCode.INVALID_INPUT: (400, "Bad request"),
    ErrorCode.INVALID_CREDENTIALS: (401, "Unauthorized"),
    ErrorCode.FORBIDDEN: (403, "Forbidden"),
    ErrorCode.CLIENT_DISABLED: (403, "Client disabled"),
    ErrorCode.NOT_FOUND: (404, "Not found"),
    ErrorCode.SESSION_NOT_FOUND: (404, "Session not found"),
    ErrorCode.USER_NOT_FOUND: (404, "User not found"),
    ErrorCode.PROJECT_NOT_FOUND: (404, "Project not found"),
    ErrorCode.PENDING_SIGN_IN_NOT_FOUND: (404, "Not found"),
    ErrorCode.CONFLICT: (409, "Conflict"),
    ErrorCode.SESSION_LIMIT_REACHED: (409, "Session limit reached"),
    ErrorCode.ALREADY_LOGGED_IN: (409, "Conflict"),
    ErrorCode.IDENTITY_ALREADY_LINKED: (409, "Identity already linked"),
    ErrorCode.INVALID_ONE_TIME_PASSWORD: (401, "Unauthorized"),
    ErrorCode.RATE_LIMITED: (429, "Too many requests"),
    ErrorCode.PAYLOAD_TOO_LARGE: (413, "Request body too large"),
    ErrorCode.UPSTREAM_UNAVAILABLE: (503, "Service unavailable"),
    ErrorCode.STORAGE_UNAVAILABLE: (503, "Service unavailable"),
}

#: HTTP-level problems (no domain error): status → (slug, title).
_HTTP: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("invalid-credentials", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("idempotency-key-in-use", "Conflict"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("idempotency-key-reused", "Unprocessable content"),
    500: ("internal", "Internal server error"),
    503: ("storage-unavailable", "Service unavailable"),
}

_encode = msgspec.json.Encoder().encode


def _body(status: int, slug: str, title: str, detail: str, field: str | None) -> bytes:
    errors = [FieldError(field=field, message=detail)] if field else msgspec.UNSET
    return _encode(
        ProblemBody(
            type=TYPE_PREFIX + slug, title=title, status=status, detail=detail, errors=errors
        )
    )


def render(exc: GatehouseError | Problem, path: str) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a failure: the one rendering of this surface."""
    headers = {"Content-Type": MEDIA_TYPE}
    if isinstance(exc, Problem):
        status = exc.status
        slug, title = _HTTP.get(status, ("error", "Error"))
        headers.update(exc.headers)
        body = _body(status, slug, title, exc.message, exc.field)
    else:
        status, title = STATUS[exc.code]
        body = _body(status, exc.code.value, title, exc.message, exc.field)
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(exc.retry_after)
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="gatehouse-admin"'
    return status, headers, body
