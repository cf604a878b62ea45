from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.errors import DuplicateKey
from gatehouse.adapters.store.projects import ProjectRepository
from gatehouse.adapters.store.tables import users
from gatehouse.adapters.store.users import UserRepository
from gatehouse.core.models import AccessLevel

repo = UserRepository()
NOW = 1_772_366_400_000_000  # as in conftest: 2026-03-01T12:00:00Z
RACERS = 20


async def new_user(db: Database, project_id: int, username: str, **fields: object) -> int:
    async with db.write() as conn:
        return await repo.create(conn, project_id=project_id, now=NOW, username=username, **fields)


async def new_project(db: Database, name: str = "other") -> int:
    async with db.write() as conn:
        return await ProjectRepository().create(conn, name=name, now=NOW)


async def last_step(db: Database, user_id: int) -> int | None:
    async with db.read() as conn:
        stmt = select(users.c.totp_last_step).where(users.c.id == user_id)
        step = (await conn.execute(stmt)).scalar_one()
    return None if step is None else int(step)


async def test_create_and_get(db: Database, project_id: int) -> None:
    user_id = await new_user(db, project_id, "grace", email="grace@example.com")
    async with db.read() as conn:
        user = await repo.get(conn, user_id)
        assert await repo.get(conn, user_id + 1000) is None
        assert (await repo.by_username(conn, project_id, "grace")).id == user_id
        assert (await repo.by_email(conn, project_id, "grace@example.com")).id == user_id
        assert await repo.by_username(conn, project_id, "Grace") is None
    assert user is not None
    assert (user.project_id, user.username, user.email) == (
        project_id,
        "grace",
        "grace@example.com",
    )
    assert user.access_level is AccessLevel.REGULAR  # server defaults applied
    assert (user.has_password, user.totp_enabled, user.created_at) == (False, False, NOW)


async def test_usernames_are_unique_per_project(db: Database, project_id: int) -> None:
    await new_user(db, project_id, "ada")
    with pytest.raises(DuplicateKey):
        await new_user(db, project_id, "ada")
    elsewhere = await new_project(db)
    assert await new_user(db, elsewhere, "ada")  # another project: fine
    async with db.read() as conn:
        assert (await repo.by_username(conn, project_id, "ada")) is not None


async def test_update(db: Database, user_id: int) -> None:
    async with db.write() as conn:
        assert await repo.update(conn, user_id, now=NOW + 1, first_name="Ada")
        assert not await repo.update(conn, user_id + 1000, now=NOW + 1, first_name="x")
    async with db.read() as conn:
        user = await repo.get(conn, user_id)
        row = await repo.row(conn, user_id)
    assert user is not None and user.first_name == "Ada"
    assert row.updated_at == NOW + 1


async def test_lock(db: Database, user_id: int) -> None:
    async with db.write() as conn:
        assert await repo.lock(conn, user_id)
        assert not await repo.lock(conn, user_id + 1000)


async def test_advance_totp_step_is_a_strict_compare_and_set(db: Database, user_id: int) -> None:
    async with db.write() as conn:
        assert await repo.advance_totp_step(conn, user_id, 5)
        assert not await repo.advance_totp_step(conn, user_id, 5)  # replay of the same step
        assert not await repo.advance_totp_step(conn, user_id, 4)  # an older step
        assert await repo.advance_totp_step(conn, user_id, 6)
        assert not await repo.advance_totp_step(conn, user_id + 1000, 7)  # no such user
    assert await last_step(db, user_id) == 6


async def test_advance_totp_step_from_zero(db: Database, user_id: int) -> None:
    async with db.write() as conn:
        assert await repo.advance_totp_step(conn, user_id, 0)
        assert not await repo.advance_totp_step(conn, user_id, 0)


