"""``GET``/``POST``/``DELETE /v1/session``: which session an API caller may read,
renew or end (no HTTP). The rules themselves are ``core/access_policy.py``."""

from __future__ import annotations

from typing import Final

from gatehouse.core.access_policy import Access, Endpoint, allowed, check_session_access
from gatehouse.core.errors import InvalidInput
from gatehouse.core.models import Session, SessionOrigin
from gatehouse.services.api_callers import ApiCaller
from gatehouse.services.projects import ProjectService
from gatehouse.services.sessions import SessionService

__all__ = ["HIVEMP_SESSION_SECONDS", "SessionAccess"]

#: A HiveMP session lives an hour from its sign-in or its last renewal.
HIVEMP_SESSION_SECONDS: Final = 3600


class SessionAccess:
    def __init__(self, *, projects: ProjectService, sessions: SessionService) -> None:
        self._projects = projects
        self._sessions = sessions

    async def _target(
        self, caller: ApiCaller, endpoint: Endpoint, session_id: str | None
    ) -> Session:
        access = allowed(endpoint, caller.kind)
        if session_id is None:
            if caller.session is None:
                raise InvalidInput("id is required with this kind of API key", field="id")
            session_id = caller.session.id
        target: Session | None = None
        if access is Access.OWN:
            own = caller.session.id if caller.session else None
            check_session_access(
                endpoint,
                caller.kind,
                caller_project_id=caller.project_id,
                caller_session_id=own,
                target_session_id=session_id,
                target_project_id=None,
            )
            # The caller's own session was resolved (and found active) a moment
            # ago from its token: no second read.
            if caller.session is not None and caller.session.id == session_id:
                return caller.session
            target = await self._sessions.get(session_id)
        else:
            target = await self._sessions.get(session_id)
            check_session_access(
                endpoint,
                caller.kind,
                caller_project_id=caller.project_id,
                caller_session_id=caller.session.id if caller.session else None,
                target_session_id=target.id,
                target_project_id=target.project_id,
            )
        return target

    async def get_session(self, caller: ApiCaller, session_id: str | None) -> Session:
        return await self._target(caller, Endpoint.SESSION_GET, session_id)

    async def renew_session(self, caller: ApiCaller, session_id: str | None) -> Session:
        target = await self._target(caller, Endpoint.SESSION_RENEW, session_id)
        project = await self._projects.get(target.project_id)
        # The session's own apiKey renews only a renewable session (core/renewal.py).
        by_holder = caller.session is not None and caller.session.id == target.id
        return await self._sessions.renew(
            target,
            HIVEMP_SESSION_SECONDS,
            max_ttl_seconds=project.max_ttl_seconds,
            by_holder=by_holder,
        )

    async def end_session(self, caller: ApiCaller, session_id: str | None) -> None:
        target = await self._target(caller, Endpoint.SESSION_DELETE, session_id)
        await self._sessions.revoke(target, origin=str(SessionOrigin.HIVEMP))
