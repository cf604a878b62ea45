"""PostgreSQL backend: asyncpg, with SQLAlchemy Core only as the SQL compiler.

Measured on this project's hot paths (bench/asgi_profile.py): through SQLAlchemy's
async engine a primary-key read cost ~1-2 ms of CPU (greenlet bridge, pool
checkout with a ping, reset on return, result processing); asyncpg itself needs
~50 µs for the same round trip. So the repositories keep writing SQLAlchemy Core
statements, and this module compiles them for PostgreSQL (once, for the
``Prepared`` hot statements) and runs the SQL on asyncpg, whose per-connection
statement cache makes every repeated query a prepared one. Reads run in
autocommit (one round trip instead of BEGIN/query/COMMIT); writes in ordinary
transactions. Only Alembic's migrations go through a SQLAlchemy engine.

``PgConnection`` implements the subset of SQLAlchemy's ``AsyncConnection`` that
the repositories use (``execute`` → first/scalar_one/scalar_one_or_none/rowcount/
iteration, ``scalar``); rows allow attribute access by column name. A write that
breaks a constraint leaves its block as ``DuplicateKey``, as it does on SQLite.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, cast

import asyncpg
from sqlalchemy import Executable
from sqlalchemy.dialects.postgresql.asyncpg import dialect as _asyncpg_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from gatehouse.adapters.store.errors import DuplicateKey
from gatehouse.adapters.store.pg_pool import PgPool
from gatehouse.core.errors import InvalidInput

__all__ = [
    "CONNECTION_TROUBLE",
    "PgCompiled",
    "PgConnection",
    "PgResult",
    "PostgresBackend",
    "pg_dsn",
    "refuse_nul",
    "wrap_rows",
]

_DIALECT = _asyncpg_dialect()  # type: ignore[no-untyped-call]
_ROW_TYPES: dict[tuple[str, ...], Any] = {}


def pg_dsn(url: str) -> str:
    """``postgresql+asyncpg://…`` (or any driver spelling) → a libpq DSN for asyncpg."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def refuse_nul(values: Sequence[Any]) -> None:
    """PostgreSQL text cannot hold U+0000 and fails the statement; such a value is
    refused up front, on both backends, as bad input rather than a server error."""
    for value in values:
        if isinstance(value, str) and "\x00" in value:
            raise InvalidInput("Text values must not contain NUL characters")


def _row_type(keys: tuple[str, ...]) -> Any:
    row = _ROW_TYPES.get(keys)
    if row is None:
        row = _ROW_TYPES[keys] = namedtuple("Row", keys, rename=True)
    return row


class PgCompiled:
    """One statement compiled for asyncpg: ``$n`` SQL, parameter order, bound values."""

    __slots__ = ("defaults", "order", "returns_rows", "sql")

    def __init__(self, stmt: Executable, keys: Sequence[str] | None = None) -> None:
        compiled = stmt.compile(  # type: ignore[attr-defined]
            dialect=_DIALECT,
            column_keys=list(keys) if keys is not None else None,
            compile_kwargs={"render_postcompile": True},
        )
        self.sql: str = compiled.string
        self.order: tuple[str, ...] = tuple(compiled.positiontup or ())
        self.defaults: dict[str, Any] = dict(compiled.params)
        dml = compiled.isinsert or compiled.isupdate or compiled.isdelete
        self.returns_rows: bool = not dml or bool(compiled.effective_returning)

    def values(self, params: dict[str, Any] | None) -> list[Any]:
        if params:
            values = [params[n] if n in params else self.defaults[n] for n in self.order]
        else:
            values = [self.defaults[name] for name in self.order]
        refuse_nul(values)
        return values


class PgResult:
    """The parts of SQLAlchemy's ``CursorResult`` the repositories use."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        if len(self._rows) != 1:
            raise LookupError(f"expected exactly one row, got {len(self._rows)}")
        return self._rows[0][0]

    def scalar_one_or_none(self) -> Any:
        if len(self._rows) > 1:
            raise LookupError(f"expected at most one row, got {len(self._rows)}")
        return self._rows[0][0] if self._rows else None


def wrap_rows(records: list[asyncpg.Record]) -> list[Any]:
    if not records:
        return []
    row = _row_type(tuple(records[0].keys()))
    return [row._make(r.values()) for r in records]


def _rowcount(status: str) -> int:
    """asyncpg's command tag ("UPDATE 3", "INSERT 0 1") → rows touched."""
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() else 0


