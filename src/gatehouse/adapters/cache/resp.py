"""A small pipelined Redis client (RESP2 over one asyncio connection, parsed by hiredis).

Every token check on the production path asks Redis once or twice, so the
client's own CPU cost is the hot path's. redis-py's asyncio client spends ~100 µs
of Python per command here (pool checkout, a timeout context per command, its
observability hooks); this one writes commands on one shared connection and
matches replies to callers in order, ~10 µs per round trip. All coroutines of a
process multiplex that connection; the commands written in one event-loop turn
leave in one ``send``.

A reply late by more than ``timeout`` closes the connection and fails every
caller waiting on it (``RedisUnavailable``), so a stalled Redis costs each request
at most ``timeout`` and the circuit breaker above (``RedisClient``) takes over.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import deque
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import hiredis

__all__ = ["RedisUnavailable", "RespClient", "RespError", "RespUrl"]

Command = tuple[Any, ...]


class RespError(Exception):
    """Redis answered a command with an error reply."""


class RedisUnavailable(ConnectionError):
    """No connection, or it broke, or a reply did not come in time."""


class RespUrl:
    """``redis://[user:password@]host[:port][/db]``, ``rediss://`` (TLS) or
    ``unix:///path?db=N``."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise ValueError(f"unsupported Redis URL scheme: {parts.scheme!r}")
        self.tls = parts.scheme == "rediss"
        self.unix_path = parts.path if parts.scheme == "unix" else None
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 6379
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        query = parse_qs(parts.query)
        db = query.get("db", [""])[0]
        if not db and parts.scheme != "unix":
            db = parts.path.lstrip("/")
        self.db = int(db) if db else 0


class _Call:
    __slots__ = ("expected", "future", "replies", "sent_at")

    def __init__(
        self, future: asyncio.Future[list[Any]] | None, expected: int, sent_at: float
    ) -> None:
        self.future = future
        self.expected = expected
        self.replies: list[Any] = []
        self.sent_at = sent_at


class _Connection(asyncio.Protocol):
    def __init__(self, loop: asyncio.AbstractEventLoop, timeout: float) -> None:
        self._loop = loop
        self._timeout = timeout
        self._reader = hiredis.Reader()
        self._pending: deque[_Call] = deque()
        self._outgoing: list[bytes] = []
        self._transport: asyncio.Transport | None = None
        self._watchdog: asyncio.TimerHandle | None = None
        self.closed = False

    # -- asyncio.Protocol -------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._reader.feed(data)
        pending = self._pending
        try:
            while (reply := self._reader.gets()) is not False:
                call = pending[0]
                call.replies.append(reply)
                if len(call.replies) == call.expected:
                    pending.popleft()
                    if call.future is not None and not call.future.done():
                        call.future.set_result(call.replies)
        except (hiredis.ProtocolError, IndexError):  # garbage, or a reply nobody asked for
            self.abort("protocol error")

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        pending, self._pending = self._pending, deque()
        for call in pending:
            if call.future is not None and not call.future.done():
                call.future.set_exception(RedisUnavailable("connection to Redis lost"))

    # -- sending ----------------------------------------------------------------------

    def send(self, payload: bytes, expected: int) -> asyncio.Future[list[Any]]:
        if self.closed:
            raise RedisUnavailable("connection to Redis closed")
        future: asyncio.Future[list[Any]] = self._loop.create_future()
        self._queue(payload, expected, future)
        return future

    def send_and_forget(self, payload: bytes, expected: int) -> None:
        """Send without waiting: the replies are read and dropped."""
        if not self.closed:
            self._queue(payload, expected, None)

    def _queue(
        self, payload: bytes, expected: int, future: asyncio.Future[list[Any]] | None
    ) -> None:
        self._pending.append(_Call(future, expected, time.monotonic()))
        if not self._outgoing:
            self._loop.call_soon(self._flush)
        self._outgoing.append(payload)
        if self._watchdog is None:
            self._watchdog = self._loop.call_later(self._timeout, self._check)

    def _flush(self) -> None:
        payload = b"".join(self._outgoing)
        self._outgoing.clear()
        if self._transport is not None and not self.closed:
            self._transport.write(payload)

    def _check(self) -> None:
        """Runs every ``timeout`` while replies are awaited: a reply overdue means
        Redis is stalled (or the network is), and everyone waiting gives up."""
        self._watchdog = None
        if not self._pending:
            return
        if time.monotonic() - self._pending[0].sent_at >= self._timeout:
            self.abort("reply timeout")
        else:
            self._watchdog = self._loop.call_later(self._timeout, self._check)

    def abort(self, why: str) -> None:
        if self._transport is not None:
            self._transport.abort()  # connection_lost fails the waiting calls
        self.closed = True
        pending, self._pending = self._pending, deque()
        for call in pending:
            if call.future is not None and not call.future.done():
                call.future.set_exception(RedisUnavailable(why))


