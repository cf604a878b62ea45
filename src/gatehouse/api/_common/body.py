"""Request bodies, read the same way on every surface.

An absent or blank body is ``EMPTY`` (JSON ``null`` is a value); a body with a
non-JSON ``Content-Type`` is 415; malformed JSON is 400. Both are raised as
framework errors so each surface renders them in its own shape. Integral numbers
are ints however spelled (``3600.0``). ``convert``
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
#: Floats above this are not exact integers (2**53).
_MAX_EXACT = 2**53

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
        value = _decode(body)
    except msgspec.DecodeError:
        raise HTTPException(status_code=400, detail="Malformed JSON body") from None
    return _integral(value)


def _integral(value: Any) -> Any:
    """JSON has numbers, not ints and floats: ``3600.0`` is the integer 3600 (as JSON
    Schema's ``integer`` says), so integral floats become ints before conversion."""
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) <= _MAX_EXACT else value
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


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
