"""Domain error → status + ``HiveMPSystemError`` body, in one table.

Codes 6000-6999 make the official HiveMP clients retry, so only two errors use
them: 6001 (transient upstream/storage trouble) and 6002 (rate limited).
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from gatehouse.api._common.http import Problem
from gatehouse.api.user_session_v1.schemas import HiveMPSystemError
from gatehouse.core.errors import ErrorCode, GatehouseError, RateLimited

__all__ = ["HTTP_CODES", "PREFIX", "STATUS", "render"]

PREFIX: Final = "/v1"

#: Every domain error code → (HTTP status, HiveMP error code). Tested to cover ErrorCode.
STATUS: Final[dict[ErrorCode, tuple[int, int]]] = {
    ErrorCode.INVALID_INPUT: (400, 1001),
    ErrorCode.INVALID_CREDENTIALS: (401, 1002),
    ErrorCode.FORBIDDEN: (403, 1003),
    ErrorCode.CLIENT_DISABLED: (403, 1004),
    ErrorCode.NOT_FOUND: (404, 1005),
    ErrorCode.SESSION_NOT_FOUND: (404, 1006),
    ErrorCode.USER_NOT_FOUND: (404, 1007),
    ErrorCode.PROJECT_NOT_FOUND: (404, 1008),
    ErrorCode.PENDING_SIGN_IN_NOT_FOUND: (404, 1009),
    ErrorCode.CONFLICT: (409, 1010),
    ErrorCode.SESSION_LIMIT_REACHED: (409, 1011),
    ErrorCode.ALREADY_LOGGED_IN: (409, 1012),
    ErrorCode.IDENTITY_ALREADY_LINKED: (409, 1013),
    ErrorCode.INVALID_ONE_TIME_PASSWORD: (401, 1014),
    ErrorCode.RATE_LIMITED: (429, 6002),
    ErrorCode.PAYLOAD_TOO_LARGE: (413, 1015),
    ErrorCode.UPSTREAM_UNAVAILABLE: (502, 6001),
    ErrorCode.STORAGE_UNAVAILABLE: (503, 6001),
}

#: Framework-level failures (no route, wrong method, unreadable body, crash).
HTTP_CODES: Final[dict[int, int]] = {
    400: 1001,
    404: 1016,
    405: 1017,
    413: 1015,
    415: 1018,
    500: 1000,
}

_encode = msgspec.json.Encoder().encode


def render(
    exc: GatehouseError | Problem, path: str = "", *, data: dict[str, Any] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a failure: the one rendering of this surface."""
    if isinstance(exc, Problem):
        code = HTTP_CODES.get(exc.status, 1000 if exc.status >= 500 else 1001)
        body = _encode(
            HiveMPSystemError(code=code, message=exc.message, fields=exc.field, data=None)
        )
        return exc.status, exc.headers, body
    status, code = STATUS[exc.code]
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
        data = {"retryAfterSeconds": exc.retry_after}
    body = _encode(HiveMPSystemError(code=code, message=exc.message, fields=exc.field, data=data))
    return status, headers, body
