"""Keyset page tokens: opaque, signed, bound to the listing they came from.

A token carries the last row's (created_at, id) so the next page starts right
after it whatever was inserted or deleted in between. It is unpadded base64url of
``payload || tag``, where the tag is a truncated HMAC over the scope (the user
listed) and the payload, so a token is useless for another user's listing and any
edit is detected.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass

__all__ = ["MAX_TOKEN_LENGTH", "Cursor", "CursorCodec", "InvalidCursor"]

_TAG_BYTES = 16
#: Decoding refuses anything longer (bounded work on untrusted input); encoding
#: refuses to mint it. Room for ids of ~1,000 ASCII characters (session ids are 37).
MAX_TOKEN_LENGTH = 1536


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Cursor:
    created_at: int
    id: str


class CursorCodec:
    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _tag(self, scope: str, payload: bytes) -> bytes:
        mac = hmac.new(self._key, scope.encode() + b"\x00" + payload, hashlib.sha256)
        return mac.digest()[:_TAG_BYTES]

    def encode(self, cursor: Cursor, *, scope: str) -> str:
        # UTF-8 rather than \uXXXX escapes: a non-ASCII id costs 2-4 bytes a
        # character, not 6-12.
        payload = json.dumps(
            [cursor.created_at, cursor.id], separators=(",", ":"), ensure_ascii=False
        ).encode()
        raw = payload + self._tag(scope, payload)
        token = base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidCursor("id too long for a page token")
        return token

    def decode(self, token: str, *, scope: str) -> Cursor:
        if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
            raise InvalidCursor("malformed page token")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError) as exc:
            raise InvalidCursor("malformed page token") from exc
        # One spelling per token: padding or altered spare bits are edits too.
        if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != token:
            raise InvalidCursor("malformed page token")
        payload, tag = raw[:-_TAG_BYTES], raw[-_TAG_BYTES:]
        if len(raw) <= _TAG_BYTES or not hmac.compare_digest(tag, self._tag(scope, payload)):
            raise InvalidCursor("page token is not valid for this listing")
        try:
            created_at, session_id = json.loads(payload)
        except (ValueError, TypeError) as exc:  # pragma: no cover - signed by us
            raise InvalidCursor("malformed page token") from exc
        if not isinstance(created_at, int) or not isinstance(session_id, str):
            raise InvalidCursor("malformed page token")  # pragma: no cover - signed by us
        return Cursor(created_at, session_id)