#: asyncpg's ways of saying the connection or the server is gone, restarting or
#: full. A connection that raised one of these is never reused.
CONNECTION_TROUBLE: tuple[type[Exception], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
    # 55000: the database is not accepting connections right now.
    asyncpg.exceptions.ObjectNotInPrerequisiteStateError,
    OSError,
)

Replace = Callable[[asyncpg.Connection], Awaitable[asyncpg.Connection]]


class PgConnection:
    """One asyncpg connection, checked out of ``PgPool`` for a read or a transaction.

    A read checkout may replace its connection once: a pooled connection that the
    server closed while it sat idle (a restart, an administrator, an idle
    timeout) fails its next statement, and a read is safe to run again on a
    fresh one — so that failure never reaches the caller."""

    __slots__ = ("_replace", "raw")

    def __init__(self, raw: asyncpg.Connection, replace: Replace | None = None) -> None:
        self.raw = raw
        self._replace = replace

    async def _call(self, run: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Any:
        try:
            return await run(self.raw)
        except CONNECTION_TROUBLE as exc:
            replace, self._replace = self._replace, None
            if replace is None or isinstance(exc, TimeoutError):  # a timeout would repeat
                raise
            self.raw = await replace(self.raw)
            return await run(self.raw)

    async def fetch(self, compiled: PgCompiled, params: dict[str, Any] | None) -> list[Any]:
        values = compiled.values(params)
        found: list[Any] = await self._call(lambda raw: raw.fetch(compiled.sql, *values))
        return found

    async def command(self, compiled: PgCompiled, params: dict[str, Any] | None) -> int:
        values = compiled.values(params)
        return _rowcount(await self._call(lambda raw: raw.execute(compiled.sql, *values)))

    async def execute(self, statement: Executable, parameters: Any = None) -> PgResult:
        if isinstance(parameters, list):  # executemany, as SQLAlchemy spells it
            if not parameters:
                return PgResult([], 0)
            compiled = PgCompiled(statement, list(parameters[0]))
            rows = [compiled.values(p) for p in parameters]
            await self._call(lambda raw: raw.executemany(compiled.sql, rows))
            return PgResult([], len(parameters))
        compiled = PgCompiled(statement, list(parameters) if parameters else None)
        if compiled.returns_rows:
            found = wrap_rows(await self.fetch(compiled, parameters))
            return PgResult(found, len(found))
        return PgResult([], await self.command(compiled, parameters))

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any:
        return (await self.execute(statement, parameters)).scalar()


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
        if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
            raise DuplicateKey(str(exc)) from exc


class PostgresBackend:
    """Checkouts of a ``PgPool``, and Alembic's engine while migrations run."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 20) -> None:
        self._url = url
        self._echo = echo
        self._engine: AsyncEngine | None = None
        self._pool = PgPool(pg_dsn(url), max_size=pool_size)

    def read(self) -> AbstractAsyncContextManager[AsyncConnection]:
        return _PgCheckout(self._pool, transaction=False, reads_only=True)

    def write(self) -> AbstractAsyncContextManager[AsyncConnection]:
        return _PgCheckout(self._pool, transaction=True)

    def write_one(self) -> AbstractAsyncContextManager[AsyncConnection]:
        return _PgCheckout(self._pool, transaction=False)

    @asynccontextmanager
    async def migration(self) -> AsyncIterator[AsyncConnection]:
        if self._engine is None:
            self._engine = create_async_engine(self._url, echo=self._echo, poolclass=NullPool)
        async with self._engine.begin() as conn:
            yield conn

    async def checkpoint(self) -> None:
        return None  # PostgreSQL checkpoints on its own

    async def dispose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None
        await self._pool.close()
