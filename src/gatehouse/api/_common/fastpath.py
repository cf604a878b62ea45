"""A framework-free lane for the hottest requests.

"Who is this token?" is asked on every request of a game's backend, so its cost
is the product. Measured here (docs/benchmarks.md), Litestar's request handling
costs ~3 times what the lookup itself does. This ASGI layer answers the few hot
routes directly, with the same services, the same response Structs and the same
error renderer (``errors``) as the Litestar handlers. A domain error raised by a
service is rendered here, so a failed credential is checked and counted once.
Anything the handler is unsure about that no service has looked at yet (missing
or odd headers, an unexpected query) returns None before any credential is
checked: the request goes on to Litestar, which answers it exactly as if this
layer did not exist.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPResponseStartEvent, Receive, Scope, Send

from gatehouse.core.errors import GatehouseError

__all__ = ["FastRequest", "FastRoute", "RenderError", "fast_lane"]

_encode = msgspec.json.Encoder().encode
#: (status, extra headers, body)
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]
_JSON_HEADERS = [(b"content-type", b"application/json")]


@dataclass(frozen=True, slots=True)
class FastRequest:
    scope: Scope
    services: Any
    #: The path parameter when the route is a prefix route (``…/sessions/{id}``).
    tail: str

    def headers(self, name: bytes) -> list[str]:
        return [v.decode("latin-1") for k, v in self.scope["headers"] if k == name]

    def one_header(self, name: bytes) -> str | None:
        """The value of a header sent exactly once, else None."""
        values = self.headers(name)
        return values[0] if len(values) == 1 else None

    @property
    def query(self) -> bytes:
        return bytes(self.scope.get("query_string", b""))


#: Answers (status, Struct) for a request it is sure about, else None; may raise a
#: domain error.
FastHandler = Callable[[FastRequest], Awaitable[tuple[int, msgspec.Struct | bool] | None]]
#: A surface's ``errors.render``: (exception, path) → (status, headers, body).
RenderError = Callable[[GatehouseError, str], tuple[int, dict[str, str], bytes]]


@dataclass(frozen=True, slots=True)
class FastRoute:
    method: str
    path: str
    template: str
    handler: FastHandler
    errors: RenderError
    prefix: bool = False  # match ``path`` + one more segment


def fast_lane(app: ASGIApp, routes: Sequence[FastRoute], services: Any) -> ASGIApp:
    exact = {(r.method, r.path): r for r in routes if not r.prefix}
    prefixed = [r for r in routes if r.prefix]

    def match(method: str, path: str) -> tuple[FastRoute, str] | None:
        route = exact.get((method, path))
        if route is not None:
            return route, ""
        for route in prefixed:
            if route.method == method and path.startswith(route.path):
                tail = path[len(route.path) :]
                if tail and "/" not in tail:
                    return route, tail
        return None

    async def respond(route: FastRoute, scope: Scope, tail: str) -> Answer | None:
        try:
            found = await route.handler(FastRequest(scope, services, tail))
        except GatehouseError as exc:
            status, extra, body = route.errors(exc, scope["path"])
            return status, [(k.lower().encode(), v.encode()) for k, v in extra.items()], body
        except Exception:  # storage trouble and the like: Litestar renders it
            return None
        if found is None:
            return None
        return found[0], [], _encode(found[1])

    async def lane(scope: Scope, receive: Receive, send: Send) -> None:
        found = match(str(scope.get("method", "")), scope["path"])
        if found is not None and scope["type"] == ScopeType.HTTP:
            route, tail = found
            answer = await respond(route, scope, tail)
            if answer is not None:
                status, headers, body = answer
                scope["path_template"] = route.template
                start: HTTPResponseStartEvent = {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        *_JSON_HEADERS,
                        *headers,
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
                await send(start)
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
        await app(scope, receive, send)

    return lane
