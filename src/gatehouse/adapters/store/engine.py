"""Engines for SQLite (default) and PostgreSQL, with a read/write split.

* SQLite: WAL, ``busy_timeout``, foreign keys on. Write transactions start with
  ``BEGIN IMMEDIATE`` so two writers queue on the lock instead of failing with
  "database is locked" when one upgrades a read snapshot.
* SQLite statements run synchronously on the event loop, reads on one autocommit
  connection and writes on another: a primary-key read in WAL mode takes tens of
  microseconds and a small write transaction ~0.1 ms, while the async driver's
  thread hop and greenlet switch cost ~0.5 ms of CPU per statement (measured:
  /readyz 1,200 → 4,000 requests/s; a renewal 2.3 ms → see docs/benchmarks.md).
  WAL readers never wait for the writer. The writer never blocks the loop on
  another process's lock either: its busy timeout is 0 and ``BEGIN IMMEDIATE`` is
  retried with an asynchronous back-off. Writers of this process queue on an
  ``asyncio.Lock`` (a transaction may await non-database work inside it).
* PostgreSQL (asyncpg): reads run on an AUTOCOMMIT engine (one round trip instead
  of BEGIN/query/COMMIT); writes in ordinary transactions.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import namedtuple
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Executable, create_engine, event, text
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import StaticPool

from gatehouse.core.errors import InvalidInput

__all__ = ["Database", "Prepared", "async_url", "first", "is_storage_outage", "rows", "run"]


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
    bug? Drivers raise these wrapped by SQLAlchemy, or raw from the pool."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(
        exc, OperationalError | InterfaceError | ConnectionError | TimeoutError | OSError
    )


def _sqlite_writer_pragmas(dbapi_connection: Any, record: Any) -> None:
    _sqlite_pragmas(dbapi_connection, record)
    dbapi_connection.execute("PRAGMA busy_timeout=0")  # waits are asynchronous, see write()
    # A commit would otherwise run the WAL checkpoint (with its fsync) on the event
    # loop every 1,000 pages: the p99 spikes of writes. checkpoint() does it in a
    # worker thread instead, from the sweeper loop.
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
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
    """PostgreSQL text cannot hold U+0000 and fails the statement; refuse such a
    value up front, on both backends, as bad input instead of a server error."""
    for row in parameters if executemany else [parameters]:
        values = row.values() if isinstance(row, dict) else row
        for value in values or ():
            if isinstance(value, str) and "\x00" in value:
                raise InvalidInput("Text values must not contain NUL characters")


class Prepared:
    """A hot-path statement compiled once. On SQLite it runs straight on the driver
    cursor: SQLAlchemy's per-execute bookkeeping (~200 µs here) is most of the
    cost of a primary-key read or a one-row update that SQLite itself does in
    ~20 µs. On PostgreSQL it is an ordinary SQLAlchemy execution."""

    __slots__ = ("_defaults", "_order", "_row", "_sql", "stmt")

    def __init__(self, stmt: Executable) -> None:
        self.stmt = stmt
        compiled = stmt.compile(dialect=sqlite_dialect())  # type: ignore[attr-defined]
        self._sql = compiled.string
        self._order = tuple(compiled.positiontup or ())
        # Parameters the dialect adds itself (SQLite's ``OFFSET ?`` after a LIMIT).
        self._defaults = {k: v for k, v in compiled.params.items() if v is not None}
        self._row: Any = None

    def _execute(self, raw: Any, params: dict[str, Any]) -> Any:
        if self._defaults:
            params = {**self._defaults, **params}
        values = tuple(params[name] for name in self._order)
        _refuse_nul(None, None, self._sql, values, None, False)
        return raw.execute(self._sql, values)

    def _wrap(self, cursor: Any, values: Any) -> Any:
        if self._row is None:
            names = [d[0] for d in cursor.description]
            self._row = namedtuple("Row", names, rename=True)  # type: ignore[misc]
        return self._row._make(values)

    def first_sqlite(self, raw: Any, params: dict[str, Any]) -> Any:
        cursor = self._execute(raw, params)
        try:
            values = cursor.fetchone()
            return None if values is None else self._wrap(cursor, values)
        finally:
            cursor.close()

    def all_sqlite(self, raw: Any, params: dict[str, Any]) -> list[Any]:
        cursor = self._execute(raw, params)
        try:
            return [self._wrap(cursor, values) for values in cursor.fetchall()]
        finally:
            cursor.close()

    def run_sqlite(self, raw: Any, params: dict[str, Any]) -> int:
        cursor = self._execute(raw, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()


async def first(conn: AsyncConnection, prepared: Prepared, params: dict[str, Any]) -> Any:
    """The first row of a prepared SELECT (attribute access by column name), or None."""
    if isinstance(conn, _LoopReader):
        return prepared.first_sqlite(conn.raw, params)
    return (await conn.execute(prepared.stmt, params)).first()


async def rows(conn: AsyncConnection, prepared: Prepared, params: dict[str, Any]) -> list[Any]:
    if isinstance(conn, _LoopReader):
        return prepared.all_sqlite(conn.raw, params)
    return list(await conn.execute(prepared.stmt, params))


async def run(conn: AsyncConnection, prepared: Prepared, params: dict[str, Any]) -> int:
    """Execute a prepared INSERT/UPDATE/DELETE; the number of rows it touched."""
    if isinstance(conn, _LoopReader):
        return prepared.run_sqlite(conn.raw, params)
    return int((await conn.execute(prepared.stmt, params)).rowcount or 0)


class _LoopReader:
    """The read subset of ``AsyncConnection`` over a synchronous SQLite connection.

    Every call completes before it returns (nothing is awaited inside), so one
    connection safely serves all coroutines of the loop's thread."""

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


