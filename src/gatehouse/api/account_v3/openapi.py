"""The documented answers of the account API v3, each with a real example."""

from __future__ import annotations

from typing import Any, Final

from litestar.openapi.datastructures import ResponseSpec

from gatehouse.api._common.openapi import answer
from gatehouse.api.account_v3.schemas import (
    AccountErrorBody,
    NewToken,
    SessionAuthReq,
    SessionUser,
)

__all__ = ["ERRORS", "LOGGED_IN", "LOGIN_EXAMPLES", "NEW_TOKEN", "OTP_EXAMPLES", "USER", "pick"]


def _err(
    status: int, description: str, code: int, message: str, *items: tuple[str, str]
) -> ResponseSpec:
    example = {
        "errorCode": code,
        "errorMessage": message,
        "errors": [{"property": p, "message": m} for p, m in items],
    }
    return answer(AccountErrorBody, description, example=example)


ERRORS: Final[dict[int, ResponseSpec]] = {
    400: _err(400, "Malformed JSON body", 10400, "Malformed JSON body"),
    401: _err(
        401,
        "Invalid credentials (10010) / invalid one-time password (10011)",
        10010,
        "Invalid credentials",
    ),
    403: _err(403, "Invalid, expired or missing PRIVATE-TOKEN", 10020, "Invalid or expired token"),
    404: _err(
        404,
        "Not logged in (10001) / no pending one-time password (10012)",
        10001,
        "Not logged in",
    ),
    409: _err(409, "Already logged in (10013)", 10013, "Already logged in"),
    413: _err(413, "Request body too large", 10413, "Request body too large"),
    415: _err(
        415, "Content-Type must be application/json", 10415, "Content-Type must be application/json"
    ),
    422: _err(
        422,
        "Validation failed (one errors[] entry per property)",
        10422,
        "Validation failed",
        ("userName", "This value should not be blank."),
        ("password", "This field is missing."),
    ),
    429: _err(429, "Too many requests (see Retry-After)", 10029, "Too many login requests"),
}


def pick(*statuses: int) -> dict[int, ResponseSpec]:
    """The error answers of one operation (400 always: any request can be malformed)."""
    return {s: ERRORS[s] for s in sorted({400, *statuses})}


_DETAILS: Final[dict[str, Any]] = {
    "firstName": "Alice",
    "lastName": "Liddell",
    "address": "",
    "streetNumber": "",
    "zipCode": "",
    "city": "",
    "countryCode": "",
}
NEW_TOKEN: Final = answer(
    NewToken,
    "A new, logged-out device token (unused for 24 hours, it expires)",
    device_token={
        "token": "gt_3loyjpuHlkXVGQ6kpeF3NKjU3W_6oraUYNG3FKm7Pz8",
        "expiresAt": 1728723776,
    },
)
LOGGED_IN: Final = answer(
    SessionAuthReq,
    "Logged in, or a one-time password is needed before otpSessionExpiresAt",
    logged_in={"requiresOtp": False, "expiresAt": 0, "otpSessionExpiresAt": 0},
    otp_needed={"requiresOtp": True, "expiresAt": 1728637676, "otpSessionExpiresAt": 1728637676},
)
USER: Final = answer(
    SessionUser,
    "The logged-in user",
    user={
        "userId": 42,
        "userName": "alice",
        "email": "alice@example.com",
        "firstName": "Alice",
        "lastName": "Liddell",
        "gender": "",
        "phone": "",
        "accessLevel": 10,
        "validateEmail": 1,
        "isTrialAccount": 0,
        "trialAccountExpirationDate": "",
        "requestIp": "203.0.113.7",
        "requestIpCountry": "",
        "requestIpCountryCode": "",
        "details": {
            "accountType": 0,
            **_DETAILS,
            "emailAddress": "alice@example.com",
            "unconfirmedEmail": None,
            "emailAddressValidated": 1,
            "language": 0,
            "agreeDpa": 0,
            "isAllowedFlexMetal": 0,
        },
        "billingDetails": {
            **{key: "" for key in _DETAILS},
            "bundleInvoicesOfSameCategory": 0,
            "receivePaymentConfirmationsViaEmail": 0,
            "preferredPaymentMethod": 0,
        },
    },
)

LOGIN_EXAMPLES: Final = {
    "log in": {"userName": "alice", "password": "correct horse battery staple"},
    "remember me": {
        "userName": "alice",
        "password": "correct horse battery staple",
        "rememberMe": 1,
    },
}
OTP_EXAMPLES: Final = {"code": {"otp": "123456"}, "recovery code": {"otp": "k3x9q-7mzp2"}}
