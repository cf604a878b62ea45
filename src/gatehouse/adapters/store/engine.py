"""The ``Database`` facade over one backend: SQLite (default) or PostgreSQL.

Each backend (``sqlite.py``, ``postgres.py``) hands out connections for reads,
transactions and one-statement writes; both speak the subset of SQLAlchemy's
``AsyncConnection`` the repositories use, and hot statements go through
``prepared.py``. A write that breaks a constraint leaves its block as
``errors.DuplicateKey`` on both.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from gatehouse.adapters.store.postgres import CONNECTION_TROUBLE, PostgresBackend
from gatehouse.adapters.store.sqlite import SqliteBackend

__all__ = ["Backend", "Database", "async_url", "is_storage_outage"]

Connections = Callable[[], AbstractAsyncContextManager[AsyncConnection]]


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


def is_storage_outage(exc: BaseException) -> bool:
    """Is this the database being unreachable or busy (retry later), rather than a
    bug? SQLAlchemy wraps the SQLite driver's errors; asyncpg's come raw."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sqlite3.OperationalError):  # raw: the write lock's own retries
        return "locked" in str(exc) or "busy" in str(exc)
    # CONNECTION_TROUBLE holds OSError, and so ConnectionError and TimeoutError.
    return isinstance(exc, (OperationalError, InterfaceError, *CONNECTION_TROUBLE))


class Backend(Protocol):
    """What a backend gives the facade: its connections and their upkeep."""

    def read(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection for queries, in autocommit."""

    def write(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A transaction: committed when the block ends, rolled back on an error."""

    def write_one(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """For a write the repository does in ONE statement on PostgreSQL: that
        statement is its own transaction there (no BEGIN/COMMIT round trips); on
        SQLite, where it takes several, an ordinary ``write()``."""

    def migration(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A transaction on a SQLAlchemy async engine, for Alembic's ``run_sync``."""

    async def checkpoint(self) -> None:
        """Fold the SQLite WAL back into the database file, off the event loop
        (PASSIVE: never waits for readers or writers). No-op on PostgreSQL."""

    async def dispose(self) -> None:
        """Close every connection; the backend reopens them when used again."""


class Database:
    """Owns the connections. ``read()`` for queries, ``write()`` for a transaction
    (see ``Backend`` for each)."""

    # The backend's own bound methods, not wrappers around them: ``read()`` sits
    # on the hot path of every token check.
    read: Connections
    write: Connections
    write_one: Connections
    migration: Connections
    checkpoint: Callable[[], Coroutine[Any, Any, None]]
    dispose: Callable[[], Coroutine[Any, Any, None]]

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 20) -> None:
        self.url = async_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        backend: Backend = (
            SqliteBackend(self.url, echo=echo)
            if self.is_sqlite
            else PostgresBackend(self.url, echo=echo, pool_size=pool_size)
        )
        self.read = backend.read
        self.write = backend.write
        self.write_one = backend.write_one
        self.migration = backend.migration
        self.checkpoint = backend.checkpoint
        self.dispose = backend.dispose

    async def ping(self) -> None:
        async with self.read() as conn:
            await conn.execute(text("SELECT 1"))
