"""Failed answers → exceptions, one reader per surface's error shape.

An answer that is not in the surface's shape (a proxy's HTML 502, say) still
becomes the exception of its status, with the reason phrase as its message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from gatehouse_client import _json as j
from gatehouse_client.errors import (
    AccountErrorBody,
    ErrorBody,
    FieldError,
    GatehouseError,
    HiveMPErrorBody,
    ProblemDetails,
    PropertyError,
    SessionStorageErrorBody,
    SessionStorageProblem,
    UnexpectedResponse,
    error_for,
)
from gatehouse_client.retry import parse_retry_after

__all__ = ["account_error", "admin_error", "hivemp_error", "session_storage_error"]

SESSION_STORAGE = "session-storage"
USER_SESSION_V1 = "user-session-v1"
ACCOUNT_V3 = "account-v3"
ADMIN_V1 = "admin-v1"


def _retry_after(response: httpx.Response) -> float | None:
    return parse_retry_after(response.headers.get("retry-after"), now=time.time())


def _read(
    response: httpx.Response,
    surface: str,
    parse: Callable[[Mapping[str, Any]], tuple[ErrorBody, int | str, str, int | None]],
) -> GatehouseError:
    status = response.status_code
    retry_after = _retry_after(response)
    try:
        body, code, message, hivemp_code = parse(j.obj(response.json()))
    except (ValueError, UnexpectedResponse):
        cls = error_for(status)
        return cls(
            response.reason_phrase or f"HTTP {status}",
            status=status,
            surface=surface,
            retry_after=retry_after,
        )
    if retry_after is None and isinstance(body, HiveMPErrorBody) and body.data is not None:
        retry_after = parse_retry_after(str(body.data.get("retryAfterSeconds")))
    cls = error_for(status, hivemp_code)
    return cls(
        message, status=status, code=code, surface=surface, body=body, retry_after=retry_after
    )


def _hivemp(m: Mapping[str, Any]) -> tuple[ErrorBody, int | str, str, int | None]:
    body = HiveMPErrorBody(
        code=j.integer(m, "code"),
        message=j.string(m, "message"),
        fields=j.optional_str(m, "fields"),
        data=j.optional_obj(m, "data"),
    )
    return body, body.code, body.message, body.code


def _session_storage(m: Mapping[str, Any]) -> tuple[ErrorBody, int | str, str, int | None]:
    items = m.get("errors")
    if not isinstance(items, list):
        raise UnexpectedResponse("'errors' is not a list")
    problems = tuple(
        SessionStorageProblem(
            type=j.string(item, "type"),
            status=j.integer(item, "status"),
            title=j.string(item, "title"),
            detail=j.string(item, "detail"),
            instance=j.string(item, "instance"),
            error_code=j.integer(item, "error_code"),
        )
        for item in map(j.obj, items)
    )
    body = SessionStorageErrorBody(error=j.string(m, "error"), errors=problems)
    # The stable code is the slug ending the first problem's type.
    code = problems[0].type.rstrip("/").rsplit("/", 1)[-1] if problems else body.error
    return body, code, body.error, None


def _account(m: Mapping[str, Any]) -> tuple[ErrorBody, int | str, str, int | None]:
    items = m.get("errors")
    if not isinstance(items, list):
        raise UnexpectedResponse("'errors' is not a list")
    body = AccountErrorBody(
        error_code=j.integer(m, "errorCode"),
        error_message=j.string(m, "errorMessage"),
        errors=tuple(
            PropertyError(property=j.string(item, "property"), message=j.string(item, "message"))
            for item in map(j.obj, items)
        ),
    )
    return body, body.error_code, body.error_message, None


def _problem(m: Mapping[str, Any]) -> tuple[ErrorBody, int | str, str, int | None]:
    items = m.get("errors", [])
    if not isinstance(items, list):
        raise UnexpectedResponse("'errors' is not a list")
    # RFC 9457: an absent type is "about:blank", whose title is the status phrase.
    kind = j.optional_str(m, "type") or "about:blank"
    title = j.optional_str(m, "title") or ""
    body = ProblemDetails(
        type=kind,
        title=title,
        status=j.integer(m, "status"),
        detail=j.optional_str(m, "detail") or title,
        errors=tuple(
            FieldError(field=j.string(item, "field"), message=j.string(item, "message"))
            for item in map(j.obj, items)
        ),
    )
    # The stable code is the slug ending the type: urn:gatehouse:problem:<slug>.
    code = kind.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return body, code, body.detail, None


def hivemp_error(response: httpx.Response) -> GatehouseError:
    return _read(response, USER_SESSION_V1, _hivemp)


def session_storage_error(response: httpx.Response) -> GatehouseError:
    return _read(response, SESSION_STORAGE, _session_storage)


def account_error(response: httpx.Response) -> GatehouseError:
    return _read(response, ACCOUNT_V3, _account)


def admin_error(response: httpx.Response) -> GatehouseError:
    """An ``application/problem+json`` answer of the admin API."""
    return _read(response, ADMIN_V1, _problem)
