"""The router of the three surfaces: each request goes to one operation, and
whatever fails is rendered once, by the surface's own renderer.

Measured (docs/benchmarks.md), a framework's request handling cost more than the
token lookup it wraps, so the surfaces are served here, framework-free: match the
path, call ``op(Call) -> Reply``, send the bytes, count the request and write its
access line. Everything else (``/docs``, the OpenAPI document, ``/healthz``,
``/metrics``, unknown paths outside the surfaces) goes on to ``fallback``.

Per surface: ``OPTIONS`` answers ``Allow`` with the path's methods, another
method is 405 with ``Allow``, an unknown path under the prefix is 404, a storage
outage is 503 with ``Retry-After``, a bug is a logged 500 whose line names the
route template, never the raw path (path segments carry ids).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gatehouse.api._common.crash import RETRY_AFTER_OUTAGE, crash_error
from gatehouse.api._common.http import Call, Problem, Reply, allow_header
from gatehouse.core.errors import GatehouseError, StorageUnavailable
from gatehouse.observability import mint_request_id, record_request, request_id

__all__ = ["Operation", "Renderer", "Route", "Router", "Surface"]


Operation = Callable[[Call], Awaitable[Reply]]
#: A surface's renderer: (domain error or problem, path) -> (status, headers, body).
Renderer = Callable[[GatehouseError | Problem, str], tuple[int, dict[str, str], bytes]]
ASGI = Callable[[Any, Any, Any], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    #: Relative to the surface's prefix; ``{name}`` is one path segment.
    template: str
    op: Operation


@dataclass(slots=True)
class _Path:
    """One path template of a surface and its operations by method."""

    template: str
    parts: tuple[str, ...]
    ops: dict[str, Operation] = field(default_factory=dict)

    def match(self, parts: list[str]) -> dict[str, str] | None:
        if len(parts) != len(self.parts):
            return None
        params = {}
        for mine, theirs in zip(self.parts, parts, strict=True):
            if mine.startswith("{"):
                if not theirs:
                    return None
                params[mine[1:-1]] = theirs
            elif mine != theirs:
                return None
        return params


@dataclass
class Surface:
    prefix: str
    routes: Sequence[Route]
    render: Renderer
    _exact: dict[str, _Path] = field(default_factory=dict, init=False)
    _templated: list[_Path] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        paths: dict[str, _Path] = {}
        for route in self.routes:
            template = self.prefix + route.template
            found = paths.setdefault(template, _Path(template, tuple(template.split("/"))))
            found.ops[route.method] = route.op
        for template, found in paths.items():
            if "{" in template:
                self._templated.append(found)
            else:
                self._exact[template] = found

    def owns(self, path: str) -> bool:
        return path.startswith(self.prefix) and (
            len(path) == len(self.prefix) or path[len(self.prefix)] == "/"
        )

    def find(self, path: str) -> tuple[_Path, dict[str, str]] | None:
        found = self._exact.get(path)
        if found is not None:
            return found, {}
        parts = path.split("/")
        for candidate in self._templated:
            params = candidate.match(parts)
            if params is not None:
                return candidate, params
        return None


class Router:
    def __init__(self, surfaces: Sequence[Surface], services: Any, fallback: ASGI) -> None:
        self._surfaces = list(surfaces)
        self._services = services
        self._fallback = fallback

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                path = path.rstrip("/") or "/"
            for surface in self._surfaces:
                if surface.owns(path):
                    await self._serve(surface, path, scope, receive, send)
                    return
        await self._fallback(scope, receive, send)

    async def _serve(
        self, surface: Surface, path: str, scope: Any, receive: Any, send: Any
    ) -> None:
        started = time.perf_counter()
        rid = mint_request_id(scope["headers"])
        token = request_id.set(rid)
        method: str = scope["method"]
        template = "unmatched"
        status = 500
        try:
            found = surface.find(path)
            if found is None:
                reply = self._error(surface, Problem(404, "Not found"), scope)
            else:
                target, params = found
                template = target.template
                scope["path_template"] = template
                op = target.ops.get(method)
                if op is not None:
                    reply = await self._call(surface, op, template, scope, receive, params)
                elif method == "OPTIONS":
                    reply = Reply(204, b"", [(b"allow", allow_header(list(target.ops)).encode())])
                else:
                    allow = {"Allow": allow_header(list(target.ops))}
                    problem = Problem(405, "Method not allowed", None, allow)
                    reply = self._error(surface, problem, scope)
            status = reply.status
            await _send(send, reply, rid)
        finally:
            record_request(rid, method, template, status, started)
            request_id.reset(token)

    async def _call(
        self,
        surface: Surface,
        op: Operation,
        template: str,
        scope: Any,
        receive: Any,
        params: dict[str, str],
    ) -> Reply:
        try:
            return await op(Call(scope, receive, self._services, params))
        except (GatehouseError, Problem) as exc:
            return self._error(surface, exc, scope)
        except Exception as exc:
            error = crash_error(exc, scope["method"], template)
            reply = self._error(surface, error, scope)
            if isinstance(error, StorageUnavailable):
                reply.headers.append((b"retry-after", RETRY_AFTER_OUTAGE.encode()))
            return reply

    @staticmethod
    def _error(surface: Surface, exc: GatehouseError | Problem, scope: Any) -> Reply:
        return Reply.rendered(surface.render(exc, scope["path"]))


async def _send(send: Any, reply: Reply, rid: str) -> None:
    headers = [(b"x-request-id", rid.encode()), *reply.headers]
    if reply.status != 204:
        headers.append((b"content-type", reply.content_type))
        headers.append((b"content-length", str(len(reply.body)).encode()))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body, "more_body": False})
