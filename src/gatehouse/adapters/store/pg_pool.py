"""The asyncpg connection pool of the PostgreSQL backend."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

import asyncpg

__all__ = ["PgPool"]


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
