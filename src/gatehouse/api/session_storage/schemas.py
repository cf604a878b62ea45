"""Wire types of the Session Storage API (snake_case, RFC 3339 UTC seconds)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from gatehouse.core.clock import rfc3339
from gatehouse.core.models import Session
from gatehouse.services.sessions import MAX_INTENT_LENGTH, MAX_SUBSCRIBERS

#: The default (and usual) project maximum of ``ttl_seconds``: 365 days.
MAX_TTL_DEFAULT = 365 * 24 * 3600

__all__ = [
    "NewSessionEnvelope",
    "NewSessionOut",
    "NewSessionRequest",
    "NewSessionRequestData",
    "SessionEnvelope",
    "SessionListEnvelope",
    "SessionOut",
    "SessionStorageErrorBody",
    "SessionStorageErrorItem",
    "SessionTtlRequest",
    "SessionTtlRequestData",
    "TokenSessionEnvelope",
    "TokenSessionOut",
    "session_out",
    "token_session_envelope",
]


class SessionOut(msgspec.Struct):
    id: str
    created_at: str
    updated_at: str
    expires_at: str
    intent: str | None = None


class NewSessionOut(msgspec.Struct):
    id: str
    created_at: str
    updated_at: str
    expires_at: str
    intent: str | None
    publisher: str
    subscriber: list[str]
    ws_url: str
    webrtc_url: str
    webrtc_room_name: str


class TokenSessionOut(msgspec.Struct):
    id: str
    created_at: str
    updated_at: str
    expires_at: str
    intent: str | None
    user_id: str
    role: str


class SessionEnvelope(msgspec.Struct):
    data: SessionOut
    ok: bool = True


class SessionListEnvelope(msgspec.Struct):
    data: list[SessionOut]
    next_page_token: str | None
    ok: bool = True


class NewSessionEnvelope(msgspec.Struct):
    data: NewSessionOut
    ok: bool = True


class TokenSessionEnvelope(msgspec.Struct):
    data: TokenSessionOut
    ok: bool = True


class SessionStorageErrorItem(msgspec.Struct):
    type: str
    status: int
    title: str
    detail: str
    instance: str
    error_code: int


class SessionStorageErrorBody(msgspec.Struct):
    error: str
    errors: list[SessionStorageErrorItem]
    ok: bool = False


# The limits below are documented only (``extra_json_schema``): the services check them
# and answer in the surface's error shape, naming the field.
_TTL = Annotated[int, msgspec.Meta(extra_json_schema={"minimum": 1, "maximum": MAX_TTL_DEFAULT})]


class NewSessionRequestData(msgspec.Struct, forbid_unknown_fields=False):
    """``ttl_seconds`` at most the project's maximum (default 365 days)."""

    ttl_seconds: _TTL | None = None
    intent: (
        Annotated[str, msgspec.Meta(extra_json_schema={"maxLength": MAX_INTENT_LENGTH})] | None
    ) = None
    subscriber_count: Annotated[
        int, msgspec.Meta(extra_json_schema={"minimum": 0, "maximum": MAX_SUBSCRIBERS})
    ] = 0


class NewSessionRequest(msgspec.Struct, forbid_unknown_fields=False):
    data: NewSessionRequestData | None = None


class SessionTtlRequestData(msgspec.Struct, forbid_unknown_fields=False):
    """``ttl_seconds`` at most the project's maximum (default 365 days)."""

    ttl_seconds: _TTL | None = None


class SessionTtlRequest(msgspec.Struct, forbid_unknown_fields=False):
    data: SessionTtlRequestData | None = None


def token_session_envelope(session: Session, role: str) -> TokenSessionEnvelope:
    out = TokenSessionOut(
        id=session.id,
        created_at=rfc3339(session.created_at),
        updated_at=rfc3339(session.updated_at),
        expires_at=rfc3339(session.expires_at),
        intent=session.intent,
        user_id=str(session.user_id),
        role=role,
    )
    return TokenSessionEnvelope(data=out)


def session_out(session: Session) -> SessionOut:
    return SessionOut(
        id=session.id,
        created_at=rfc3339(session.created_at),
        updated_at=rfc3339(session.updated_at),
        expires_at=rfc3339(session.expires_at),
        intent=session.intent,
    )
