"""Typed reads of JSON answers: each raises ``UnexpectedResponse`` naming the key
when the server's answer is not of the documented shape."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from gatehouse_client.errors import UnexpectedResponse

__all__ = [
    "body_of",
    "boolean",
    "integer",
    "obj",
    "optional_int",
    "optional_obj",
    "optional_rfc3339",
    "optional_str",
    "rfc3339",
    "string",
    "strings",
    "unexpected",
    "unix_time",
]


def unexpected(key: str, expected: str, value: object) -> UnexpectedResponse:
    return UnexpectedResponse(f"{key!r} is not {expected}: {value!r:.80}")


def body_of(response: httpx.Response) -> Any:
    """The decoded JSON body (``UnexpectedResponse`` if there is none)."""
    try:
        return response.json()
    except ValueError:
        raise UnexpectedResponse(
            f"HTTP {response.status_code} answer is not JSON: {response.text[:120]!r}",
            status=response.status_code,
        ) from None


def obj(value: object, key: str = "body") -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise unexpected(key, "an object", value)
    return value


def optional_obj(m: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    value = m.get(key)
    return None if value is None else obj(value, key)


def string(m: Mapping[str, Any], key: str) -> str:
    value = m.get(key)
    if not isinstance(value, str):
        raise unexpected(key, "a string", value)
    return value


def optional_str(m: Mapping[str, Any], key: str) -> str | None:
    value = m.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise unexpected(key, "a string or null", value)
    return value


def strings(m: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = m.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise unexpected(key, "a list of strings", value)
    return tuple(value)


def integer(m: Mapping[str, Any], key: str) -> int:
    value = m.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise unexpected(key, "an integer", value)
    return int(value)


def optional_int(m: Mapping[str, Any], key: str) -> int | None:
    return None if m.get(key) is None else integer(m, key)


def boolean(m: Mapping[str, Any], key: str) -> bool:
    value = m.get(key)
    if not isinstance(value, bool):
        raise unexpected(key, "a boolean", value)
    return value


def rfc3339(m: Mapping[str, Any], key: str) -> datetime:
    """``2024-10-11T09:02:56Z`` → an aware UTC datetime."""
    text = string(m, key)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise unexpected(key, "an RFC 3339 time", text) from None
    if parsed.tzinfo is None:
        raise unexpected(key, "an RFC 3339 time with an offset", text)
    return parsed.astimezone(UTC)


def optional_rfc3339(m: Mapping[str, Any], key: str) -> datetime | None:
    return None if m.get(key) is None else rfc3339(m, key)


def unix_time(m: Mapping[str, Any], key: str) -> datetime:
    """UNIX seconds → an aware UTC datetime."""
    return datetime.fromtimestamp(integer(m, key), UTC)
