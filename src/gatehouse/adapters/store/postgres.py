"""PostgreSQL straight on asyncpg, with SQLAlchemy Core only as the SQL compiler.

Measured on this project's hot paths (bench/asgi_profile.py): through SQLAlchemy's
async engine a primary-key read cost ~1-2 ms of CPU (greenlet bridge, pool
checkout with a ping, reset on return, result processing); asyncpg itself needs
~50 µs for the same round trip. So the repositories keep writing SQLAlchemy Core
statements, and this module compiles them for PostgreSQL (once, for the
``Prepared`` hot statements) and runs the SQL on asyncpg, whose per-connection
statement cache makes every repeated query a prepared one.

``PgConnection`` implements the subset of SQLAlchemy's ``AsyncConnection`` that
the repositories use (``execute`` → first/scalar_one/scalar_one_or_none/rowcount/
iteration, ``scalar``); rows allow attribute access by column name. A unique
violation surfaces as SQLAlchemy's ``IntegrityError``, as it does on SQLite.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque, namedtuple
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any

import asyncpg
from sqlalchemy import Executable
from sqlalchemy.dialects.postgresql.asyncpg import dialect as _asyncpg_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from gatehouse.core.errors import InvalidInput

__all__ = [
    "CONNECTION_TROUBLE",
    "PgCompiled",
    "PgConnection",
    "PgPool",
    "PgResult",
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
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise IntegrityError(getattr(exc, "query", None) or "", None, exc) from exc

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


class PgPool:
    """A small asyncpg connection pool for one event loop.

    asyncpg's own pool resets every connection on release (one more round trip)
    and costs ~20 µs of Python per checkout; this one hands idle connections out
    LIFO, replaces closed ones, and has nothing to reset: reads run in autocommit
    and writes always end their transaction (see ``Database.write``). A
    connection in an unknown state is terminated rather than reused."""

    def __init__(
        self,
        dsn: str,
        *,
        max_size: int = 10,
        connect_timeout: float = 5.0,
        acquire_timeout: float = 10.0,
        command_timeout: float = 30.0,
    ) -> None:
        self._dsn = dsn
        self._max = max_size
        self._connect_timeout = connect_timeout
        self._acquire_timeout = acquire_timeout
        self._command_timeout = command_timeout
        self._idle: list[asyncpg.Connection] = []
        self._waiters: deque[asyncio.Future[asyncpg.Connection | None]] = deque()
        self._open = 0
        self._loop: asyncio.AbstractEventLoop | None = None

    async def acquire(self) -> asyncpg.Connection:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # connections belong to the loop that opened them
            self._forget_all()
            self._loop = loop
        while self._idle:
            conn = self._idle.pop()
            if not conn.is_closed():
                return conn
            self._open -= 1
        if self._open >= self._max:
            waiter: asyncio.Future[asyncpg.Connection | None] = loop.create_future()
            self._waiters.append(waiter)
            try:
                async with asyncio.timeout(self._acquire_timeout):
                    handed = await waiter
            except BaseException:
                if waiter.done() and not waiter.cancelled():  # handed over as we gave up
                    handed = waiter.result()
                    if handed is not None:
                        self.release(handed)
                    else:
                        self._open -= 1
                        self._wake(None)
                raise
            if handed is not None:
                return handed
            # A slot was freed (a connection died): open a new one in it.
        else:
            self._open += 1
        try:
            return await asyncpg.connect(
                self._dsn,
                timeout=self._connect_timeout,
                command_timeout=self._command_timeout,
            )
        except BaseException:
            self._open -= 1
            self._wake(None)
            raise

    def release(self, conn: asyncpg.Connection, *, reusable: bool = True) -> None:
        if not reusable or conn.is_closed() or conn.is_in_transaction():
            conn.terminate()
            self._open = max(0, self._open - 1)
            self._wake(None)
            return
        if not self._wake(conn):
            self._idle.append(conn)

    async def replace(self, dead: asyncpg.Connection) -> asyncpg.Connection:
        """A fresh connection for one found dead. Its idle siblings most likely died
        with it (a server restart, a failover): they are closed too, so that
        neither this caller nor the next ones meet them."""
        self.release(dead, reusable=False)
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.terminate()
        self._open = max(0, self._open - len(idle))
        return await self.acquire()

    def _wake(self, conn: asyncpg.Connection | None) -> bool:
        """Hand ``conn`` (or, with None, a free slot) to the first live waiter."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                if conn is None:
                    self._open += 1
                waiter.set_result(conn)
                return True
        return False

    def _forget_all(self) -> None:
        """Drop the connections of an earlier event loop (tests and CLI commands
        run one loop after another over the same Database)."""
        for conn in self._idle:
            with contextlib.suppress(RuntimeError):  # that loop and its sockets are gone
                conn.terminate()
        self._idle.clear()
        self._waiters.clear()
        self._open = 0

    async def close(self) -> None:
        if self._loop is not asyncio.get_running_loop():
            self._forget_all()
            return
        idle, self._idle = self._idle, []
        for conn in idle:
            try:
                await asyncio.wait_for(conn.close(), 2)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                conn.terminate()
        self._open -= len(idle)