async def test_recovery_code_is_used_once(db: Database, project_id: int, user_id: int) -> None:
    bob = await new_user(db, project_id, "bob")
    async with db.write() as conn:
        await repo.replace_recovery_codes(conn, user_id, ["1" * 64, "2" * 64])
        await repo.replace_recovery_codes(conn, bob, ["3" * 64])
    async with db.write() as conn:
        assert await repo.use_recovery_code(conn, user_id, "1" * 64, NOW)
        assert not await repo.use_recovery_code(conn, user_id, "1" * 64, NOW + 1)
        assert await repo.use_recovery_code(conn, user_id, "2" * 64, NOW)
        assert not await repo.use_recovery_code(conn, user_id, "9" * 64, NOW)
        assert not await repo.use_recovery_code(conn, user_id, "3" * 64, NOW)  # bob's
    async with db.write() as conn:
        await repo.replace_recovery_codes(conn, user_id, ["1" * 64])  # a fresh set
        assert await repo.use_recovery_code(conn, user_id, "1" * 64, NOW)
        await repo.replace_recovery_codes(conn, user_id, [])
        assert not await repo.use_recovery_code(conn, user_id, "1" * 64, NOW)
    async with db.write() as conn:
        assert await repo.use_recovery_code(conn, bob, "3" * 64, NOW)


async def test_identities_link_lookup_unlink(db: Database, project_id: int, user_id: int) -> None:
    bob = await new_user(db, project_id, "bob")
    elsewhere = await new_project(db)
    async with db.write() as conn:
        await repo.link_identity(
            conn, project_id=project_id, user_id=user_id, provider="steam", subject="7656", now=NOW
        )
    async with db.read() as conn:
        assert await repo.by_identity(conn, project_id, "steam", "7656") == user_id
        assert await repo.by_identity(conn, elsewhere, "steam", "7656") is None
        assert await repo.by_identity(conn, project_id, "steam", "7657") is None
        assert await repo.by_identity(conn, project_id, "discord", "7656") is None
        assert await repo.identity_of(conn, user_id, "steam") == "7656"
        assert await repo.identity_of(conn, bob, "steam") is None

    # One owner per (project, provider, subject); one subject per (user, provider).
    with pytest.raises(DuplicateKey):
        async with db.write() as conn:
            await repo.link_identity(
                conn, project_id=project_id, user_id=bob, provider="steam", subject="7656", now=NOW
            )
    with pytest.raises(DuplicateKey):
        async with db.write() as conn:
            await repo.link_identity(
                conn, project_id=project_id, user_id=user_id, provider="steam", subject="1", now=NOW
            )

    async with db.write() as conn:
        assert await repo.unlink_identity(conn, user_id, "steam")
        assert not await repo.unlink_identity(conn, user_id, "steam")
    async with db.read() as conn:
        assert await repo.by_identity(conn, project_id, "steam", "7656") is None
        assert await repo.identity_of(conn, user_id, "steam") is None
    async with db.write() as conn:  # the subject is free again
        await repo.link_identity(
            conn, project_id=project_id, user_id=bob, provider="steam", subject="7656", now=NOW
        )
    async with db.read() as conn:
        assert await repo.by_identity(conn, project_id, "steam", "7656") == bob


# -- races: many concurrent consumers of one one-time value, exactly one wins ---------------


async def race(db: Database, attempt: Callable[[AsyncConnection], Awaitable[bool]]) -> list[bool]:
    """Run ``attempt(conn)`` in RACERS concurrent write transactions. On PostgreSQL
    every transaction first reads the user row and waits for all the others, so
    they all start from the same state; SQLite serialises writers (BEGIN IMMEDIATE
    on a single connection) and cannot overlap them."""
    barrier = asyncio.Barrier(1 if db.is_sqlite else RACERS)

    async def one() -> bool:
        async with db.write() as conn:
            await conn.execute(select(users.c.totp_last_step))
            await barrier.wait()
            return await attempt(conn)

    return await asyncio.wait_for(asyncio.gather(*(one() for _ in range(RACERS))), timeout=30)


async def test_concurrent_totp_step_is_accepted_once(db: Database, user_id: int) -> None:
    results = await race(db, lambda conn: repo.advance_totp_step(conn, user_id, 5))
    assert results.count(True) == 1
    assert await last_step(db, user_id) == 5


async def test_concurrent_recovery_code_is_accepted_once(db: Database, user_id: int) -> None:
    async with db.write() as conn:
        await repo.replace_recovery_codes(conn, user_id, ["1" * 64])
    results = await race(db, lambda conn: repo.use_recovery_code(conn, user_id, "1" * 64, NOW))
    assert results.count(True) == 1
