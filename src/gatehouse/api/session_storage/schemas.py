"""Wire types of the Session Storage API (snake_case, RFC 3339 UTC seconds)."""

from __future__ import annotations

import msgspec

from gatehouse.core.clock import rfc3339
from gatehouse.core.models import Session

__all__ = [
    "CreateBody",
    "CreateData",
    "ErrorBody",
    "ErrorItem",
    "NewSessionEnvelope",
    "NewSessionOut",
    "SessionEnvelope",
    "SessionListEnvelope",
    "SessionOut",
    "TokenSessionEnvelope",
    "TokenSessionOut",
    "TtlBody",
    "TtlData",
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


class ErrorItem(msgspec.Struct):
    type: str
    status: int
    title: str
    detail: str
    instance: str
    error_code: int


class ErrorBody(msgspec.Struct):
    error: str
    errors: list[ErrorItem]
    ok: bool = False


class CreateData(msgspec.Struct, forbid_unknown_fields=False):
    ttl_seconds: int | None = None
    intent: str | None = None
    subscriber_count: int = 0


class CreateBody(msgspec.Struct, forbid_unknown_fields=False):
    data: CreateData | None = None


class TtlData(msgspec.Struct, forbid_unknown_fields=False):
    ttl_seconds: int | None = None


class TtlBody(msgspec.Struct, forbid_unknown_fields=False):
    data: TtlData | None = None


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
