"""What the account pages answer when a request cannot be served at all (no such
project or page, a forged or expired form, storage trouble): a small HTML page,
never a stack trace. Refusals inside a form are shown in the form instead."""

from __future__ import annotations

from gatehouse.api._common.http import Problem
from gatehouse.api.account_pages.page import PageProblem, environment
from gatehouse.api.account_pages.web import PAGE_HEADERS
from gatehouse.core.errors import ErrorCode, GatehouseError, RateLimited

__all__ = ["PREFIX", "render"]

PREFIX = "/account"

_STATUS = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.PROJECT_NOT_FOUND: 404,
    ErrorCode.USER_NOT_FOUND: 404,
    ErrorCode.SESSION_NOT_FOUND: 404,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.STORAGE_UNAVAILABLE: 503,
    ErrorCode.UPSTREAM_UNAVAILABLE: 503,
}
_TITLES = {
    403: "This form has expired",
    404: "Page not found",
    405: "Not allowed",
    413: "Too much data",
    415: "Not a form",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Try again in a moment",
}


def render(exc: GatehouseError | Problem, path: str) -> tuple[int, dict[str, str], bytes]:
    if isinstance(exc, PageProblem):  # rendered by the page that refused
        reply = exc.reply
        pairs = {k.decode(): v.decode() for k, v in reply.headers if k != b"set-cookie"}
        return reply.status, {**pairs, "Content-Type": reply.content_type.decode()}, reply.body
    headers = {k.decode(): v.decode() for k, v in PAGE_HEADERS}
    headers["Content-Type"] = "text/html; charset=utf-8"
    if isinstance(exc, Problem):
        status, message = exc.status, exc.message
        headers.update(exc.headers)
    else:
        status = _STATUS.get(exc.code, 400)
        message = exc.message
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(exc.retry_after)
    if status == 404:
        message = "There is no such page here. Check the address."
    title = _TITLES.get(status, "That did not work")
    body = environment().get_template("error.html").render(title=title, message=message)
    return status, headers, body.encode()
