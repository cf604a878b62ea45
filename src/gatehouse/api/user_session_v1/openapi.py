"""The documented answers of the User Session API v1, each with a real example."""

from __future__ import annotations

from typing import Any, Final

from litestar.openapi.datastructures import ResponseSpec

from gatehouse.api._common.openapi import answer
from gatehouse.api.user_session_v1.schemas import (
    AuthenticationResponse,
    HiveMPSystemError,
    UserSession,
)

__all__ = ["AUTHENTICATED", "AUTHENTICATION_EXAMPLES", "ENDED", "ERRORS", "SESSION"]

_SESSION: Final[dict[str, Any]] = {
    "id": "42.fec6b8fa.af4d2d22",
    "accountId": "42",
    "projectId": "1",
    "start": 1728637376,
    "expiry": 1728640976,
    "metered": False,
    "billedMinutes": 0,
    "profile": None,
    "authenticatedWith": ["password"],
}
_PROMPTS: Final = {
    "promptForEmailAddress": False,
    "promptForPassword": True,
    "promptForMarketingPreferenceOptIn": False,
    "promptForTwoFactor": False,
}


def _err(
    status: int, description: str, code: int, message: str, field: str | None, **data: Any
) -> ResponseSpec:
    example = {"code": code, "message": message, "fields": field, "data": data or None}
    return answer(HiveMPSystemError, description, example=example)


ERRORS: Final[dict[int, ResponseSpec]] = {
    400: _err(400, "Bad request (code 1001)", 1001, "id is not a session id", "id"),
    401: _err(
        401,
        "Missing, unknown or revoked API key (1002); wrong credentials (1002, 1014)",
        1002,
        "Missing, unknown or revoked API key",
        "X-API-Key",
    ),
    403: _err(
        403,
        "This key type may not call this, or not on that session (1003)",
        1003,
        "This API key may not act on that session",
        "id",
    ),
    404: _err(404, "No such session (1006)", 1006, "Session not found", None),
    409: _err(
        409,
        "Conflict: Steam account linked to another user (1013), session limit (1011)",
        1013,
        "The Steam account is linked to another user",
        "tokens.steamTokens",
    ),
    413: _err(413, "Request body too large (code 1015)", 1015, "Request body too large", None),
    415: _err(
        415,
        "Content-Type must be application/json (code 1018)",
        1018,
        "Content-Type must be application/json",
        None,
    ),
    429: _err(
        429,
        "Throttled (code 6002, Retry-After)",
        6002,
        "Too many attempts",
        None,
        retryAfterSeconds=30,
    ),
    502: _err(
        502, "Steam unavailable (code 6001, safe to retry)", 6001, "Steam is unavailable", None
    ),
}

AUTHENTICATED: Final = answer(
    AuthenticationResponse,
    "A session, or the prompts the game should answer next",
    signed_in={
        "authenticatedSession": {
            **_SESSION,
            "apiKey": "gs_3rtYr83SbW4fnTsaU37dENqcxNj76CECPaLTBH4gfHo",
        },
        "intent": "login",
        **{key: False for key in _PROMPTS},
        "availableProjects": None,
        "passwordResetEmailSent": False,
    },
    password_needed={
        "authenticatedSession": None,
        "intent": None,
        **_PROMPTS,
        "availableProjects": None,
        "passwordResetEmailSent": False,
    },
)
SESSION: Final = answer(UserSession, "The user session", session=_SESSION)
ENDED: Final = answer(bool, "The session has ended", ended=True)

AUTHENTICATION_EXAMPLES: Final = {
    "password": {
        "emailAddress": "alice@example.com",
        "passwordHash": "1f0d8c2e0bd3ce0bf08fe0bf7c3e3d8e6eb2f80e7ee34ae1d23c4c7e2f1b2a31",
    },
    "steam": {"tokens": {"steamTokens": [{"userTicket": "14000000a1b2c3d4e5f6"}]}},
    "nothing yet": {},
}
