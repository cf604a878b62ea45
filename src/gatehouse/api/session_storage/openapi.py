"""The documented answers of the Session Storage API, each with a real example."""

from __future__ import annotations

from typing import Any, Final

from litestar.openapi.datastructures import ResponseSpec

from gatehouse.api._common.openapi import answer
from gatehouse.api.session_storage.schemas import (
    NewSessionEnvelope,
    SessionEnvelope,
    SessionListEnvelope,
    SessionStorageErrorBody,
    TokenSessionEnvelope,
)

__all__ = ["CREATED", "ERRORS", "LISTED", "NEW_SESSION_EXAMPLES", "ONE", "TTL_EXAMPLES", "WHOAMI"]

_ID: Final = "42.fec6b8fa.af4d2d22"
_SESSION: Final = {
    "id": _ID,
    "created_at": "2024-10-11T09:02:56Z",
    "updated_at": "2024-10-11T09:02:56Z",
    "expires_at": "2024-11-10T09:02:56Z",
    "intent": None,
}


def _error(status: int, kind: str, title: str, detail: str, instance: str) -> dict[str, Any]:
    item = {
        "type": f"/errors/{kind}",
        "status": status,
        "title": title,
        "detail": detail,
        "instance": instance,
        "error_code": status * 100 + 1,
    }
    return {"ok": False, "error": title, "errors": [item]}


def _err(status: int, description: str, kind: str, title: str, detail: str) -> ResponseSpec:
    example = _error(status, kind, title, detail, f"/session-storage/sessions/{_ID}")
    return answer(SessionStorageErrorBody, description, example=example)


ERRORS: Final[dict[int, ResponseSpec]] = {
    400: _err(
        400,
        "Bad request",
        "invalid-input",
        "Bad request",
        "ttl_seconds must be between 1 and 31536000",
    ),
    401: _err(
        401,
        "Missing or invalid client credentials",
        "invalid-credentials",
        "Unauthorized",
        "Invalid client credentials",
    ),
    403: _err(403, "Client disabled", "client-disabled", "Client disabled", "Client is disabled"),
    404: _err(
        404,
        "Session not found",
        "session-not-found",
        "Session not found",
        f"No active session {_ID} for this client's user.",
    ),
    409: _err(
        409,
        "Session limit reached",
        "session-limit-reached",
        "Session limit reached",
        "The user has 10 active sessions; delete one first",
    ),
    413: _err(
        413, "Request body too large", "payload-too-large", "Request body too large", "Too large"
    ),
    415: _err(
        415,
        "Content-Type must be application/json",
        "unsupported-media-type",
        "Content-Type must be application/json",
        "Content-Type must be application/json",
    ),
    429: _err(
        429, "Too many requests (see Retry-After)", "rate-limited", "Too many requests", "Slow down"
    ),
}

LISTED: Final = answer(
    SessionListEnvelope,
    "The user's active sessions, oldest first",
    first_page={
        "ok": True,
        "data": [_SESSION, {**_SESSION, "id": "42.30d7f63e.9e77c70e"}],
        "next_page_token": "eyJrIjpbMTcyODYzNzc3MjAwMDAwMCwiNDIuMzBkN2Y2M2UuOWU3N2M3MGUiXX0",
    },
    last_page={"ok": True, "data": [_SESSION], "next_page_token": None},
)
ONE: Final = answer(SessionEnvelope, "The session", session={"ok": True, "data": _SESSION})
CREATED: Final = answer(
    NewSessionEnvelope,
    "The new session and its tokens (shown only here)",
    new_session={
        "ok": True,
        "data": {
            **_SESSION,
            "intent": "translation",
            "publisher": "gs_3rtYr83SbW4fnTsaU37dENqcxNj76CECPaLTBH4gfHo",
            "subscriber": ["gs_eBrjN2J5Na3QBuvN-onk3JjcHicynSorLCDsI8NoGuk"],
            "ws_url": "wss://rt.example.com/streaming-api/v1/ws",
            "webrtc_url": "wss://rt.example.com/livekit",
            "webrtc_room_name": "room-81d4b23eefd9c4dd6d9b26db",
        },
    },
)
WHOAMI: Final = answer(
    TokenSessionEnvelope,
    "The session of the token, and the token's role",
    publisher={"ok": True, "data": {**_SESSION, "user_id": "42", "role": "publisher"}},
)

NEW_SESSION_EXAMPLES: Final = {
    "defaults": {},
    "one hour, two listeners": {
        "data": {"ttl_seconds": 3600, "intent": "translation", "subscriber_count": 2}
    },
}
TTL_EXAMPLES: Final = {"one day": {"data": {"ttl_seconds": 86400}}}
