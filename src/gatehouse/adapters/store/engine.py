"""Engines for SQLite (default) and PostgreSQL, with a read/write split.

* SQLite: WAL, ``busy_timeout``, foreign keys on. Write transactions start with
  ``BEGIN IMMEDIATE`` so two writers queue on the lock instead of failing with
  "database is locked" when one upgrades a read snapshot.
* PostgreSQL (asyncpg): reads run on an AUTOCOMMIT engine (one round trip instead
  of BEGIN/query/COMMIT); writes in ordinary transactions.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

__all__ = ["Database", "async_url"]


def async_url(url: str) -> str:
    """Map the user-facing URL to the async driver SQLAlchemy needs."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    elif backend in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    else:
        raise ValueError(f"unsupported database: {backend}")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is turned off; we emit BEGIN ourselves.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """Owns the engines. ``read()`` for queries, ``write()`` for a transaction."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = async_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            self.writer = create_async_engine(self.url, echo=echo, pool_size=1, max_overflow=0)
            self.reader = create_async_engine(self.url, echo=echo, pool_size=4, max_overflow=4)
            event.listen(self.writer.sync_engine, "connect", _sqlite_pragmas)
            # Readers stay in autocommit mode: every statement sees a consistent
            # WAL snapshot without a BEGIN/ROLLBACK round trip.
            event.listen(self.reader.sync_engine, "connect", _sqlite_pragmas)

            @event.listens_for(self.writer.sync_engine, "begin")
            def _begin_immediate(conn: Any) -> None:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        else:
            self.writer = create_async_engine(
                self.url, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True
            )
            self.reader = self.writer.execution_options(isolation_level="AUTOCOMMIT")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.reader.connect() as conn:
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        async with self.writer.begin() as conn:
            yield conn

    async def ping(self) -> None:
        async with self.reader.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()
