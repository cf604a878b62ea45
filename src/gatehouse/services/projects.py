"""Projects (tenants), their settings, client applications and API keys."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from gatehouse.adapters.store.audit import AuditRepository
from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.projects import ProjectRepository
from gatehouse.adapters.store.users import UserRepository
from gatehouse.core.clock import Clock
from gatehouse.core.errors import (
    ClientDisabled,
    InvalidCredentials,
    InvalidInput,
    NotFound,
    ProjectLimitReached,
    ProjectNotFound,
    UserNotFound,
)
from gatehouse.core.ids import new_client_id
from gatehouse.core.models import ApiKeyRecord, ApiKeyType, Client, LimitPolicy, Project
from gatehouse.core.project_rules import check_project
from gatehouse.core.secretbox import SecretBox
from gatehouse.core.tokens import (
    API_KEY_PREFIX,
    CLIENT_SECRET_PREFIX,
    MAX_SECRET_LENGTH,
    TokenHasher,
)
from gatehouse.services.ports import CredentialCache
from gatehouse.services.throttling import Throttles

__all__ = ["ProjectService", "ProjectSettings"]

#: The defaults a new project starts from (the store fills in the same ones).
_NEW_PROJECT = Project(id=0, name="", created_at=0)


@dataclass(frozen=True, slots=True)
class ProjectSettings:
    """A partial update of a project's policy; None leaves a value as it is."""

    name: str | None = None
    session_ttl_seconds: int | None = None
    max_ttl_seconds: int | None = None
    session_limit: int | None = None
    session_limit_policy: LimitPolicy | None = None
    ws_url: str | None = None
    webrtc_url: str | None = None
    steam_app_id: int | None = None
    steam_web_api_key_enc: str | None = None
    steam_auto_create: bool | None = None
    password_registration: bool | None = None

    def changes(self) -> dict[str, Any]:
        """The column values this update writes."""
        values = {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) is not None}
        if "name" in values:
            values["name"] = values["name"].strip()
        if "session_limit_policy" in values:
            values["session_limit_policy"] = str(values["session_limit_policy"])
        return values

    def applied_to(self, project: Project) -> Project:
        """``project`` as it would be after this update, to be judged as a whole."""
        fields = {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) is not None}
        if fields.pop("steam_web_api_key_enc", None) is not None:
            fields["has_steam_web_api_key"] = True
        if "name" in fields:
            fields["name"] = fields["name"].strip()
        return replace(project, **fields)


