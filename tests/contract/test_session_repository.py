from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import func, select, text

from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.sessions import SessionRepository
from gatehouse.adapters.store.tables import audit_events, session_tokens
from gatehouse.adapters.store.users import UserRepository
from gatehouse.core.cursors import Cursor
from gatehouse.core.models import Session, SessionOrigin, TokenRole

repo = SessionRepository()
NOW = 1_772_366_400_000_000  # as in conftest: 2026-03-01T12:00:00Z
SECOND = 1_000_000
HOUR = 3600 * SECOND


def make_session(
    user_id: int,
    project_id: int,
    n: int,
    *,
    created_at: int = NOW,
    expires_at: int = NOW + HOUR,
    **fields: Any,
) -> Session:
    return Session(
        id=f"{user_id}.{n:08x}.0a1b2c3d",
        project_id=project_id,
        user_id=user_id,
        created_at=created_at,
        updated_at=created_at,
        expires_at=expires_at,
        room_name=f"room-{n}",
        **fields,
    )


async def insert(
    db: Database, *sessions: Session, tokens: Sequence[tuple[str, TokenRole]] = ()
) -> None:
    async with db.write() as conn:
        for session in sessions:
            await repo.insert(conn, session, tokens)


async def token_rows(db: Database, session_id: str) -> int:
    stmt = select(func.count()).where(session_tokens.c.session_id == session_id)
    async with db.read() as conn:
        return int((await conn.execute(stmt)).scalar_one())


async def other_user(db: Database, project_id: int) -> int:
    async with db.write() as conn:
        return await UserRepository().create(conn, project_id=project_id, now=NOW, username="bob")


async def test_insert_then_find_by_token_with_its_role(
    db: Database, project_id: int, user_id: int
) -> None:
    session = make_session(
        user_id,
        project_id,
        1,
        origin=SessionOrigin.HIVEMP,
        intent="lobby",
        factors=("password", "totp"),
        scope="user",
    )
    tokens = [("a" * 64, TokenRole.PUBLISHER), ("b" * 64, TokenRole.SUBSCRIBER)]
    async with db.write() as conn:
        await repo.insert(
            conn, session, tokens, client_id=None, ip="203.0.113.7", user_agent="x" * 600
        )
    async with db.read() as conn:
        assert await repo.by_token(conn, "a" * 64) == (session, TokenRole.PUBLISHER)
        assert await repo.by_token(conn, "b" * 64) == (session, TokenRole.SUBSCRIBER)
        assert await repo.by_token(conn, "c" * 64) is None
        assert await repo.get(conn, session.id) == session
        assert await repo.get(conn, f"{user_id}.00000000.00000000") is None


async def test_defaults_round_trip(db: Database, project_id: int, user_id: int) -> None:
    session = make_session(user_id, project_id, 1)  # no factors, no intent, no tokens
    await insert(db, session)
    async with db.read() as conn:
        found = await repo.get(conn, session.id)
    assert found == session
    assert found is not None and found.factors == () and found.intent is None
    assert await token_rows(db, session.id) == 0


async def test_by_token_finds_expired_sessions_too(
    db: Database, project_id: int, user_id: int
) -> None:
    # Expiry is the caller's check (Session.is_active), not the query's.
    session = make_session(user_id, project_id, 1, expires_at=NOW - 1)
    await insert(db, session, tokens=[("e" * 64, TokenRole.PUBLISHER)])
    async with db.read() as conn:
        found = await repo.by_token(conn, "e" * 64)
    assert found is not None
    assert not found[0].is_active(NOW)


async def test_page_is_keyset_ordered_with_ties_broken_by_id(
    db: Database, project_id: int, user_id: int
) -> None:
    bob = await other_user(db, project_id)
    # Inserted out of order; three share one created_at.
    ours = [
        make_session(user_id, project_id, 0x30, created_at=NOW),
        make_session(user_id, project_id, 0x10, created_at=NOW),
        make_session(user_id, project_id, 0x20, created_at=NOW),
        make_session(user_id, project_id, 0x05, created_at=NOW + 1),
        make_session(user_id, project_id, 0x99, created_at=NOW - 1),
        make_session(user_id, project_id, 0x50, created_at=NOW + 2),
    ]
    expired = make_session(user_id, project_id, 0x15, created_at=NOW, expires_at=NOW)
    theirs = make_session(bob, project_id, 0x11, created_at=NOW)
    await insert(db, *ours, expired, theirs)
    expected = sorted(ours, key=lambda s: (s.created_at, s.id))

    seen: list[Session] = []
    after: Cursor | None = None
    async with db.read() as conn:
        while True:
            page = await repo.page(conn, user_id=user_id, now=NOW, after=after, limit=2)
            assert len(page) <= 2
            if not page:
                break
            seen.extend(page)
            after = Cursor(page[-1].created_at, page[-1].id)
    assert seen == expected

    # A cursor in the middle of a tie resumes strictly after that id.
    async with db.read() as conn:
        rest = await repo.page(
            conn, user_id=user_id, now=NOW, after=Cursor(NOW, expected[1].id), limit=10
        )
    assert rest == expected[2:]


