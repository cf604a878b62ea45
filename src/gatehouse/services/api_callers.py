"""Who presented the User Session API's ``X-API-Key``: a typed project key or a
session's own key (no HTTP)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from gatehouse.core.access_policy import CallerKind
from gatehouse.core.errors import InvalidCredentials
from gatehouse.core.models import ApiKeyType, Session, TokenRole
from gatehouse.core.tokens import API_KEY_PREFIX, MAX_SECRET_LENGTH, SESSION_TOKEN_PREFIX
from gatehouse.services.projects import ProjectService
from gatehouse.services.sessions import SessionService
from gatehouse.services.throttling import Throttles

__all__ = ["ApiCaller", "ApiCallers"]

_KEY_KINDS: Final = {
    ApiKeyType.PUBLIC: CallerKind.PUBLIC,
    ApiKeyType.SERVER: CallerKind.SERVER,
    ApiKeyType.ADMIN: CallerKind.ADMIN,
}


@dataclass(frozen=True, slots=True)
class ApiCaller:
    """Who presented the ``X-API-Key``: a typed key, or a session's own key."""

    kind: CallerKind
    project_id: int
    session: Session | None = None


class ApiCallers:
    def __init__(
        self, *, projects: ProjectService, sessions: SessionService, throttles: Throttles
    ) -> None:
        self._projects = projects
        self._sessions = sessions
        self._key_throttle = throttles.api_key

    async def resolve_api_key(self, presented: str | None, *, caller: str) -> ApiCaller:
        """A typed API key (``gk_``) or a session's own key (``gs_``, publisher).
        Unknown, revoked and expired keys all answer ``InvalidCredentials``; each
        such failure is counted per caller address, and a throttled address is
        refused (429) even with a right key."""
        async with self._key_throttle.attempt(caller=caller) as attempt:
            found = await self._api_caller(presented)
            if found is None:
                if presented:  # a missing key is no guess
                    await attempt.failed()
                raise InvalidCredentials("Missing, unknown or revoked API key", field="X-API-Key")
        return found

    async def _api_caller(self, presented: str | None) -> ApiCaller | None:
        if not presented or len(presented) > MAX_SECRET_LENGTH:
            return None
        if presented.startswith(API_KEY_PREFIX):
            record = await self._projects.find_api_key(presented)
            if record is None:
                return None
            return ApiCaller(_KEY_KINDS[record.key_type], record.project_id)
        if presented.startswith(SESSION_TOKEN_PREFIX):
            resolved = await self._sessions.resolve(presented)
            if resolved is None or resolved.role is not TokenRole.PUBLISHER:
                return None
            s = resolved.session
            kind = CallerKind.ADMIN if s.scope == "admin" else CallerKind.USER_SESSION
            return ApiCaller(kind, s.project_id, s)
        return None
