"""What every admin operation shares: the caller (``Authorization: Bearer``), path
ids, the project a caller may see, page arguments and answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final

from gatehouse.adapters.store.audit import acting_as
from gatehouse.api._common.http import EMPTY, Call, Problem, Reply, convert, json_reply
from gatehouse.core.errors import Forbidden, InvalidInput, ProjectNotFound
from gatehouse.core.models import Project, User
from gatehouse.services.operator_keys import AdminCaller

__all__ = [
    "NO_CONTENT",
    "AdminOp",
    "admin",
    "body_as",
    "int_param",
    "operator_only",
    "page_args",
    "page_reply",
    "project_of",
    "user_of",
]

AdminOp = Callable[[Call, AdminCaller], Awaitable[Reply]]
NO_CONTENT: Final = Reply(204)
#: Ids above this are not exact in JSON (2**53).
_MAX_ID: Final = 2**53


def _bearer(values: list[str]) -> str | None:
    if len(values) != 1:
        return None
    scheme, _, token = values[0].partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token


def admin(fn: AdminOp) -> Callable[[Call], Awaitable[Reply]]:
    """An operation behind the admin key check; every audit row it writes names
    the key (``operator-key:<id>`` / ``api-key:<id>``) and the origin ``admin``."""

    async def op(call: Call) -> Reply:
        presented = _bearer(call.headers(b"authorization"))
        caller = await call.services.operator_keys.authenticate(presented, caller=call.caller)
        with acting_as(caller.actor, "admin"):
            return await fn(call, caller)

    op.__name__ = fn.__name__
    op.__doc__ = fn.__doc__
    return op


def operator_only(caller: AdminCaller) -> None:
    if not caller.is_operator:
        raise Forbidden("Only an operator key may do this")


def int_param(call: Call, name: str) -> int:
    """An integer id from the path; anything else names nothing (404)."""
    raw = call.params[name]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 16 or not 0 < int(raw) <= _MAX_ID:
        raise Problem(404, f"No such {name.removesuffix('_id').replace('_', ' ')}")
    return int(raw)


async def project_of(call: Call, caller: AdminCaller) -> Project:
    """The project of the path, if the caller may see it (else 404, as if absent)."""
    project_id = int_param(call, "project_id")
    if not caller.sees(project_id):
        raise ProjectNotFound()
    project: Project = await call.services.projects.get(project_id)
    return project


async def user_of(call: Call, caller: AdminCaller) -> tuple[Project, User]:
    project = await project_of(call, caller)
    user: User = await call.services.admin_users.get(project.id, int_param(call, "user_id"))
    return project, user


def page_args(call: Call) -> dict[str, Any]:
    """``limit`` and ``after`` of a listing (ranges are the service's to judge)."""
    after = call.query_value("after")
    return {"limit": call.query_int("limit"), "after": after or None}


def page_reply(items: list[Any], next_cursor: str | None) -> Reply:
    return json_reply({"items": items, "next": next_cursor})


async def body_as(call: Call, kind: Any) -> Any:
    """The JSON body as ``kind``; a body is required (400 naming it otherwise)."""
    value = await call.json()
    if value is EMPTY:
        raise InvalidInput("A JSON body is required", field="body")
    try:
        return convert(value, kind)
    except InvalidInput as exc:
        if exc.field is None and "required field `" in exc.message:  # name the missing one
            exc.field = exc.message.split("required field `", 1)[1].split("`", 1)[0]
        raise


def query_text(call: Call, name: str, max_length: int = 320) -> str | None:
    value = call.query_value(name)
    if value is not None and len(value) > max_length:
        raise InvalidInput(f"{name} must be at most {max_length} characters", field=name)
    return value
