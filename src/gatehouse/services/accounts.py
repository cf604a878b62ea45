"""Accounts: create users, set passwords."""

from __future__ import annotations

from dataclasses import dataclass, replace

from gatehouse.adapters.hashing import PasswordHasher
from gatehouse.adapters.store.audit import AuditRepository
from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.errors import DuplicateKey
from gatehouse.adapters.store.projects import ProjectRepository
from gatehouse.adapters.store.users import UserRepository
from gatehouse.core.clock import Clock
from gatehouse.core.errors import Conflict, InvalidInput, ProjectNotFound, UserNotFound
from gatehouse.core.identifiers import normalize_email, normalize_username
from gatehouse.core.models import AccessLevel, User
from gatehouse.core.password_policy import password_problem
from gatehouse.core.passwords import prehash

__all__ = ["AccountService", "NewUser"]


@dataclass(frozen=True, slots=True)
class NewUser:
    username: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    access_level: AccessLevel = AccessLevel.REGULAR
    password: str | None = None

    def validate(self) -> None:
        name = self.username
        if not 1 <= len(name) <= 255 or name != name.strip() or not name.isprintable():
            raise InvalidInput("username must be 1 to 255 printable characters", field="username")
        if self.email and ("@" not in self.email or len(self.email) > 320):
            raise InvalidInput("email must be an email address", field="email")
        for key in ("first_name", "last_name"):
            if len(getattr(self, key)) > 255:
                raise InvalidInput(f"{key} must be at most 255 characters", field=key)
        if self.password is not None:
            check_password(self.password)


def check_password(password: str) -> None:
    """The one rule for every new password, whoever sets it (core/password_policy.py)."""
    problem = password_problem(password)
    if problem is not None:
        raise InvalidInput(problem, field="password")


class AccountService:
    def __init__(
        self,
        *,
        db: Database,
        users: UserRepository,
        projects: ProjectRepository,
        passwords: PasswordHasher,
        clock: Clock,
        audit: AuditRepository | None = None,
    ) -> None:
        self._db = db
        self._audit = audit
        self._users = users
        self._projects = projects
        self._passwords = passwords
        self._clock = clock

    async def create_user(self, project_id: int, new: NewUser) -> User:
        # Checked and stored in the one form every lookup uses (core/identifiers.py).
        new = replace(
            new, username=normalize_username(new.username), email=normalize_email(new.email)
        )
        new.validate()
        password_hash = None
        if new.password is not None:
            password_hash = await self._passwords.hash(prehash(new.password))
        try:
            async with self._db.write() as conn:
                if await self._projects.get(conn, project_id) is None:
                    raise ProjectNotFound()
                if await self._users.by_username(conn, project_id, new.username) is not None:
                    raise Conflict("A user with that username already exists", field="username")
                if await self._users.by_email(conn, project_id, new.email) is not None:
                    raise Conflict("A user with that email address already exists", field="email")
                user_id = await self._users.create(
                    conn,
                    project_id=project_id,
                    now=self._clock.now_us(),
                    username=new.username,
                    email=new.email,
                    first_name=new.first_name,
                    last_name=new.last_name,
                    access_level=int(new.access_level),
                    password_hash=password_hash,
                )
                if self._audit is not None:
                    await self._audit.record(
                        conn,
                        at=self._clock.now_us(),
                        action="user-created",
                        project_id=project_id,
                        user_id=user_id,
                    )
                user = await self._users.get(conn, user_id)
        except DuplicateKey:  # a concurrent create won a unique index
            raise Conflict("A user with that username or email address already exists") from None
        assert user is not None
        return user

    async def get_user(self, user_id: int) -> User:
        async with self._db.read() as conn:
            user = await self._users.get(conn, user_id)
        if user is None:
            raise UserNotFound()
        return user