async def test_page_survives_deletion_of_the_cursor_row(
    db: Database, project_id: int, user_id: int
) -> None:
    sessions = [make_session(user_id, project_id, n, created_at=NOW + n) for n in range(4)]
    await insert(db, *sessions)
    async with db.read() as conn:
        first = await repo.page(conn, user_id=user_id, now=NOW, after=None, limit=2)
    async with db.write() as conn:
        assert await repo.delete(conn, first[-1].id)
    async with db.read() as conn:
        after = Cursor(first[-1].created_at, first[-1].id)
        second = await repo.page(conn, user_id=user_id, now=NOW, after=after, limit=2)
    assert second == sessions[2:]


async def test_count_and_oldest_active_ignore_expired(
    db: Database, project_id: int, user_id: int
) -> None:
    bob = await other_user(db, project_id)
    await insert(
        db,
        make_session(user_id, project_id, 1, created_at=NOW - 50, expires_at=NOW - 1),
        make_session(user_id, project_id, 2, created_at=NOW - 40, expires_at=NOW),  # just ended
        make_session(user_id, project_id, 0xB, created_at=NOW - 30),
        make_session(user_id, project_id, 0xA, created_at=NOW - 30),
        make_session(user_id, project_id, 3, created_at=NOW - 20, expires_at=NOW + 1),
        make_session(bob, project_id, 4, created_at=NOW - 60),
    )
    async with db.read() as conn:
        assert await repo.count_active(conn, user_id, NOW) == 3
        assert await repo.count_active(conn, user_id, NOW - 45) == 5
        assert await repo.count_active(conn, bob, NOW) == 1
        assert await repo.oldest_active(conn, user_id, NOW, 2) == [
            f"{user_id}.0000000a.0a1b2c3d",
            f"{user_id}.0000000b.0a1b2c3d",
        ]
        assert await repo.oldest_active(conn, user_id, NOW, 10) == [
            f"{user_id}.0000000a.0a1b2c3d",
            f"{user_id}.0000000b.0a1b2c3d",
            f"{user_id}.00000003.0a1b2c3d",
        ]
        assert sorted(await repo.active_ids(conn, user_id, NOW)) == sorted(
            await repo.oldest_active(conn, user_id, NOW, 10)
        )


async def test_set_expiry_only_moves_active_sessions(
    db: Database, project_id: int, user_id: int
) -> None:
    active = make_session(user_id, project_id, 1)
    ended = make_session(user_id, project_id, 2, expires_at=NOW)
    await insert(db, active, ended)
    later = NOW + 10 * SECOND
    async with db.write() as conn:
        assert await repo.set_expiry(conn, active.id, expires_at=later + HOUR, now=later)
        assert not await repo.set_expiry(conn, ended.id, expires_at=later + HOUR, now=NOW)
        assert not await repo.set_expiry(conn, "1.00000000.00000000", expires_at=later, now=NOW)
    async with db.read() as conn:
        moved = await repo.get(conn, active.id)
        assert moved is not None
        assert (moved.expires_at, moved.updated_at) == (later + HOUR, later)
        assert await repo.get(conn, ended.id) == ended


async def test_delete_removes_the_session_and_its_tokens(
    db: Database, project_id: int, user_id: int
) -> None:
    doomed, kept = make_session(user_id, project_id, 1), make_session(user_id, project_id, 2)
    await insert(
        db, doomed, tokens=[("a" * 64, TokenRole.PUBLISHER), ("b" * 64, TokenRole.SUBSCRIBER)]
    )
    await insert(db, kept, tokens=[("c" * 64, TokenRole.PUBLISHER)])
    async with db.write() as conn:
        assert await repo.delete(conn, doomed.id)
        assert not await repo.delete(conn, doomed.id)
    async with db.read() as conn:
        assert await repo.get(conn, doomed.id) is None
        assert await repo.by_token(conn, "a" * 64) is None
        assert await repo.by_token(conn, "b" * 64) is None
        assert await repo.by_token(conn, "c" * 64) == (kept, TokenRole.PUBLISHER)
    assert await token_rows(db, doomed.id) == 0


