"""Domain error → status + Session Storage error body, in one table."""

from __future__ import annotations

import msgspec

from gatehouse.api._common.http import Problem
from gatehouse.api.session_storage.schemas import SessionStorageErrorBody, SessionStorageErrorItem
from gatehouse.core.errors import ErrorCode, GatehouseError, RateLimited

__all__ = ["PREFIX", "STATUS", "render"]

PREFIX = "/session-storage"

#: Every domain error code → (HTTP status, title). Tested to cover ErrorCode.
STATUS: dict[ErrorCode, tuple[int, str]] = {
    ErrorCode.INVALID_INPUT: (400, "Bad request"),
    ErrorCode.INVALID_CREDENTIALS: (401, "Unauthorized"),
    ErrorCode.FORBIDDEN: (403, "Forbidden"),
    ErrorCode.CLIENT_DISABLED: (403, "Client disabled"),
    ErrorCode.NOT_FOUND: (404, "Not found"),
    ErrorCode.SESSION_NOT_FOUND: (404, "Session not found"),
    ErrorCode.USER_NOT_FOUND: (404, "Not found"),
    ErrorCode.PROJECT_NOT_FOUND: (404, "Not found"),
    ErrorCode.PENDING_SIGN_IN_NOT_FOUND: (404, "Not found"),
    ErrorCode.CONFLICT: (409, "Conflict"),
    ErrorCode.SESSION_LIMIT_REACHED: (409, "Session limit reached"),
    ErrorCode.ALREADY_LOGGED_IN: (409, "Conflict"),
    ErrorCode.IDENTITY_ALREADY_LINKED: (409, "Conflict"),
    ErrorCode.INVALID_ONE_TIME_PASSWORD: (401, "Unauthorized"),
    ErrorCode.RATE_LIMITED: (429, "Too many requests"),
    ErrorCode.PAYLOAD_TOO_LARGE: (413, "Request body too large"),
    ErrorCode.UPSTREAM_UNAVAILABLE: (503, "Service unavailable"),
    ErrorCode.STORAGE_UNAVAILABLE: (503, "Service unavailable"),
}

_HTTP_TYPES = {
    400: "bad-request",
    401: "unauthorized",
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    500: "internal",
}

_encode = msgspec.json.Encoder().encode


def _body(status: int, kind: str, title: str, detail: str, instance: str) -> bytes:
    item = SessionStorageErrorItem(
        type=f"/errors/{kind}",
        status=status,
        title=title,
        detail=detail,
        instance=instance,
        error_code=status * 100 + 1,
    )
    return _encode(SessionStorageErrorBody(error=title, errors=[item]))


def render(exc: GatehouseError | Problem, path: str) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a failure: the one rendering of this surface."""
    if isinstance(exc, Problem):
        kind = _HTTP_TYPES.get(exc.status, "error")
        title = exc.message if exc.status != 400 else "Bad request"
        detail = f"{exc.message} ({exc.field})" if exc.field else exc.message
        return exc.status, exc.headers, _body(exc.status, kind, title, detail, path)
    status, title = STATUS[exc.code]
    headers = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    return status, headers, _body(status, exc.code.value, title, exc.message, path)
