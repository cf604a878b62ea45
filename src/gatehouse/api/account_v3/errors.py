"""Domain error → status + v3 error body, in one table.

Body: ``{"errorCode": int, "errorMessage": str, "errors": [{"property", "message"}]}``,
all three keys always present.
"""

from __future__ import annotations

from typing import Final

import msgspec

from gatehouse.api._common.http import Problem
from gatehouse.api.account_v3.schemas import AccountErrorBody, AccountErrorItem
from gatehouse.core.errors import ErrorCode, GatehouseError, InvalidInput, RateLimited

__all__ = ["PREFIX", "STATUS", "InvalidFields", "render"]

PREFIX: Final = "/v3"

#: Every domain error code → (HTTP status, v3 errorCode). Tested to cover ErrorCode.
STATUS: Final[dict[ErrorCode, tuple[int, int]]] = {
    ErrorCode.INVALID_INPUT: (422, 10422),
    ErrorCode.INVALID_CREDENTIALS: (401, 10010),
    ErrorCode.FORBIDDEN: (403, 10020),
    ErrorCode.CLIENT_DISABLED: (403, 10020),
    ErrorCode.NOT_FOUND: (404, 10001),
    ErrorCode.SESSION_NOT_FOUND: (404, 10001),
    ErrorCode.USER_NOT_FOUND: (404, 10001),
    ErrorCode.PROJECT_NOT_FOUND: (404, 10001),
    ErrorCode.PENDING_SIGN_IN_NOT_FOUND: (404, 10012),
    ErrorCode.CONFLICT: (409, 10409),
    ErrorCode.SESSION_LIMIT_REACHED: (409, 10014),
    ErrorCode.ALREADY_LOGGED_IN: (409, 10013),
    ErrorCode.IDENTITY_ALREADY_LINKED: (409, 10409),
    ErrorCode.INVALID_ONE_TIME_PASSWORD: (401, 10011),
    ErrorCode.RATE_LIMITED: (429, 10029),
    ErrorCode.PAYLOAD_TOO_LARGE: (413, 10413),
    ErrorCode.UPSTREAM_UNAVAILABLE: (503, 10503),
    ErrorCode.STORAGE_UNAVAILABLE: (503, 10503),
}

#: Framework failures (no route, wrong method, bad body) → v3 errorCode.
HTTP_CODES: Final[dict[int, int]] = {
    400: 10400,
    404: 10001,
    405: 10405,
    413: 10413,
    415: 10415,
    500: 10500,
}

_encode = msgspec.json.Encoder().encode


class InvalidFields(InvalidInput):
    """Several request properties are invalid at once (one ``errors[]`` entry each)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("Validation failed", field=problems[0][0] if problems else None)
        self.problems = problems


def render(exc: GatehouseError | Problem, path: str = "") -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a failure: the one rendering of this surface."""
    if isinstance(exc, Problem):
        code = HTTP_CODES.get(exc.status, 10000 + exc.status)
        message = "Entity not found" if exc.status == 404 else exc.message
        items = [AccountErrorItem(property=exc.field, message=message)] if exc.field else []
        body = _encode(AccountErrorBody(errorCode=code, errorMessage=message, errors=items))
        return exc.status, exc.headers, body
    status, code = STATUS[exc.code]
    headers = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, InvalidFields):
        items = [AccountErrorItem(property=p, message=m) for p, m in exc.problems]
    elif exc.field:
        items = [AccountErrorItem(property=exc.field, message=exc.message)]
    else:
        items = []
    body = _encode(AccountErrorBody(errorCode=code, errorMessage=exc.message, errors=items))
    return status, headers, body
