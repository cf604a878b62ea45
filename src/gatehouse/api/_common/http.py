"""One request as an operation sees it (``Call``), and what it answers (``Reply``).

Every endpoint of the three surfaces is one framework-free function
``async def op(call: Call) -> Reply``: parse, call one service, encode. It raises
a domain error (``GatehouseError``) or a ``Problem`` (the HTTP-level failures:
unreadable body, wrong media type, bad query) and the surface's one bytes-level
renderer answers it. Nothing here knows a surface or a framework.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar
from urllib.parse import parse_qsl

import msgspec

from gatehouse.api._common.net import client_address
from gatehouse.core.errors import InvalidInput

__all__ = ["EMPTY", "Call", "Problem", "Reply", "convert", "json_reply"]

T = TypeVar("T")
Headers = list[tuple[bytes, bytes]]

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder().decode
#: Floats above this are not exact integers (2**53).
_MAX_EXACT: Final = 2**53
#: What ``Call.json`` answers for a request without a body.
EMPTY: Any = object()


class Problem(Exception):
    """An HTTP-level failure (no route, wrong method, unreadable body, bad query):
    each surface renders it in its own error shape."""

    def __init__(
        self,
        status: int,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers or {}


@dataclass(slots=True)
class Reply:
    status: int
    body: bytes = b""
    headers: Headers = field(default_factory=list)
    content_type: bytes = b"application/json"

    @classmethod
    def rendered(cls, answer: tuple[int, dict[str, str], bytes]) -> Reply:
        """A surface renderer's (status, headers, body) as a reply."""
        status, headers, body = answer
        media = b"application/json"
        pairs: Headers = []
        for k, v in headers.items():
            if k.lower() == "content-type":
                media = v.encode()
            else:
                pairs.append((k.lower().encode(), v.encode()))
        return cls(status, body, pairs, media)


def json_reply(value: Any, status: int = 200) -> Reply:
    """A JSON answer (a wire Struct, a bool, a dict)."""
    return Reply(status, _encode(value))


class Call:
    """The parts of one HTTP request an operation may read, each parsed on demand."""

    __slots__ = ("_body", "_caller", "_query", "params", "receive", "scope", "services")

    def __init__(
        self, scope: dict[str, Any], receive: Any, services: Any, params: dict[str, str]
    ) -> None:
        self.scope = scope
        self.receive = receive
        self.services = services
        #: Path parameters by name (``session_id``).
        self.params = params
        self._caller: str | None = None
        self._query: dict[str, list[str]] | None = None
        self._body: bytes | None = None

    @property
    def path(self) -> str:
        return str(self.scope["path"])

    def headers(self, name: bytes) -> list[str]:
        """Every value of header ``name`` (lower case), in order."""
        return [v.decode("latin-1") for k, v in self.scope["headers"] if k == name]

    def one_header(self, name: bytes) -> str | None:
        """The value of a header sent exactly once, else None."""
        found = None
        for k, v in self.scope["headers"]:
            if k == name:
                if found is not None:
                    return None
                found = v
        return None if found is None else found.decode("latin-1")

    def header(self, name: bytes, default: str = "") -> str:
        """The first value of header ``name``."""
        for k, v in self.scope["headers"]:
            if k == name:
                return str(v.decode("latin-1"))
        return default

    @property
    def user_agent(self) -> str:
        return self.header(b"user-agent")

    @property
    def caller(self) -> str:
        """The caller's address (``X-Forwarded-For`` believed only from trusted proxies)."""
        if self._caller is None:
            self._caller = client_address(self.scope, self.services.settings.trusted_proxies)
        return self._caller

    @property
    def query(self) -> dict[str, list[str]]:
        if self._query is None:
            parsed: dict[str, list[str]] = {}
            raw = self.scope.get("query_string", b"")
            if raw:
                for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
                    parsed.setdefault(key, []).append(value)
            self._query = parsed
        return self._query

    def query_value(self, name: str) -> str | None:
        """The value of a query parameter; the last one when repeated."""
        values = self.query.get(name)
        return values[-1] if values else None

    def query_int(self, name: str) -> int | None:
        """An integer query parameter (its range is the service's to judge), else 400."""
        raw = self.query_value(name)
        if raw is None:
            return None
        try:
            return int(raw.strip())
        except ValueError:
            pass
        try:  # JSON Schema's integer: 5.0 is 5
            number = float(raw)
        except ValueError:
            number = math.nan
        if not number.is_integer() or abs(number) > _MAX_EXACT:
            raise Problem(400, f"Invalid value: {name} must be an integer", name)
        return int(number)

    async def body(self) -> bytes:
        """The whole body, at most ``settings.max_body_bytes`` (else 413)."""
        if self._body is not None:
            return self._body
        limit = self.services.settings.max_body_bytes
        declared = self.header(b"content-length")
        if declared.isdigit() and int(declared) > limit:
            raise Problem(413, "Request body too large")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise Problem(413, "Request body too large")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        self._body = b"".join(chunks)
        return self._body

    async def json(self) -> Any:
        """The decoded JSON body; ``EMPTY`` for an absent or blank body (JSON ``null``
        is a value). A non-JSON ``Content-Type`` is 415, malformed JSON is 400.
        Integral numbers are ints however spelled (``3600.0``)."""
        body = await self.body()
        if not body.strip():
            return EMPTY
        media = self.header(b"content-type", "application/json")
        media = media.split(";", 1)[0].strip().lower()
        if media != "application/json" and not media.endswith("+json"):
            raise Problem(415, "Content-Type must be application/json")
        try:
            value = _decode(body)
        except msgspec.DecodeError:
            raise Problem(400, "Malformed JSON body") from None
        return _integral(value)

    async def json_as(self, kind: Any) -> Any:
        """The body converted to ``kind``; None when there is no body."""
        value = await self.json()
        return None if value is EMPTY else convert(value, kind)


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
    """``value`` as wire type ``kind``, naming the offending field on failure."""
    try:
        return msgspec.convert(value, type=kind)
    except msgspec.ValidationError as exc:
        text = str(exc)
        path = text.rpartition("at `$.")[2].rstrip("`") if "at `$." in text else ""
        name = path.split("[", 1)[0] or None
        raise InvalidInput(f"Invalid body: {text}", field=name) from None


def allow_header(methods: Sequence[str]) -> str:
    return ", ".join(sorted({*methods, "OPTIONS"}))
