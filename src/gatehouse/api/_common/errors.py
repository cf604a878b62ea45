"""Route every error to the error shape of the surface the request was for.

Litestar resolves "no such route" and similar framework errors before any
surface router is chosen, so the dispatch is by path prefix, in one place. Each
surface registers an ``ErrorRenderer``; framework errors are first translated to
a plain ``HttpProblem`` (status, message, field) so surfaces see one vocabulary.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from gatehouse.adapters.store.engine import is_storage_outage
from gatehouse.core.errors import GatehouseError, StorageUnavailable

__all__ = ["ErrorRenderer", "HttpProblem", "exception_handlers", "problem_from_http"]

log = logging.getLogger("gatehouse.errors")


@dataclass(frozen=True, slots=True)
class HttpProblem:
    """A framework-level failure: no route, wrong method, malformed body, too large."""

    status: int
    message: str
    field: str | None = None
    #: Headers the answer must carry (``Allow`` on a 405).
    headers: dict[str, str] | None = None


class ErrorRenderer(Protocol):
    def domain(self, exc: GatehouseError, request: Request[Any, Any, Any]) -> Response[Any]: ...

    def http(self, problem: HttpProblem, request: Request[Any, Any, Any]) -> Response[Any]: ...


_MESSAGES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    413: "Request body too large",
    415: "Unsupported media type",
    500: "Internal server error",
}


def problem_from_http(exc: HTTPException) -> HttpProblem:
    status = exc.status_code
    field = None
    message = _MESSAGES.get(status, exc.detail or "Request failed")
    if status in (400, 415) and exc.detail and not isinstance(exc, ValidationException):
        message = exc.detail
    if isinstance(exc, ValidationException):
        extra = exc.extra if isinstance(exc.extra, list) else []
        keys = [e.get("key") for e in extra if isinstance(e, dict) and e.get("key")]
        field = ".".join(str(k) for k in keys[:1]) or None
        if extra and isinstance(extra[0], dict) and extra[0].get("message"):
            message = f"Invalid value: {extra[0]['message']}"
        elif "JSON" in (exc.detail or ""):
            message = "Malformed JSON body"
        else:
            message = "Invalid request"
    headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() == "allow"}
    return HttpProblem(status, message, field, headers or None)


def exception_handlers(
    renderers: dict[str, ErrorRenderer], fallback: ErrorRenderer
) -> dict[type[Exception], Any]:
    """Litestar exception handlers that pick the renderer by the path prefix."""
    ordered = sorted(renderers.items(), key=lambda kv: -len(kv[0]))

    def pick(request: Request[Any, Any, Any]) -> ErrorRenderer:
        path = request.scope.get("path", "")
        for prefix, renderer in ordered:
            if path == prefix or path.startswith(prefix + "/"):
                return renderer
        return fallback

    def on_domain(request: Request[Any, Any, Any], exc: GatehouseError) -> Response[Any]:
        return pick(request).domain(exc, request)

    def on_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
        problem = problem_from_http(exc)
        response = pick(request).http(problem, request)
        for name, value in (problem.headers or {}).items():
            response.headers[name] = value
        return response

    def on_crash(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        if is_storage_outage(exc):
            # Not a bug: the database is away (restart, failover). A clean 503 in
            # the surface's shape; the pool reconnects by itself once it is back.
            log.warning("storage unavailable: %s", type(exc).__name__)
            response = pick(request).domain(StorageUnavailable(), request)
            response.headers["Retry-After"] = "1"
            return response
        # Logged with the traceback for operators; the client sees a plain 500 body.
        # The route template, never the raw path: path segments carry ids.
        route = str(request.scope.get("path_template") or "unmatched")
        log.error(
            "unhandled error on %s %s",
            request.method,
            route,
            exc_info=exc,
            extra={"method": request.method, "route": route},
        )
        return pick(request).http(HttpProblem(500, _MESSAGES[500]), request)

    return {GatehouseError: on_domain, HTTPException: on_http, Exception: on_crash}
