"""Users, their credentials and linked external identities."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gatehouse.adapters.store.prepared import Prepared, first
from gatehouse.adapters.store.rows import user_from_row
from gatehouse.adapters.store.tables import external_identities, recovery_codes, users
from gatehouse.core.identifiers import normalize_email, normalize_username
from gatehouse.core.models import User
from gatehouse.core.passwords import credential_stamp

__all__ = ["UserRepository"]

_USER_BY_ID = Prepared(select(users).where(users.c.id == bindparam("id")))
_BY_USERNAME = Prepared(
    select(users).where(users.c.project_id == bindparam("p"), users.c.username == bindparam("name"))
)
_BY_EMAIL = Prepared(
    select(users)
    .where(users.c.project_id == bindparam("p"), users.c.email == bindparam("email"))
    .order_by(users.c.id)
    .limit(1)
)
_LOCK = Prepared(
    select(users.c.password_hash, users.c.totp_secret_enc, users.c.disabled_at)
    .where(users.c.id == bindparam("id"))
    .with_for_update()
)


class UserRepository:
    async def create(
        self, conn: AsyncConnection, *, project_id: int, now: int, **fields: Any
    ) -> int:
        """Insert a user; the user name and email are stored in their canonical
        form (core/identifiers.py), which the unique indexes compare."""
        for key, normalize in (("username", normalize_username), ("email", normalize_email)):
            if key in fields:
                fields[key] = normalize(fields[key])
        result = await conn.execute(
            insert(users)
            .values(project_id=project_id, created_at=now, updated_at=now, **fields)
            .returning(users.c.id)
        )
        return int(result.scalar_one())

    async def get(self, conn: AsyncConnection, user_id: int) -> User | None:
        row = await first(conn, _USER_BY_ID, {"id": user_id})
        return user_from_row(row) if row else None

    async def lock(self, conn: AsyncConnection, user_id: int) -> str | None:
        """Serialise concurrent writers for one user (a no-op lock on SQLite, whose
        write transactions are already serial); the user's credential stamp as it
        stands now, or None when there is no such user."""
        found = await self.lock_state(conn, user_id)
        return None if found is None else found[0]

    async def lock_state(self, conn: AsyncConnection, user_id: int) -> tuple[str, bool] | None:
        """``lock``, and whether the user is disabled: (credential stamp, disabled)."""
        row = await first(conn, _LOCK, {"id": user_id})
        if row is None:
            return None
        stamp = credential_stamp(row.password_hash, row.totp_secret_enc)
        return stamp, row.disabled_at is not None

    async def replace_password_hash(
        self, conn: AsyncConnection, user_id: int, *, old: str, new: str, now: int
    ) -> bool:
        """Compare-and-set: a rehash must never write over a password changed since
        the old hash was verified."""
        result = await conn.execute(
            update(users)
            .where(users.c.id == user_id, users.c.password_hash == old)
            .values(password_hash=new, updated_at=now)
        )
        return bool(result.rowcount)

    async def by_username(self, conn: AsyncConnection, project_id: int, username: str) -> Any:
        name = normalize_username(username)
        return await first(conn, _BY_USERNAME, {"p": project_id, "name": name})

    async def by_email(self, conn: AsyncConnection, project_id: int, email: str) -> Any:
        """The user with this email (any spelling of it); None for no email at all."""
        email = normalize_email(email)
        if not email:
            return None
        return await first(conn, _BY_EMAIL, {"p": project_id, "email": email})

    async def row(self, conn: AsyncConnection, user_id: int) -> Any:
        return await first(conn, _USER_BY_ID, {"id": user_id})

    async def update(self, conn: AsyncConnection, user_id: int, *, now: int, **values: Any) -> bool:
        result = await conn.execute(
            update(users).where(users.c.id == user_id).values(updated_at=now, **values)
        )
        return bool(result.rowcount)

    async def advance_totp_step(self, conn: AsyncConnection, user_id: int, step: int) -> bool:
        """Record ``step`` as used only if it is newer than the last one: the atomic
        compare-and-set that makes a code unusable twice, across processes."""
        stmt = (
            update(users)
            .where(users.c.id == user_id)
            .where((users.c.totp_last_step.is_(None)) | (users.c.totp_last_step < step))
            .values(totp_last_step=step)
        )
        return bool((await conn.execute(stmt)).rowcount)

    # -- recovery codes ------------------------------------------------------------------

    async def replace_recovery_codes(
        self, conn: AsyncConnection, user_id: int, code_hashes: list[str]
    ) -> None:
        await conn.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
        if code_hashes:
            await conn.execute(
                insert(recovery_codes), [{"code_hash": h, "user_id": user_id} for h in code_hashes]
            )

    async def use_recovery_code(
        self, conn: AsyncConnection, user_id: int, code_hash: str, now: int
    ) -> bool:
        stmt = (
            update(recovery_codes)
            .where(
                recovery_codes.c.code_hash == code_hash,
                recovery_codes.c.user_id == user_id,
                recovery_codes.c.used_at.is_(None),
            )
            .values(used_at=now)
        )
        return bool((await conn.execute(stmt)).rowcount)

    # -- external identities ---------------------------------------------------------------

    async def by_identity(
        self, conn: AsyncConnection, project_id: int, provider: str, subject: str
    ) -> int | None:
        stmt = select(external_identities.c.user_id).where(
            external_identities.c.project_id == project_id,
            external_identities.c.provider == provider,
            external_identities.c.subject == subject,
        )
        value = (await conn.execute(stmt)).scalar_one_or_none()
        return int(value) if value is not None else None

    async def identity_of(self, conn: AsyncConnection, user_id: int, provider: str) -> str | None:
        stmt = select(external_identities.c.subject).where(
            external_identities.c.user_id == user_id, external_identities.c.provider == provider
        )
        value = (await conn.execute(stmt)).scalar_one_or_none()
        return str(value) if value is not None else None

    async def link_identity(
        self,
        conn: AsyncConnection,
        *,
        project_id: int,
        user_id: int,
        provider: str,
        subject: str,
        now: int,
    ) -> None:
        await conn.execute(
            insert(external_identities).values(
                project_id=project_id,
                user_id=user_id,
                provider=provider,
                subject=subject,
                created_at=now,
            )
        )

    async def unlink_identity(self, conn: AsyncConnection, user_id: int, provider: str) -> bool:
        stmt = delete(external_identities).where(
            external_identities.c.user_id == user_id, external_identities.c.provider == provider
        )
        return bool((await conn.execute(stmt)).rowcount)
