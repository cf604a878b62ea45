"""Who calls the admin API: instance-wide operator keys (``gko_``, made only by
the CLI) and the projects' own admin API keys (``gk_`` of type ``admin``, which
see their project only). Key checks are throttled like every bearer secret
(look up first, count the failure; services/throttling.py)."""

from __future__ import annotations

from dataclasses import dataclass

from gatehouse.adapters.store.audit import AuditRepository
from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.operator_keys import OperatorKey, OperatorKeyRepository
from gatehouse.core.clock import Clock
from gatehouse.core.errors import InvalidCredentials, InvalidInput, NotFound
from gatehouse.core.models import ApiKeyType
from gatehouse.core.tokens import MAX_SECRET_LENGTH, OPERATOR_KEY_PREFIX, TokenHasher
from gatehouse.services.projects import ProjectService
from gatehouse.services.throttling import Throttles

__all__ = ["AdminCaller", "OperatorKeys"]


@dataclass(frozen=True, slots=True)
class AdminCaller:
    """An authenticated admin API caller."""

    #: What the audit trail names: ``operator-key:<id>`` or ``api-key:<id>``.
    actor: str
    #: The one project a project key sees; None for an operator key (every project).
    project_id: int | None

    @property
    def is_operator(self) -> bool:
        return self.project_id is None

    def sees(self, project_id: int) -> bool:
        return self.project_id is None or self.project_id == project_id


class OperatorKeys:
    def __init__(
        self,
        *,
        db: Database,
        keys: OperatorKeyRepository,
        audit: AuditRepository,
        projects: ProjectService,
        hasher: TokenHasher,
        clock: Clock,
        throttles: Throttles,
    ) -> None:
        self._db = db
        self._keys = keys
        self._audit = audit
        self._projects = projects
        self._hasher = hasher
        self._clock = clock
        self._throttle = throttles.admin_key

    async def create(self, name: str) -> tuple[OperatorKey, str]:
        """A new operator key; the key itself is returned only here."""
        name = name.strip()
        if not 1 <= len(name) <= 200 or not name.isprintable():
            raise InvalidInput("name must be 1 to 200 printable characters", field="name")
        key, key_hash = self._hasher.new(OPERATOR_KEY_PREFIX)
        async with self._db.write() as conn:
            now = self._clock.now_us()
            key_id = await self._keys.create(conn, name=name, key_hash=key_hash, now=now)
            await self._audit.record(
                conn,
                at=now,
                action="operator-key-created",
                project_id=None,
                user_id=None,
                detail=f"operator-key:{key_id}",
            )
            made = await self._keys.get(conn, key_id)
        assert made is not None
        return made, key

    async def all(self) -> list[OperatorKey]:
        async with self._db.read() as conn:
            return await self._keys.all(conn)

    async def revoke(self, key_id: int) -> None:
        async with self._db.write() as conn:
            now = self._clock.now_us()
            if not await self._keys.revoke(conn, key_id, now):
                raise NotFound("No such active operator key")
            await self._audit.record(
                conn,
                at=now,
                action="operator-key-revoked",
                project_id=None,
                user_id=None,
                detail=f"operator-key:{key_id}",
            )

    async def authenticate(self, presented: str | None, *, caller: str) -> AdminCaller:
        """The caller of an ``Authorization: Bearer`` key: a live operator key or a
        live admin API key; anything else is ``InvalidCredentials``."""
        async with self._throttle.attempt(caller=caller) as attempt:
            found = await self._find(presented or "")
            if found is None:
                await attempt.failed()
                raise InvalidCredentials("Send 'Authorization: Bearer <operator or admin key>'")
        return found

    async def _find(self, presented: str) -> AdminCaller | None:
        if len(presented) > MAX_SECRET_LENGTH:
            return None
        if presented.startswith(OPERATOR_KEY_PREFIX):
            async with self._db.read() as conn:
                key = await self._keys.by_hash(conn, self._hasher.hash(presented))
            if key is None or key.revoked_at is not None:
                return None
            return AdminCaller(f"operator-key:{key.id}", None)
        record = await self._projects.find_api_key(presented)
        if record is None or record.key_type is not ApiKeyType.ADMIN:
            return None
        return AdminCaller(f"api-key:{record.id}", record.project_id)
