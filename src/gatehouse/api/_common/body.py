"""Request bodies, read the same way on every surface.

An absent or blank body is ``EMPTY`` (JSON ``null`` is a value); a body with a
non-JSON ``Content-Type`` is 415; malformed JSON is 400. Both are raised as
framework errors so each surface renders them in its own shape. ``convert``
turns the decoded value into a wire type, naming the offending field
(``data.ttl_seconds``) on failure.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.exceptions import HTTPException

from gatehouse.core.errors import InvalidInput

__all__ = ["EMPTY", "convert", "read_as", "read_json"]

T = TypeVar("T")
_decode = msgspec.json.Decoder().decode

#: What ``read_json`` answers for a request without a body.
EMPTY: Any = object()


async def read_json(request: Request[Any, Any, Any]) -> Any:
    body = await request.body()
    if not body.strip():
        return EMPTY
    media = request.headers.get("content-type", "application/json")
    media = media.split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise HTTPException(status_code=415, detail="Content-Type must be application/json")
    try:
        return _decode(body)
    except msgspec.DecodeError:
        raise HTTPException(status_code=400, detail="Malformed JSON body") from None


def convert(value: Any, kind: type[T]) -> T:
    try:
        return msgspec.convert(value, type=kind)
    except msgspec.ValidationError as exc:
        text = str(exc)
        path = text.rpartition("at `$.")[2].rstrip("`") if "at `$." in text else ""
        field = path.split("[", 1)[0] or None
        raise InvalidInput(f"Invalid body: {text}", field=field) from None


async def read_as(request: Request[Any, Any, Any], kind: Any) -> Any:
    """The body converted to ``kind``; None when there is no body."""
    value = await read_json(request)
    return None if value is EMPTY else convert(value, kind)
