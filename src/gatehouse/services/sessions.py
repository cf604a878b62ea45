"""Sessions: start (with the per-user limit), resolve a bearer token, list, renew,
revoke, sweep. Shared by every surface."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.sessions import SessionRepository
from gatehouse.adapters.store.users import UserRepository
from gatehouse.core.clock import Clock
from gatehouse.core.cursors import Cursor, CursorCodec, InvalidCursor
from gatehouse.core.errors import (
    AccountDisabled,
    InvalidCredentials,
    InvalidInput,
    SessionNotFound,
    UserNotFound,
)
from gatehouse.core.ids import is_session_id, new_room_name, new_session_id
from gatehouse.core.limits import sessions_to_evict
from gatehouse.core.models import Project, Session, SessionDetail, SessionOrigin, TokenRole
from gatehouse.core.passwords import same_stamp
from gatehouse.core.renewal import not_renewable, renewed_expiry
from gatehouse.core.tokens import MAX_SECRET_LENGTH, SESSION_TOKEN_PREFIX, TokenHasher
from gatehouse.services.ports import TokenCache
from gatehouse.services.throttling import Throttles

__all__ = ["IssuedSession", "Page", "ResolvedToken", "SessionService"]

_US = 1_000_000
MAX_SUBSCRIBERS = 10
MAX_INTENT_LENGTH = 200
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class IssuedSession:
    session: Session
    publisher: str
    subscribers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ResolvedToken:
    session: Session
    role: TokenRole


@dataclass(frozen=True, slots=True)
class Page:
    sessions: list[Session]
    next_token: str | None


class SessionService:
    def __init__(
        self,
        *,
        db: Database,
        sessions: SessionRepository,
        users: UserRepository,
        hasher: TokenHasher,
        clock: Clock,
        cursors: CursorCodec,
        throttles: Throttles,
        cache: TokenCache | None = None,
    ) -> None:
        self._db = db
        self._sessions = sessions
        self._users = users
        self._hasher = hasher
        self._clock = clock
        self._cursors = cursors
        self._cache = cache
        self._bearer_throttle = throttles.session_token

    # -- start ------------------------------------------------------------------------

    async def start(
        self,
        *,
        project: Project,
        user_id: int,
        origin: SessionOrigin,
        ttl_seconds: int | None = None,
        intent: str | None = None,
        subscriber_count: int = 0,
        factors: tuple[str, ...] = (),
        scope: str = "user",
        client_id: str | None = None,
        ip: str = "",
        user_agent: str = "",
        credential_stamp: str | None = None,
        renewable: bool = False,
    ) -> IssuedSession:
        """A new session of ``user_id``. A sign-in passes the ``credential_stamp`` of
        the credentials it verified: when they changed since, nothing starts."""
        ttl = project.session_ttl_seconds if ttl_seconds is None else ttl_seconds
        check_ttl(ttl, project)
        if not 0 <= subscriber_count <= MAX_SUBSCRIBERS:
            raise InvalidInput(
                f"subscriber_count must be between 0 and {MAX_SUBSCRIBERS}",
                field="subscriber_count",
            )
        if intent is not None and len(intent) > MAX_INTENT_LENGTH:
            raise InvalidInput(
                f"intent must be at most {MAX_INTENT_LENGTH} characters", field="intent"
            )
        publisher, publisher_hash = self._hasher.new(SESSION_TOKEN_PREFIX)
        subscribers = [self._hasher.new(SESSION_TOKEN_PREFIX) for _ in range(subscriber_count)]
        tokens = [(publisher_hash, TokenRole.PUBLISHER)] + [
            (h, TokenRole.SUBSCRIBER) for _, h in subscribers
        ]
        async with self._db.write() as conn:
            state = await self._users.lock_state(conn, user_id)
            if state is None:
                raise UserNotFound()
            stamp, disabled = state
            if disabled:  # the one gate every sign-in of every surface passes
                raise AccountDisabled()
            if credential_stamp is not None and not same_stamp(stamp, credential_stamp):
                raise InvalidCredentials("The account's credentials changed; sign in again")
            now = self._clock.now_us()
            active = await self._sessions.count_active(conn, user_id, now)
            evict = sessions_to_evict(active, project.session_limit, project.session_limit_policy)
            evicted_tokens: list[str] = []
            evict_ids: list[str] = []
            if evict:
                victims = await self._sessions.oldest_active(conn, user_id, now, evict)
                evict_ids = victims
                evicted_tokens = await self._sessions.token_hashes(conn, victims)
                for victim in victims:
                    await self._sessions.delete(conn, victim)
                await self._sessions.audit(
                    conn, at=now, action="evicted", session_ids=victims, origin=str(origin)
                )
            session = Session(
                id=new_session_id(user_id),
                project_id=project.id,
                user_id=user_id,
                created_at=now,
                updated_at=now,
                expires_at=now + ttl * _US,
                origin=origin,
                intent=intent,
                room_name=new_room_name(),
                factors=factors,
                scope=scope,
                renewable=renewable,
            )
            await self._sessions.insert(
                conn, session, tokens, client_id=client_id, ip=ip, user_agent=user_agent
            )
            await self._sessions.audit(
                conn, at=now, action="created", session=session, origin=str(origin), ip=ip
            )
        await self._forget(evict_ids, evicted_tokens)
        return IssuedSession(session, publisher, tuple(s for s, _ in subscribers))

    # -- the hot path -------------------------------------------------------------------

    async def resolve(self, token: str) -> ResolvedToken | None:
        """Whose is this bearer token? None for anything unknown, expired or revoked."""
        if not token.startswith(SESSION_TOKEN_PREFIX) or len(token) > MAX_SECRET_LENGTH:
            return None
        token_hash = self._hasher.hash(token)
        now = self._clock.now_us()
        if self._cache is not None:
            cached = await self._cache.lookup(token_hash)
            if cached is False:
                return None
            # An entry is trusted only until the expiry it carries.
            if isinstance(cached, tuple) and cached[0].is_active(now):
                return ResolvedToken(*cached)
        async with self._db.read() as conn:
            found = await self._sessions.by_token(conn, token_hash)
        if found is None or not found[0].is_active(now):
            return None
        if self._cache is not None:
            await self._cache.remember(token_hash, *found)
        return ResolvedToken(*found)

    async def authenticate_bearer(self, token: str, *, caller: str) -> ResolvedToken:
        """``resolve`` for a bearer presented over HTTP: failures are counted per
        caller address, and a throttled address is refused (even a right token)."""
        async with self._bearer_throttle.attempt(caller=caller) as attempt:
            resolved = await self.resolve(token)
            if resolved is None:
                await attempt.failed()
                raise InvalidCredentials("Unknown, expired or revoked session token")
        return resolved

    # -- reading -------------------------------------------------------------------------

    async def get_owned(self, user_id: int, session_id: str) -> Session:
        """A user's active session; another user's session is indistinguishable from
        a missing one."""
        if not is_session_id(session_id):  # not echoed back
            raise SessionNotFound("No active session with that id for this client's user.")
        session = await self._active(session_id)
        if session is None or session.user_id != user_id:
            raise SessionNotFound(f"No active session {session_id} for this client's user.")
        return session

    async def get(self, session_id: str) -> Session:
        session = await self._active(session_id)
        if session is None:
            raise SessionNotFound()
        return session

    async def _active(self, session_id: str) -> Session | None:
        """The session if it exists and is active: from the shared cache when it
        knows (an entry is trusted only until the expiry it carries), else from
        the database."""
        if not is_session_id(session_id):
            return None
        now = self._clock.now_us()
        if self._cache is not None:
            cached = await self._cache.session(session_id)
            if cached is False:
                return None
            if isinstance(cached, Session) and cached.is_active(now):
                return cached
        async with self._db.read() as conn:
            session = await self._sessions.get(conn, session_id)
        if session is None or not session.is_active(now):
            return None
        if self._cache is not None:
            await self._cache.remember_session(session)
        return session

    async def page(
        self, user_id: int, *, page_size: int = DEFAULT_PAGE_SIZE, page_token: str | None = None
    ) -> Page:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise InvalidInput(
                f"page_size must be between 1 and {MAX_PAGE_SIZE}", field="page_size"
            )
        scope = f"sessions:{user_id}"
        after = None
        if page_token is not None:
            try:
                after = self._cursors.decode(page_token, scope=scope)
            except InvalidCursor as exc:
                raise InvalidInput(str(exc), field="page_token") from None
        async with self._db.read() as conn:
            rows = await self._sessions.page(
                conn, user_id=user_id, now=self._clock.now_us(), after=after, limit=page_size + 1
            )
        next_token = None
        if len(rows) > page_size:
            rows = rows[:page_size]
            last = rows[-1]
            next_token = self._cursors.encode(Cursor(last.created_at, last.id), scope=scope)
        return Page(rows, next_token)

    # -- changing ------------------------------------------------------------------------

    async def set_ttl(
        self, user_id: int, session_id: str, ttl_seconds: int, project: Project
    ) -> Session:
        """``expires_at = now + ttl_seconds`` for one of the user's active sessions.
        A lifetime the back-end chose holds against the token's holder: the session
        is no longer renewable with its own token (core/renewal.py)."""
        check_ttl(ttl_seconds, project)
        session = await self.get_owned(user_id, session_id)
        return await self._move_expiry(
            session, lambda now: now + ttl_seconds * _US, action="ttl-set", keep_renewable=False
        )

    async def renew(
        self, session: Session, seconds: int, *, max_ttl_seconds: int, by_holder: bool
    ) -> Session:
        """``now + seconds``, within the rule of core/renewal.py (``by_holder``: the
        caller presented this session's own token)."""

        def expiry(now: int) -> int:
            return renewed_expiry(
                session,
                now_us=now,
                seconds=seconds,
                max_ttl_seconds=max_ttl_seconds,
                by_holder=by_holder,
            )

        return await self._move_expiry(session, expiry, action="renewed", by_holder=by_holder)

    async def _move_expiry(
        self,
        session: Session,
        expiry: Callable[[int], int],
        *,
        action: str,
        by_holder: bool = False,
        keep_renewable: bool = True,
    ) -> Session:
        async with self._db.write_one() as conn:
            now = self._clock.now_us()
            expires_at = expiry(now)
            detail = f"ttl={(expires_at - now) // _US}"
            tokens = await self._sessions.move_expiry(
                conn,
                session,
                expires_at=expires_at,
                now=now,
                action=action,
                detail=detail,
                by_holder=by_holder,
                keep_renewable=keep_renewable,
            )
        if tokens is None:
            if by_holder and await self._active(session.id) is not None:
                # Made non-renewable by its back-end since the caller's token was read.
                raise not_renewable()
            raise SessionNotFound()
        moved = replace(
            session,
            updated_at=now,
            expires_at=expires_at,
            renewable=session.renewable and keep_renewable,
        )
        if self._cache is not None:
            await self._cache.renewed(tokens, moved)
        return moved

    async def revoke_owned(
        self, user_id: int, session_id: str, *, origin: str, ip: str = ""
    ) -> None:
        session = await self.get_owned(user_id, session_id)
        await self.revoke(session, origin=origin, ip=ip)

    async def revoke(self, session: Session, *, origin: str, ip: str = "") -> None:
        async with self._db.write() as conn:
            hashes = await self._sessions.token_hashes(conn, [session.id])
            if not await self._sessions.delete(conn, session.id):
                raise SessionNotFound()
            await self._sessions.audit(
                conn,
                at=self._clock.now_us(),
                action="revoked",
                session=session,
                origin=origin,
                ip=ip,
            )
        await self._forget([session.id], hashes)

    async def _forget(self, session_ids: list[str], token_hashes: list[str]) -> None:
        """Tell every process (through the shared cache) that these sessions and
        their tokens are dead."""
        if self._cache is not None and (session_ids or token_hashes):
            await self._cache.revoked(session_ids, token_hashes)

    async def revoke_by_id(self, session_id: str, *, origin: str) -> None:
        await self.revoke(await self.get(session_id), origin=origin)

    async def revoke_all(
        self, user_id: int, *, origin: str, keep: str | None = None, ip: str = ""
    ) -> int:
        """End every session of a user (password change, 2FA reset), except ``keep``."""
        async with self._db.write() as conn:
            now = self._clock.now_us()
            ids = [i for i in await self._sessions.active_ids(conn, user_id, now) if i != keep]
            hashes = await self._sessions.token_hashes(conn, ids)
            for session_id in ids:
                await self._sessions.delete(conn, session_id)
            await self._sessions.audit(
                conn, at=now, action="revoked", session_ids=ids, origin=origin, ip=ip
            )
        await self._forget(ids, hashes)
        return len(ids)

    async def details(self, user_id: int) -> list[SessionDetail]:
        """Every active session of a user, newest first, with where it was made."""
        async with self._db.read() as conn:
            return await self._sessions.details(conn, user_id, self._clock.now_us())

    async def seen(self, session_id: str) -> None:
        async with self._db.write() as conn:
            await self._sessions.seen(conn, session_id, self._clock.now_us())

    async def list_active(self, user_id: int) -> list[Session]:
        """Every active session of a user (CLI listing), oldest first."""
        out: list[Session] = []
        token: str | None = None
        while True:
            page = await self.page(user_id, page_size=MAX_PAGE_SIZE, page_token=token)
            out.extend(page.sessions)
            if page.next_token is None:
                return out
            token = page.next_token

    async def count_all_active(self) -> int:
        async with self._db.read() as conn:
            return await self._sessions.count_all_active(conn, self._clock.now_us())

    async def sweep(self, *, batch: int = 1000, max_batches: int = 100) -> int:
        """Delete expired sessions in bounded batches (short write transactions, so
        requests are never blocked for long)."""
        removed = 0
        for _ in range(max_batches):
            async with self._db.write() as conn:
                now = self._clock.now_us()
                ids = await self._sessions.delete_expired(conn, now, batch)
                await self._sessions.audit(
                    conn, at=now, action="expired", session_ids=ids, origin="sweeper"
                )
            removed += len(ids)
            if len(ids) < batch:
                break
        return removed


def check_ttl(ttl_seconds: int, project: Project) -> None:
    if not 1 <= ttl_seconds <= project.max_ttl_seconds:
        raise InvalidInput(
            f"ttl_seconds must be between 1 and {project.max_ttl_seconds}", field="ttl_seconds"
        )
