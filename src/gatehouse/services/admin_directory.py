"""The admin API's listings: keyset pages of projects, users, client
applications, API keys, sessions and audit events.

Every page answers at most ``limit`` items (1-200, default 50) and an opaque
``next`` cursor, or None on the last page. A cursor carries the last item's sort
key, signed together with the listing it came from (core/cursors.py): edited,
or presented to another listing (another project, other filters), it is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

from gatehouse.adapters.store.admin import AdminRepository, ApiKeyInfo, AuditFilter
from gatehouse.adapters.store.engine import Database
from gatehouse.core.clock import Clock
from gatehouse.core.cursors import Cursor, CursorCodec, InvalidCursor
from gatehouse.core.errors import InvalidInput, SessionNotFound
from gatehouse.core.identifiers import normalize_email, normalize_username
from gatehouse.core.ids import is_session_id
from gatehouse.core.models import AuditEvent, Client, Project, SessionDetail, User

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "AdminDirectory", "Listing"]

T = TypeVar("T")
DEFAULT_LIMIT: Final = 50
MAX_LIMIT: Final = 200


@dataclass(frozen=True, slots=True)
class Listing(Generic[T]):
    items: list[T]
    next: str | None


class AdminDirectory:
    def __init__(
        self, *, db: Database, repo: AdminRepository, cursors: CursorCodec, clock: Clock
    ) -> None:
        self._db = db
        self._repo = repo
        self._cursors = cursors
        self._clock = clock

    def _start(self, limit: int | None, after: str | None, scope: str) -> tuple[int, Cursor | None]:
        size = DEFAULT_LIMIT if limit is None else limit
        if not 1 <= size <= MAX_LIMIT:
            raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
        if after is None:
            return size, None
        try:
            return size, self._cursors.decode(after, scope=scope)
        except InvalidCursor as exc:
            raise InvalidInput(f"after: {exc}", field="after") from None

    def _page(self, rows: list[T], size: int, scope: str, key: Callable[[T], Cursor]) -> Listing[T]:
        if len(rows) <= size:
            return Listing(rows, None)
        rows = rows[:size]
        return Listing(rows, self._cursors.encode(key(rows[-1]), scope=scope))

    async def projects(
        self, *, only: int | None, limit: int | None = None, after: str | None = None
    ) -> Listing[Project]:
        scope = f"admin:projects:{only}"
        size, cursor = self._start(limit, after, scope)
        async with self._db.read() as conn:
            rows = await self._repo.projects(conn, only=only, after=cursor, limit=size + 1)
        return self._page(rows, size, scope, lambda p: Cursor(p.id, ""))

    async def users(
        self,
        project_id: int,
        *,
        username: str | None = None,
        email: str | None = None,
        steam_id: str | None = None,
        limit: int | None = None,
        after: str | None = None,
    ) -> Listing[User]:
        if username is not None:
            username = normalize_username(username)
        if email is not None:
            email = normalize_email(email)
        if steam_id is not None and not (steam_id.isascii() and steam_id.isdigit()):
            raise InvalidInput("steam_id must be a SteamID64 (decimal)", field="steam_id")
        if steam_id is not None:
            steam_id = str(int(steam_id))
        scope = f"admin:users:{project_id}:{username!r}:{email!r}:{steam_id!r}"
        size, cursor = self._start(limit, after, scope)
        async with self._db.read() as conn:
            rows = await self._repo.users(
                conn,
                project_id,
                username=username,
                email=email,
                steam_id=steam_id,
                after=cursor,
                limit=size + 1,
            )
        return self._page(rows, size, scope, lambda u: Cursor(u.id, ""))

    async def clients(
        self,
        project_id: int,
        *,
        user_id: int | None = None,
        limit: int | None = None,
        after: str | None = None,
    ) -> Listing[Client]:
        scope = f"admin:clients:{project_id}:{user_id}"
        size, cursor = self._start(limit, after, scope)
        async with self._db.read() as conn:
            rows = await self._repo.clients(
                conn, project_id, user_id=user_id, after=cursor, limit=size + 1
            )
        return self._page(rows, size, scope, lambda c: Cursor(c.created_at, c.id))

    async def api_keys(
        self, project_id: int, *, limit: int | None = None, after: str | None = None
    ) -> Listing[ApiKeyInfo]:
        scope = f"admin:api-keys:{project_id}"
        size, cursor = self._start(limit, after, scope)
        async with self._db.read() as conn:
            rows = await self._repo.api_keys(conn, project_id, after=cursor, limit=size + 1)
        return self._page(rows, size, scope, lambda k: Cursor(k.id, ""))

    async def api_key(self, key_id: int) -> ApiKeyInfo | None:
        async with self._db.read() as conn:
            return await self._repo.api_key(conn, key_id)

    async def sessions(
        self, user_id: int, *, limit: int | None = None, after: str | None = None
    ) -> Listing[SessionDetail]:
        scope = f"admin:sessions:{user_id}"
        size, cursor = self._start(limit, after, scope)
        async with self._db.read() as conn:
            rows = await self._repo.sessions(
                conn, user_id, now=self._clock.now_us(), after=cursor, limit=size + 1
            )
        return self._page(rows, size, scope, lambda d: Cursor(d.session.created_at, d.session.id))

    async def session(self, project_id: int, session_id: str) -> SessionDetail:
        """An active session of the project, with where it was made."""
        found = None
        if is_session_id(session_id):
            async with self._db.read() as conn:
                found = await self._repo.session(conn, session_id, self._clock.now_us())
        if found is None or found.session.project_id != project_id:
            raise SessionNotFound()
        return found

    async def audit_events(
        self,
        project_id: int,
        found: AuditFilter,
        *,
        limit: int | None = None,
        after: str | None = None,
    ) -> Listing[AuditEvent]:
        if found.action is not None and len(found.action) > 32:
            raise InvalidInput("action must be at most 32 characters", field="action")
        scope = f"admin:audit:{project_id}:{found!r}"
        size, cursor = self._start(limit, after, scope)
        async with self._db.read() as conn:
            rows = await self._repo.audit_events(
                conn, project_id, found, after=cursor, limit=size + 1
            )
        return self._page(rows, size, scope, lambda e: Cursor(e.at, str(e.id)))
