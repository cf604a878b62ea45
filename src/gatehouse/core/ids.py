"""Public identifiers. A session id names a session; it is never a bearer secret."""

from __future__ import annotations

import re
import secrets

__all__ = ["is_session_id", "new_client_id", "new_room_name", "new_session_id"]

_SESSION_ID = re.compile(r"[0-9]{1,19}\.[0-9a-f]{8}\.[0-9a-f]{8}")


def new_session_id(user_id: int) -> str:
    """``<user id>.<8 hex>.<8 hex>``, the original's format (lowercase hex)."""
    return f"{user_id}.{secrets.token_hex(4)}.{secrets.token_hex(4)}"


def is_session_id(value: str) -> bool:
    return len(value) <= 37 and _SESSION_ID.fullmatch(value) is not None


def new_client_id() -> str:
    return secrets.token_hex(16)


def new_room_name() -> str:
    return "room-" + secrets.token_hex(12)
