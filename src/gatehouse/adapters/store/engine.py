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
* PostgreSQL: statements are compiled by SQLAlchemy and run straight on asyncpg
  (adapters/store/postgres.py explains why). Reads run in autocommit (one round
  trip instead of BEGIN/query/COMMIT); writes in ordinary transactions. Only
  Alembic's migrations go through a SQLAlchemy engine.
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
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool, StaticPool

from gatehouse.adapters.store.postgres import (
    CONNECTION_TROUBLE,
    PgCompiled,
    PgConnection,
    PgPool,
    pg_dsn,
    refuse_nul,
    wrap_rows,
)

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
    bug? SQLAlchemy wraps the SQLite driver's errors; asyncpg's come raw."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    # CONNECTION_TROUBLE holds OSError, and so ConnectionError and TimeoutError.
    return isinstance(exc, (OperationalError, InterfaceError, *CONNECTION_TROUBLE))


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
    """``refuse_nul`` as a SQLAlchemy event, for statements run through it on SQLite."""
    for row in parameters if executemany else [parameters]:
        refuse_nul(list(row.values() if isinstance(row, dict) else row or ()))


class Prepared:
    """A hot-path statement compiled once. On SQLite it runs straight on the driver
    cursor: SQLAlchemy's per-execute bookkeeping (~200 µs here) is most of the
    cost of a primary-key read or a one-row update that SQLite itself does in
    ~20 µs. On PostgreSQL it is compiled once more, for asyncpg."""

    __slots__ = ("_defaults", "_order", "_pg", "_row", "_sql", "stmt")

    def __init__(self, stmt: Executable) -> None:
        self.stmt = stmt
        compiled = stmt.compile(dialect=sqlite_dialect())  # type: ignore[attr-defined]
        self._sql = compiled.string
        self._order = tuple(compiled.positiontup or ())
        # Parameters the dialect adds itself (SQLite's ``OFFSET ?`` after a LIMIT).
        self._defaults = {k: v for k, v in compiled.params.items() if v is not None}
        self._row: Any = None
        self._pg: PgCompiled | None = None

    @property
    def pg(self) -> PgCompiled:
        if self._pg is None:
            self._pg = PgCompiled(self.stmt)
        return self._pg

    def _execute(self, raw: Any, params: dict[str, Any]) -> Any:
        if self._defaults:
            params = {**self._defaults, **params}
        values = tuple(params[name] for name in self._order)
        refuse_nul(values)
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


# ``conn`` is what ``Database.read()``/``write()`` handed out: a _LoopReader on
# SQLite, a PgConnection on PostgreSQL (both typed as the AsyncConnection subset).


async def first(conn: AsyncConnection, prepared: Prepared, params: dict[str, Any]) -> Any:
    """The first row of a prepared SELECT (attribute access by column name), or None."""
    if isinstance(conn, _LoopReader):
        return prepared.first_sqlite(conn.raw, params)
    found = await cast(PgConnection, conn).fetch(prepared.pg, params)
    return wrap_rows(found[:1])[0] if found else None


async def rows(conn: AsyncConnection, prepared: Prepared, params: dict[str, Any]) -> list[Any]:
    if isinstance(conn, _LoopReader):
        return prepared.all_sqlite(conn.raw, params)
    return wrap_rows(await cast(PgConnection, conn).fetch(prepared.pg, params))


async def run(conn: AsyncConnection, prepared: Prepared, params: dict[str, Any]) -> int:
    """Execute a prepared INSERT/UPDATE/DELETE; the number of rows it touched."""
    if isinstance(conn, _LoopReader):
        return prepared.run_sqlite(conn.raw, params)
    pg = cast(PgConnection, conn)
    if prepared.pg.returns_rows:  # an INSERT with the implicit RETURNING of its key
        return len(await pg.fetch(prepared.pg, params))
    return await pg.command(prepared.pg, params)


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


