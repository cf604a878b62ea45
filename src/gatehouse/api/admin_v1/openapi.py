"""The documented problem answers of the admin API (``application/problem+json``)."""

from __future__ import annotations

from typing import Final

from litestar.openapi.datastructures import ResponseSpec

from gatehouse.api._common.openapi import _example
from gatehouse.api.admin_v1.errors import MEDIA_TYPE, TYPE_PREFIX
from gatehouse.api.admin_v1.schemas import ProblemBody

__all__ = ["ERRORS", "errors"]


def _problem(status: int, description: str, slug: str, title: str, detail: str) -> ResponseSpec:
    example = {
        "type": TYPE_PREFIX + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if status == 400:
        example["errors"] = [{"field": "limit", "message": detail}]
    return ResponseSpec(
        data_container=ProblemBody,
        description=description,
        generate_examples=False,
        media_type=MEDIA_TYPE,
        examples=[_example("example", example)],
    )


ERRORS: Final[dict[int, ResponseSpec]] = {
    400: _problem(
        400,
        "Invalid input; `errors` names the field",
        "invalid-input",
        "Bad request",
        "limit must be between 1 and 200",
    ),
    401: _problem(
        401,
        "Missing, unknown or revoked key (WWW-Authenticate: Bearer)",
        "invalid-credentials",
        "Unauthorized",
        "Send 'Authorization: Bearer <operator or admin key>'",
    ),
    403: _problem(
        403, "Operator keys only", "forbidden", "Forbidden", "Only an operator key may do this"
    ),
    404: _problem(
        404,
        "No such object, or one of a project the key does not see",
        "project-not-found",
        "Project not found",
        "Project not found",
    ),
    409: _problem(
        409,
        "Conflict (taken username or email, linked identity), or the Idempotency-Key's "
        "first request is still in flight",
        "conflict",
        "Conflict",
        "A user with that username already exists",
    ),
    413: _problem(
        413,
        "Request body too large",
        "payload-too-large",
        "Request body too large",
        "Request body too large",
    ),
    415: _problem(
        415,
        "Content-Type must be application/json",
        "unsupported-media-type",
        "Unsupported media type",
        "Content-Type must be application/json",
    ),
    422: _problem(
        422,
        "The Idempotency-Key was used with a different request",
        "idempotency-key-reused",
        "Unprocessable content",
        "This Idempotency-Key was used with a different request",
    ),
    429: _problem(
        429,
        "Too many failed key checks from this address (see Retry-After)",
        "rate-limited",
        "Too many requests",
        "Too many failed authentication attempts",
    ),
}


def errors(*statuses: int) -> dict[int, ResponseSpec]:
    """The problem answers of an operation: 400 (a malformed request, e.g. a bad
    cursor or header; also keeps the framework's own 400 shape out of the
    document), 401 and 429 always, plus ``statuses``."""
    return {s: ERRORS[s] for s in sorted({400, 401, 429, *statuses})}
