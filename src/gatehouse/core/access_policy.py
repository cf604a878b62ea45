"""Which kind of API key may call which User Session API v1 endpoint: one table.

    endpoint              public  user session   server    admin
    PUT  /v1/authenticate   yes     no           yes       yes
    GET  /v1/session        no      own only     project   project
    POST /v1/session        no      own only     project   project
    DELETE /v1/session      no      own only     project   project

``decide`` turns a row of the table plus the facts of one call into a verdict;
it is pure so the whole table is unit-tested row by row. A session obtained by
admin sign-in is presented as an ``ADMIN`` caller of the project it is scoped
to (the surface decides that, from the session's scope).
"""

from __future__ import annotations

import enum
from typing import Final

from gatehouse.core.errors import Forbidden, SessionNotFound

__all__ = ["POLICY", "Access", "CallerKind", "Endpoint", "allowed", "check_session_access"]


class CallerKind(enum.StrEnum):
    PUBLIC = "public"
    USER_SESSION = "user-session"
    SERVER = "server"
    ADMIN = "admin"


class Endpoint(enum.StrEnum):
    AUTHENTICATE = "PUT /v1/authenticate"
    SESSION_GET = "GET /v1/session"
    SESSION_RENEW = "POST /v1/session"
    SESSION_DELETE = "DELETE /v1/session"


class Access(enum.Enum):
    DENY = "deny"
    #: May call; acts only on its own session.
    OWN = "own"
    #: May call; acts on anything of its project.
    PROJECT = "project"


_SESSION_ROW: Final = {
    CallerKind.PUBLIC: Access.DENY,
    CallerKind.USER_SESSION: Access.OWN,
    CallerKind.SERVER: Access.PROJECT,
    CallerKind.ADMIN: Access.PROJECT,
}

POLICY: Final[dict[Endpoint, dict[CallerKind, Access]]] = {
    Endpoint.AUTHENTICATE: {
        CallerKind.PUBLIC: Access.PROJECT,
        CallerKind.USER_SESSION: Access.DENY,
        CallerKind.SERVER: Access.PROJECT,
        CallerKind.ADMIN: Access.PROJECT,
    },
    Endpoint.SESSION_GET: dict(_SESSION_ROW),
    Endpoint.SESSION_RENEW: dict(_SESSION_ROW),
    Endpoint.SESSION_DELETE: dict(_SESSION_ROW),
}


def allowed(endpoint: Endpoint, caller: CallerKind) -> Access:
    """The table's cell; raises ``Forbidden`` for a DENY cell."""
    access = POLICY[endpoint][caller]
    if access is Access.DENY:
        raise Forbidden(f"A {caller} key may not call {endpoint}", field="X-API-Key")
    return access


def check_session_access(
    endpoint: Endpoint,
    caller: CallerKind,
    *,
    caller_project_id: int,
    caller_session_id: str | None,
    target_session_id: str,
    target_project_id: int | None,
) -> None:
    """Raise unless ``caller`` may act on the target session.

    * a DENY cell → ``Forbidden``
    * OWN and the target is not the caller's own session → ``Forbidden`` (decided
      on the id alone, before any lookup, so nothing about other sessions leaks)
    * PROJECT and the target is missing or of another project → ``SessionNotFound``
    """
    access = allowed(endpoint, caller)
    if access is Access.OWN:
        if caller_session_id is None or target_session_id != caller_session_id:
            raise Forbidden("A user session key may act only on its own session", field="id")
        return
    if target_project_id is None or target_project_id != caller_project_id:
        raise SessionNotFound()