class Database:
    """Owns the engines. ``read()`` for queries, ``write()`` for a transaction."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = async_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            self.writer = create_async_engine(self.url, echo=echo, pool_size=1, max_overflow=0)
            self.reader = self.writer
            event.listen(self.writer.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.writer.sync_engine, "before_cursor_execute", _refuse_nul)
            # Reads: autocommit, so every statement sees a consistent WAL snapshot
            # without a BEGIN/ROLLBACK round trip. Writes: their own connection.
            sync_url = self.url.replace("sqlite+aiosqlite", "sqlite", 1)
            self._loop_engines = []
            for pragmas in (_sqlite_pragmas, _sqlite_writer_pragmas):
                engine = create_engine(
                    sync_url,
                    echo=echo,
                    poolclass=StaticPool,
                    connect_args={"check_same_thread": False},
                )
                event.listen(engine, "connect", pragmas)
                event.listen(engine, "before_cursor_execute", _refuse_nul)
                self._loop_engines.append(engine)
            self._loop_reader: _LoopReader | None = None
            self._loop_writer: _LoopReader | None = None
            self._write_lock = asyncio.Lock()

            @event.listens_for(self.writer.sync_engine, "begin")
            def _begin_immediate(conn: Any) -> None:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        else:
            self.writer = create_async_engine(
                self.url, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True
            )
            event.listen(self.writer.sync_engine, "before_cursor_execute", _refuse_nul)
            self.reader = self.writer.execution_options(isolation_level="AUTOCOMMIT")

    def _loop_connection(self, index: int) -> _LoopReader:
        conn = self._loop_engines[index].connect()
        return _LoopReader(conn.execution_options(isolation_level="AUTOCOMMIT"))

    def read(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection for queries. On SQLite a ready-made context (no generator):
        this sits on the hot path of every token check."""
        if self.is_sqlite:
            if self._loop_reader is None:
                self._loop_reader = self._loop_connection(0)
            return self._loop_reader
        return self.reader.connect()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        if not self.is_sqlite:
            async with self.writer.begin() as conn:
                yield conn
            return
        async with self._write_lock:
            if self._loop_writer is None:
                self._loop_writer = self._loop_connection(1)
            raw = self._loop_writer.raw
            await _retry_busy(lambda: raw.execute("BEGIN IMMEDIATE"))
            try:
                yield cast(AsyncConnection, self._loop_writer)
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            await _retry_busy(lambda: raw.execute("COMMIT"))

    @asynccontextmanager
    async def migration(self) -> AsyncIterator[AsyncConnection]:
        """A transaction on the async engine, for Alembic's ``run_sync``."""
        async with self.writer.begin() as conn:
            yield conn

    async def checkpoint(self) -> None:
        """Fold the SQLite WAL back into the database file, off the event loop
        (PASSIVE: never waits for readers or writers). No-op on PostgreSQL."""
        if self.is_sqlite:
            await asyncio.to_thread(self._checkpoint_now)

    def _checkpoint_now(self) -> None:
        path = make_url(self.url).database
        conn = sqlite3.connect(str(path), timeout=5)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            conn.close()

    async def ping(self) -> None:
        async with self.read() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()
        if self.is_sqlite:
            for conn in (self._loop_reader, self._loop_writer):
                if conn is not None:
                    conn.close()
            self._loop_reader = self._loop_writer = None
            for engine in self._loop_engines:
                engine.dispose()
