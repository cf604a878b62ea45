"""SQLite backend: statements run synchronously on the event loop.

* WAL, ``busy_timeout``, foreign keys on. Write transactions start with
  ``BEGIN IMMEDIATE`` so two writers queue on the lock instead of failing with
  "database is locked" when one upgrades a read snapshot.
* Reads run on one autocommit connection and writes on another: a primary-key
  read in WAL mode takes tens of microseconds and a small write transaction
  ~0.1 ms, while the async driver's thread hop and greenlet switch cost ~0.5 ms
  of CPU per statement (measured: /readyz 1,200 → 4,000 requests/s; a renewal
  2.3 ms → see docs/benchmarks.md). WAL readers never wait for the writer. The
  writer never blocks the loop on another process's lock either: its busy
  timeout is 0 and ``BEGIN IMMEDIATE`` is retried with an asynchronous back-off.
  Writers of this process queue on an ``asyncio.Lock`` (a transaction may await
  non-database work inside it).
* Alembic's migrations go through an aiosqlite engine with the same pragmas.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Executable, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import StaticPool

from gatehouse.adapters.store.errors import DuplicateKey
from gatehouse.adapters.store.postgres import refuse_nul

__all__ = ["LoopConnection", "SqliteBackend"]

#: What a write that broke a constraint raises: through SQLAlchemy, or from the
#: driver cursor a ``Prepared`` statement runs on.
_INTEGRITY_ERRORS = (IntegrityError, sqlite3.IntegrityError)


def _writer_pragmas(dbapi_connection: Any, record: Any) -> None:
    _pragmas(dbapi_connection, record)
    dbapi_connection.execute("PRAGMA busy_timeout=0")  # waits are asynchronous, see write()
    # A commit would otherwise run the WAL checkpoint (with its fsync) on the event
    # loop every 1,000 pages: the p99 spikes of writes. checkpoint() does it in a
    # worker thread instead, from the sweeper loop.
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is turned off; we emit BEGIN ourselves.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # The timeout first: switching a fresh database to WAL needs a lock that a
    # process starting at the same moment may hold.
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _refuse_nul(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> None:
    """``refuse_nul`` as a SQLAlchemy event, for statements run through it on SQLite."""
    for row in parameters if executemany else [parameters]:
        refuse_nul(list(row.values() if isinstance(row, dict) else row or ()))


class LoopConnection:
    """The read subset of ``AsyncConnection`` over a synchronous SQLite connection.

    Every call completes before it returns (nothing is awaited inside), so one
    connection safely serves all coroutines of the loop's thread. ``raw`` is the
    driver connection that ``Prepared`` statements run on."""

    __slots__ = ("_conn", "raw")

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.raw: Any = conn.connection.driver_connection

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]:
        return self._conn.execute(statement, parameters)

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any:
        return self._conn.scalar(statement, parameters)

    def close(self) -> None:
        self._conn.close()

    # A context manager yielding itself, typed as the async connection whose read
    # subset it implements.
    async def __aenter__(self) -> AsyncConnection:
        return cast(AsyncConnection, self)

    async def __aexit__(self, *exc: object) -> None:
        return None


async def _retry_busy(step: Callable[[], Any], timeout: float = 10.0) -> None:
    """Run a locking statement; while another process holds the lock, wait
    asynchronously (the event loop keeps serving) and try again."""
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.05)


class SqliteBackend:
    """One reader and one writer connection on the loop, and Alembic's engine."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self._url = url
        self._engine = create_async_engine(url, echo=echo, pool_size=1, max_overflow=0)
        event.listen(self._engine.sync_engine, "connect", _pragmas)
        event.listen(self._engine.sync_engine, "before_cursor_execute", _refuse_nul)
        # Reads: autocommit, so every statement sees a consistent WAL snapshot
        # without a BEGIN/ROLLBACK round trip. Writes: their own connection.
        sync_url = url.replace("sqlite+aiosqlite", "sqlite", 1)
        self._loop_engines = []
        for pragmas in (_pragmas, _writer_pragmas):
            engine = create_engine(
                sync_url,
                echo=echo,
                poolclass=StaticPool,
                connect_args={"check_same_thread": False},
            )
            event.listen(engine, "connect", pragmas)
            event.listen(engine, "before_cursor_execute", _refuse_nul)
            self._loop_engines.append(engine)
        self._reader: LoopConnection | None = None
        self._writer: LoopConnection | None = None
        self._write_lock = asyncio.Lock()

        @event.listens_for(self._engine.sync_engine, "begin")
        def _begin_immediate(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    def _loop_connection(self, index: int) -> LoopConnection:
        conn = self._loop_engines[index].connect()
        return LoopConnection(conn.execution_options(isolation_level="AUTOCOMMIT"))

    def read(self) -> AbstractAsyncContextManager[AsyncConnection]:
        if self._reader is None:
            self._reader = self._loop_connection(0)
        return self._reader

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        async with self._write_lock:
            if self._writer is None:
                self._writer = self._loop_connection(1)
            raw = self._writer.raw
            await _retry_busy(lambda: raw.execute("BEGIN IMMEDIATE"))
            try:
                yield cast(AsyncConnection, self._writer)
            except BaseException as exc:
                raw.execute("ROLLBACK")
                if isinstance(exc, _INTEGRITY_ERRORS):
                    raise DuplicateKey(str(exc)) from exc
                raise
            await _retry_busy(lambda: raw.execute("COMMIT"))

    #: A repository's one PostgreSQL statement takes several here: a transaction.
    write_one = write

    @asynccontextmanager
    async def migration(self) -> AsyncIterator[AsyncConnection]:
        async with self._engine.begin() as conn:
            yield conn

    async def checkpoint(self) -> None:
        await asyncio.to_thread(self._checkpoint_now)

    def _checkpoint_now(self) -> None:
        path = make_url(self._url).database
        conn = sqlite3.connect(str(path), timeout=5)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            conn.close()

    async def dispose(self) -> None:
        await self._engine.dispose()
        for conn in (self._reader, self._writer):
            if conn is not None:
                conn.close()
        self._reader = self._writer = None
        for engine in self._loop_engines:
            engine.dispose()