class ProjectService:
    def __init__(
        self,
        *,
        db: Database,
        projects: ProjectRepository,
        users: UserRepository,
        hasher: TokenHasher,
        clock: Clock,
        throttles: Throttles,
        cache: CredentialCache | None = None,
        max_projects_per_user: int = 3,
        audit: AuditRepository | None = None,
        secretbox: SecretBox | None = None,
    ) -> None:
        self._db = db
        self._audit = audit
        self._box = secretbox
        self._max_projects_per_user = max_projects_per_user
        self._cache = cache
        self._projects = projects
        self._users = users
        self._hasher = hasher
        self._clock = clock
        # Over the limit, every attempt from that address is refused (even a right
        # secret) until the window closes: guessing stops paying off.
        self._client_throttle = throttles.client_secret
        # Compared against when the ClientID is unknown, so both paths cost one HMAC
        # and one constant-time comparison.
        self._dummy_hash = hasher.hash("gatehouse-no-such-client")

    async def _record(
        self,
        conn: Any,
        action: str,
        project_id: int | None,
        detail: str = "",
        user_id: int | None = None,
    ) -> None:
        """An operator's change in the audit trail (its actor: adapters/store/audit.py)."""
        if self._audit is not None:
            await self._audit.record(
                conn,
                at=self._clock.now_us(),
                action=action,
                project_id=project_id,
                user_id=user_id,
                detail=detail,
            )

    async def create(self, name: str, settings: ProjectSettings | None = None) -> Project:
        settings = replace(settings or ProjectSettings(), name=name)
        check_project(settings.applied_to(_NEW_PROJECT))
        values = settings.changes()
        async with self._db.write() as conn:
            project_id = await self._projects.create(conn, now=self._clock.now_us(), **values)
            await self._record(conn, "project-created", project_id)
            project = await self._projects.get(conn, project_id)
        assert project is not None
        return project

    async def create_default(self, user_id: int, name: str) -> Project:
        """A project administered by ``user_id``, made at their admin sign-in, unless
        they administer ``max_projects_per_user`` already (``ProjectLimitReached``).

        Counted and inserted in one write transaction with the user's row locked
        (SQLite's writers are serial anyway), so parallel sign-ins cannot all pass
        the count: without a limit, every new account could mint projects."""
        settings = ProjectSettings(name=name)
        check_project(settings.applied_to(_NEW_PROJECT))
        limit = self._max_projects_per_user
        async with self._db.write() as conn:
            if not await self._users.lock(conn, user_id):
                raise UserNotFound()
            if await self._projects.count_administered(conn, user_id) >= limit:
                raise ProjectLimitReached(
                    f"No new project: an account may administer at most {limit} projects "
                    "made by signing in; choose an existing one (projectId), or ask the "
                    "operator",
                    field="promptForProject",
                )
            project_id = await self._projects.create(
                conn, now=self._clock.now_us(), **settings.changes()
            )
            await self._projects.add_admin(conn, project_id, user_id)
            project = await self._projects.get(conn, project_id)
        assert project is not None
        return project

    async def get(self, project_id: int) -> Project:
        async with self._db.read() as conn:
            project = await self._projects.get(conn, project_id)
        if project is None:
            raise ProjectNotFound()
        return project

    async def all(self) -> list[Project]:
        async with self._db.read() as conn:
            return await self._projects.all(conn)

    async def administered_by(self, user_id: int) -> list[Project]:
        async with self._db.read() as conn:
            return await self._projects.administered_by(conn, user_id)

    async def update(self, project_id: int, settings: ProjectSettings) -> Project:
        """All of ``settings`` or nothing: the project they would produce is judged
        whole, inside the write transaction, before anything is written."""
        values = settings.changes()
        async with self._db.write() as conn:
            current = await self._projects.get(conn, project_id)
            if current is None:
                raise ProjectNotFound()
            check_project(settings.applied_to(current))
            if values:
                await self._projects.update(conn, project_id, **values)
                await self._record(conn, "project-changed", project_id, ",".join(sorted(values)))
            project = await self._projects.get(conn, project_id)
        assert project is not None
        return project

    async def configure(
        self, project_id: int, settings: ProjectSettings, *, steam_web_api_key: str | None = None
    ) -> Project:
        """``update``, with the Steam Web API key given in the clear (it is stored
        sealed, bound to the project): what ``gatehouse project set`` and the admin
        API's ``PATCH /projects/{id}`` do."""
        if steam_web_api_key is not None:
            if self._box is None:  # pragma: no cover - wired in wiring.py
                raise RuntimeError("ProjectService needs a SecretBox to store a Steam key")
            sealed = self._box.seal(
                steam_web_api_key.strip(), context=f"steam:project:{project_id}"
            )
            settings = replace(settings, steam_web_api_key_enc=sealed)
        return await self.update(project_id, settings)

    # -- client applications -------------------------------------------------------------

    async def create_client(self, user_id: int, name: str = "") -> tuple[Client, str]:
        """A new ClientID/ClientSecret pair for a user; the secret is returned only here."""
        if len(name) > 200:
            raise InvalidInput("name must be at most 200 characters", field="name")
        secret, secret_hash = self._hasher.new(CLIENT_SECRET_PREFIX)
        client_id = new_client_id()
        async with self._db.write() as conn:
            user = await self._users.get(conn, user_id)
            if user is None:
                raise UserNotFound()
            await self._projects.create_client(
                conn,
                client_id=client_id,
                project_id=user.project_id,
                user_id=user_id,
                name=name,
                secret_hash=secret_hash,
                now=self._clock.now_us(),
            )
            await self._record(conn, "client-created", user.project_id, client_id, user_id)
            found = await self._projects.client_with_hash(conn, client_id)
        assert found is not None
        return found[0], secret

    async def set_client_disabled(self, client_id: str, disabled: bool) -> None:
        async with self._db.write() as conn:
            if not await self._projects.set_client_disabled(conn, client_id, disabled):
                raise NotFound("No such client application")
            found = await self._projects.client_with_hash(conn, client_id)
            assert found is not None
            action = "client-disabled" if disabled else "client-enabled"
            await self._record(conn, action, found[0].project_id, client_id, found[0].user_id)
        if self._cache is not None:
            await self._cache.client_changed(client_id)

    async def client(self, client_id: str) -> Client:
        """A client application by id (``NotFound`` if there is none)."""
        found = None
        if client_id and len(client_id) <= 64:
            async with self._db.read() as conn:
                found = await self._projects.client_with_hash(conn, client_id)
        if found is None:
            raise NotFound("No such client application")
        return found[0]

    async def authenticate_client(self, client_id: str, secret: str, *, caller: str) -> Client:
        """Check ClientID + ClientSecret. Missing, unknown and wrong answer alike and
        cost alike; failures are throttled per caller address."""
        async with self._client_throttle.attempt(caller=caller) as attempt:
            client = await self._match_client(client_id, secret)
            if client is None:
                await attempt.failed()
                raise InvalidCredentials("Invalid client credentials")
        if client.disabled:
            raise ClientDisabled()
        return client

    async def _match_client(self, client_id: str, secret: str) -> Client | None:
        """Constant work whether or not the ClientID exists: one HMAC, one compare."""
        client_id = client_id.strip()
        found = None
        if client_id and len(client_id) <= 64 and client_id.isascii():
            found = await self._client_with_hash(client_id)
        stored = found[1] if found else self._dummy_hash
        candidate = secret if len(secret) <= MAX_SECRET_LENGTH else ""
        if self._hasher.matches(candidate, stored) and found is not None:
            return found[0]
        return None

    async def _client_with_hash(self, client_id: str) -> tuple[Client, str] | None:
        if self._cache is not None and (cached := await self._cache.client(client_id)):
            return cached
        async with self._db.read() as conn:
            found = await self._projects.client_with_hash(conn, client_id)
        if found is not None and self._cache is not None:
            await self._cache.remember_client(*found)
        return found

    # -- API keys ----------------------------------------------------------------------

    async def create_api_key(
        self, project_id: int, key_type: ApiKeyType, name: str = ""
    ) -> tuple[int, str]:
        key, key_hash = self._hasher.new(API_KEY_PREFIX)
        async with self._db.write() as conn:
            if await self._projects.get(conn, project_id) is None:
                raise ProjectNotFound()
            key_id = await self._projects.create_api_key(
                conn,
                project_id=project_id,
                key_type=key_type,
                key_hash=key_hash,
                name=name,
                now=self._clock.now_us(),
            )
            await self._record(conn, "api-key-created", project_id, f"api-key:{key_id}")
        return key_id, key

    async def revoke_api_key(self, key_id: int) -> None:
        async with self._db.write() as conn:
            key_hash = await self._projects.revoke_api_key(conn, key_id, self._clock.now_us())
            if key_hash is None:
                raise NotFound("No such active API key")
            found = await self._projects.api_key_by_hash(conn, key_hash)
            project_id = found.project_id if found is not None else None
            await self._record(conn, "api-key-revoked", project_id, f"api-key:{key_id}")
        if self._cache is not None:
            await self._cache.api_key_changed(key_hash)

    async def find_api_key(self, presented: str) -> ApiKeyRecord | None:
        """The live key ``presented`` is, else None (unknown, malformed or revoked)."""
        if not presented.startswith(API_KEY_PREFIX) or len(presented) > MAX_SECRET_LENGTH:
            return None
        key_hash = self._hasher.hash(presented)
        found = await self._cache.api_key(key_hash) if self._cache is not None else None
        if found is None:
            async with self._db.read() as conn:
                found = await self._projects.api_key_by_hash(conn, key_hash)
            if found is not None and self._cache is not None:
                await self._cache.remember_api_key(key_hash, found)
        return None if found is None or found.revoked else found

    async def add_admin(self, project_id: int, user_id: int) -> None:
        async with self._db.write() as conn:
            if await self._projects.get(conn, project_id) is None:
                raise ProjectNotFound()
            if await self._users.get(conn, user_id) is None:
                raise UserNotFound()
            await self._projects.add_admin(conn, project_id, user_id)
