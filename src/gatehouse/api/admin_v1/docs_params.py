"""Parameters shared by the admin API's OpenAPI declarations (docs.py, docs_users.py)."""

from __future__ import annotations

from typing import Annotated, Any, Final

from litestar.params import HeaderParameter, Parameter, PathParameter

from gatehouse.api._common.openapi import json_body
from gatehouse.core.cursors import MAX_TOKEN_LENGTH

__all__ = [
    "SECURITY",
    "After",
    "ClientId",
    "IdempotencyKey",
    "KeyId",
    "Limit",
    "ProjectId",
    "SessionId",
    "UserId",
    "body",
]

SECURITY: Final[list[dict[str, list[str]]]] = [{"AdminKey": []}]
_ID = {"ge": 1, "le": 2**53}
ProjectId = Annotated[int, PathParameter(description="Project id", **_ID)]
UserId = Annotated[int, PathParameter(description="User id (of that project)", **_ID)]
KeyId = Annotated[int, PathParameter(description="API key id (of that project)", **_ID)]
SessionId = Annotated[str, PathParameter(description="<user id>.<8 hex>.<8 hex>")]
ClientId = Annotated[str, PathParameter(description="ClientID")]
Limit = Annotated[int, Parameter(ge=1, le=200, description="Items per page (1-200)")]
After = Annotated[
    str | None,
    Parameter(
        description="`next` of the previous page, as it came (any other value: 400)",
        schema_extra={"pattern": "^[A-Za-z0-9_-]+$", "maxLength": MAX_TOKEN_LENGTH},
    ),
]
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        description=(
            "Optional. The same key and request within 24 hours replays the first answer "
            "(Idempotent-Replayed: true); with another request 422; while the first is in "
            "flight 409"
        ),
        required=False,
        schema_extra={"minLength": 1, "maxLength": 255, "pattern": "^[!-~]([ -~]*[!-~])?$"},
    ),
]


def body(kind: Any, description: str, example: dict[str, Any]) -> Any:
    return json_body(kind, description=description, examples={"example": example}, required=True)