class RespClient:
    """Commands and pipelines over one lazily (re)opened connection per event loop."""

    def __init__(self, url: str, *, timeout: float = 0.25) -> None:
        self._url = RespUrl(url)
        self._timeout = timeout
        self._conn: _Connection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connecting: asyncio.Future[_Connection] | None = None

    @property
    def address(self) -> str:
        """Where this client connects, without credentials (for messages)."""
        url = self._url
        return url.unix_path if url.unix_path is not None else f"{url.host}:{url.port}"

    async def execute(self, *args: Any) -> Any:
        return (await self.pipeline(args))[0]

    async def pipeline(self, *commands: Command) -> list[Any]:
        """Send ``commands`` together; their replies, in order. An error reply
        raises ``RespError`` (after all replies are read)."""
        conn = self._conn
        if conn is None or conn.closed or self._loop is not asyncio.get_running_loop():
            conn = await self._connect()
        payload = b"".join([hiredis.pack_command(c) for c in commands])
        replies = await conn.send(payload, len(commands))
        for reply in replies:
            if isinstance(reply, hiredis.ReplyError):
                raise RespError(str(reply))
        return replies

    async def eval(self, script: str, keys: list[str], args: list[Any]) -> Any:
        return await self.execute("EVAL", script, len(keys), *keys, *args)

    def send_and_forget(self, *commands: Command) -> None:
        """Send ``commands`` on the open connection and drop their replies; nothing
        is sent when no connection is open (the caller accepts losing them)."""
        conn = self._conn
        if conn is None or conn.closed or self._loop is not asyncio.get_running_loop():
            return
        conn.send_and_forget(b"".join([hiredis.pack_command(c) for c in commands]), len(commands))

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a connection belongs to the loop that opened it
            self._loop, self._conn, self._connecting = loop, None, None
        if self._connecting is not None:  # somebody is already connecting: wait for it
            return await asyncio.shield(self._connecting)
        self._connecting = loop.create_future()
        try:
            conn = await asyncio.wait_for(self._open(loop), self._timeout * 4)
        except BaseException as exc:
            failed, self._connecting = self._connecting, None
            if not failed.done():
                failed.set_exception(RedisUnavailable(f"cannot connect to Redis: {exc!r}"))
                failed.exception()  # retrieved: no "never retrieved" warning
            if isinstance(exc, OSError | RespError):
                raise RedisUnavailable(f"cannot connect to Redis: {type(exc).__name__}") from exc
            raise
        self._conn = conn
        ready, self._connecting = self._connecting, None
        ready.set_result(conn)
        return conn

    async def _open(self, loop: asyncio.AbstractEventLoop) -> _Connection:
        url = self._url

        def factory() -> _Connection:
            return _Connection(loop, self._timeout)

        if url.unix_path is not None:
            _, conn = await loop.create_unix_connection(factory, url.unix_path)
        else:
            tls = ssl.create_default_context() if url.tls else None
            host = url.host if url.tls else None
            _, conn = await loop.create_connection(
                factory, url.host, url.port, ssl=tls, server_hostname=host
            )
        setup: list[Command] = []
        if url.password is not None:
            setup.append(
                ("AUTH", url.username, url.password) if url.username else ("AUTH", url.password)
            )
        if url.db:
            setup.append(("SELECT", url.db))
        if setup:
            payload = b"".join([hiredis.pack_command(c) for c in setup])
            for reply in await conn.send(payload, len(setup)):
                if isinstance(reply, hiredis.ReplyError):
                    conn.abort("setup refused")
                    raise RespError(str(reply))
        return conn

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.closed and self._loop is asyncio.get_running_loop():
            conn.abort("closed")
