"""Litestar's own failures (what the framework still answers: ``/docs``, the
OpenAPI document, the operations endpoints, paths outside every surface) as a
``Problem`` for one renderer. The surfaces never reach Litestar: their router
renders their failures itself (``routing.py``).
"""

from __future__ import annotations

from typing import Any, Protocol

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from gatehouse.api._common.crash import RETRY_AFTER_OUTAGE, crash_error
from gatehouse.api._common.http import Problem
from gatehouse.core.errors import GatehouseError

__all__ = ["ErrorRenderer", "exception_handlers", "problem_from_http"]


class ErrorRenderer(Protocol):
    def domain(self, exc: GatehouseError, request: Request[Any, Any, Any]) -> Response[Any]: ...

    def http(self, problem: Problem, request: Request[Any, Any, Any]) -> Response[Any]: ...


_MESSAGES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    413: "Request body too large",
    415: "Unsupported media type",
    500: "Internal server error",
}


def problem_from_http(exc: HTTPException) -> Problem:
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
    return Problem(status, message, field, headers or None)


def exception_handlers(renderer: ErrorRenderer) -> dict[type[Exception], Any]:
    def on_domain(request: Request[Any, Any, Any], exc: GatehouseError) -> Response[Any]:
        return renderer.domain(exc, request)

    def on_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
        problem = problem_from_http(exc)
        response = renderer.http(problem, request)
        for name, value in problem.headers.items():
            response.headers[name] = value
        return response

    def on_crash(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        route = str(request.scope.get("path_template") or "unmatched")
        error = crash_error(exc, request.method, route)
        if isinstance(error, Problem):
            return renderer.http(error, request)
        response = renderer.domain(error, request)
        response.headers["Retry-After"] = RETRY_AFTER_OUTAGE
        return response

    return {GatehouseError: on_domain, HTTPException: on_http, Exception: on_crash}