async def test_delete_expired_works_in_batches(db: Database, project_id: int, user_id: int) -> None:
    expired = [
        make_session(user_id, project_id, n, expires_at=NOW - n * SECOND) for n in range(5)
    ]  # n == 0 ends exactly now: expired too
    active = [make_session(user_id, project_id, 100 + n, expires_at=NOW + 1) for n in range(2)]
    for s in expired + active:
        await insert(db, s, tokens=[(f"{s.id:0<64}"[:64], TokenRole.PUBLISHER)])

    removed: list[list[str]] = []
    for _ in range(4):
        async with db.write() as conn:
            removed.append(await repo.delete_expired(conn, NOW, batch=2))
    assert [len(batch) for batch in removed] == [2, 2, 1, 0]
    assert sorted(sid for batch in removed for sid in batch) == sorted(s.id for s in expired)
    for s in expired:
        assert await token_rows(db, s.id) == 0
    async with db.read() as conn:
        assert await repo.count_active(conn, user_id, NOW) == 2
        for s in active:
            assert await repo.get(conn, s.id) == s
    assert await token_rows(db, active[0].id) == 1


async def audit_rows(db: Database) -> list[tuple[object, ...]]:
    stmt = select(
        audit_events.c.at,
        audit_events.c.project_id,
        audit_events.c.user_id,
        audit_events.c.session_id,
        audit_events.c.action,
        audit_events.c.origin,
        audit_events.c.detail,
    ).order_by(audit_events.c.id)
    async with db.read() as conn:
        return [tuple(r) for r in await conn.execute(stmt)]


async def test_audit_rows_are_written(db: Database, project_id: int, user_id: int) -> None:
    session = make_session(user_id, project_id, 1)
    await insert(db, session)
    async with db.write() as conn:
        await repo.audit(conn, at=NOW, action="created", session=session, origin="storage")
        await repo.audit(
            conn,
            at=NOW + 1,
            action="evicted",
            session_ids=[f"{user_id}.00000002.0a1b2c3d", "legacy-id"],
            origin="hivemp",
            detail="limit",
        )
        await repo.audit(conn, at=NOW + 2, action="evicted", session_ids=[])  # nothing
    assert await audit_rows(db) == [
        (NOW, project_id, user_id, session.id, "created", "storage", ""),
        (NOW + 1, None, user_id, f"{user_id}.00000002.0a1b2c3d", "evicted", "hivemp", "limit"),
        (NOW + 1, None, None, "legacy-id", "evicted", "hivemp", "limit"),
    ]


async def test_a_failed_transaction_writes_nothing(
    db: Database, project_id: int, user_id: int
) -> None:
    session = make_session(user_id, project_id, 1)
    with pytest.raises(RuntimeError):
        async with db.write() as conn:
            await repo.insert(conn, session, [("a" * 64, TokenRole.PUBLISHER)])
            await repo.audit(conn, at=NOW, action="created", session=session)
            raise RuntimeError("abort")
    async with db.read() as conn:
        assert await repo.get(conn, session.id) is None
        assert await repo.by_token(conn, "a" * 64) is None
    assert await audit_rows(db) == []


async def test_the_per_user_count_stays_on_the_users_own_sessions_after_analyze(
    db: Database, project_id: int, user_id: int
) -> None:
    """One user owning most sessions skews SQLite's statistics (ANALYZE, ``PRAGMA
    optimize``); the count behind the per-user limit must still read only that
    user's entries, not every active session (it once scanned them all: password
    sign-ins fell from ~26/s to 6/s with 1,000,000 sessions stored)."""
    if not db.is_sqlite:
        pytest.skip("SQLite's planner; PostgreSQL keeps per-value statistics")
    from gatehouse.adapters.store.sessions import _COUNT_ACTIVE

    crowd = await other_user(db, project_id)
    await insert(db, *(make_session(crowd, project_id, n) for n in range(3000)))
    await insert(db, make_session(user_id, project_id, 1))
    async with db.read() as conn:
        await conn.execute(text("ANALYZE"))
        raw = conn.raw  # type: ignore[attr-defined]
        plan = raw.execute("EXPLAIN QUERY PLAN " + _COUNT_ACTIVE._sql, (user_id, NOW)).fetchall()
        assert "ix_sessions_user_expires" in " ".join(str(r) for r in plan), plan
        assert await repo.count_active(conn, user_id, NOW) == 1