class _PgCheckout:
    """``async with``: one pooled asyncpg connection, in a transaction or not.

    A connection goes back to the pool only in a known state: after COMMIT or a
    successful ROLLBACK, or after a read that ended normally or with an ordinary
    error. A cancellation, a timeout or a broken connection may leave a query in
    flight, so that connection is closed instead. A connection found dead is
    replaced once: when BEGIN fails, or under a read (which is safe to run
    again) — never under a single-statement write, which may have committed."""

    __slots__ = ("_conn", "_pool", "_reads_only", "_transaction")

    def __init__(self, pool: PgPool, *, transaction: bool, reads_only: bool = False) -> None:
        self._pool = pool
        self._transaction = transaction
        self._reads_only = reads_only
        self._conn: PgConnection | None = None

    async def __aenter__(self) -> AsyncConnection:
        raw = await self._pool.acquire()
        if not self._transaction:
            self._conn = PgConnection(raw, replace=self._pool.replace if self._reads_only else None)
            return cast(AsyncConnection, self._conn)
        for attempt in (1, 2):
            try:
                await raw.execute("BEGIN")
                break
            except BaseException as exc:
                if attempt == 2 or not isinstance(exc, CONNECTION_TROUBLE):
                    self._pool.release(raw, reusable=False)
                    raise
                raw = await self._pool.replace(raw)
        self._conn = PgConnection(raw)
        return cast(AsyncConnection, self._conn)

    async def __aexit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        assert self._conn is not None
        raw, self._conn = self._conn.raw, None
        reusable = exc is None or (
            isinstance(exc, Exception) and not isinstance(exc, CONNECTION_TROUBLE)
        )
        try:
            if self._transaction and reusable:
                await raw.execute("COMMIT" if exc is None else "ROLLBACK")
        except BaseException:
            reusable = False
            raise
        finally:
            self._pool.release(raw, reusable=reusable)


class Database:
    """Owns the connections. ``read()`` for queries, ``write()`` for a transaction."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 20) -> None:
        self.url = async_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        self._engine: AsyncEngine | None = None  # Alembic's (and, on SQLite, aiosqlite's)
        self._echo = echo
        if not self.is_sqlite:
            self._pool = PgPool(pg_dsn(self.url), max_size=pool_size)
            return
        self._engine = create_async_engine(self.url, echo=echo, pool_size=1, max_overflow=0)
        event.listen(self._engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(self._engine.sync_engine, "before_cursor_execute", _refuse_nul)
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

        @event.listens_for(self._engine.sync_engine, "begin")
        def _begin_immediate(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    def _loop_connection(self, index: int) -> _LoopReader:
        conn = self._loop_engines[index].connect()
        return _LoopReader(conn.execution_options(isolation_level="AUTOCOMMIT"))

    def read(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection for queries. A ready-made context (no generator): this sits
        on the hot path of every token check."""
        if self.is_sqlite:
            if self._loop_reader is None:
                self._loop_reader = self._loop_connection(0)
            return self._loop_reader
        return _PgCheckout(self._pool, transaction=False, reads_only=True)

    def write(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A transaction: committed when the block ends, rolled back on an error."""
        if self.is_sqlite:
            return self._sqlite_write()
        return _PgCheckout(self._pool, transaction=True)

    def write_one(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """For a write the repository does in ONE statement on PostgreSQL: that
        statement is its own transaction there (no BEGIN/COMMIT round trips); on
        SQLite, where it takes several, an ordinary ``write()``."""
        if self.is_sqlite:
            return self._sqlite_write()
        return _PgCheckout(self._pool, transaction=False)

    @asynccontextmanager
    async def _sqlite_write(self) -> AsyncIterator[AsyncConnection]:
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
        """A transaction on a SQLAlchemy async engine, for Alembic's ``run_sync``."""
        if self._engine is None:
            self._engine = create_async_engine(self.url, echo=self._echo, poolclass=NullPool)
        async with self._engine.begin() as conn:
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
        if self._engine is not None:
            await self._engine.dispose()
            if not self.is_sqlite:
                self._engine = None
        if not self.is_sqlite:
            await self._pool.close()
            return
        for conn in (self._loop_reader, self._loop_writer):
            if conn is not None:
                conn.close()
        self._loop_reader = self._loop_writer = None
        for engine in self._loop_engines:
            engine.dispose()
