"""Metrics (Prometheus) and JSON log lines with a request id on every line.

Cheap by construction, since every token check pays for it:

* the access line is one msgspec-encoded Struct, appended to a buffer that is
  written out on a short timer, when it grows large, before any warning, and at
  exit (``flush`` from the app's shutdown and from ``atexit``), never through
  ``logging``'s per-record machinery;
* request counts and latencies are plain integers per (route, method, status),
  bound once per series and turned into Prometheus samples only when scraped.

Nothing here ever sees a secret: access lines carry the method, the route
template (not the raw path, not the query string), the status and the time.
"""

from __future__ import annotations

import asyncio
import atexit
import bisect
import contextlib
import contextvars
import itertools
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

__all__ = [
    "ACCESS",
    "REGISTRY",
    "SIGN_INS",
    "JsonFormatter",
    "LineWriter",
    "configure_logging",
    "counting_sign_in",
    "metrics_middleware",
    "mint_request_id",
    "record_request",
    "render_metrics",
    "request_id",
]

REGISTRY = CollectorRegistry(auto_describe=True)
SIGN_INS = Counter(
    "gatehouse_sign_ins_total",
    "Sign-in attempts by method and outcome",
    ["method", "outcome"],
    registry=REGISTRY,
)
ACTIVE_SESSIONS = Gauge(
    "gatehouse_active_sessions",
    "Active (unexpired) sessions, counted by the sweeper",
    registry=REGISTRY,
)
CACHE_HIT_RATIO = Gauge(
    "gatehouse_token_cache_hit_ratio",
    "Share of token lookups answered by Redis",
    registry=REGISTRY,
)

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


@contextlib.contextmanager
def counting_sign_in(method: str) -> Iterator[list[str]]:
    """Count one sign-in attempt: the body may append an outcome ("success",
    "prompt", "otp-required"); an exception counts as "failure"."""
    outcome: list[str] = []
    try:
        yield outcome
    except Exception:
        SIGN_INS.labels(method, "failure").inc()
        raise
    SIGN_INS.labels(method, outcome[0] if outcome else "success").inc()


# --- request metrics --------------------------------------------------------

_BOUNDS: Final = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
#: At most this many (route, method, status) series; routes are templates, so the
#: real set is small, and a flood of odd methods cannot grow memory.
_MAX_SERIES: Final = 10_000


class _Latency:
    __slots__ = ("counts", "total")

    def __init__(self) -> None:
        self.counts = [0] * (len(_BOUNDS) + 1)
        self.total = 0.0


class _Requests:
    """Counts per (route, method, status) and a latency histogram per route."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str, int], int] = {}
        self.latency: dict[str, _Latency] = {}

    def record(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, status)
        counts = self.counts
        if key in counts:
            counts[key] += 1
        elif len(counts) < _MAX_SERIES:
            counts[key] = 1
        found = self.latency.get(route)
        if found is None:
            if len(self.latency) >= _MAX_SERIES:
                return
            found = self.latency[route] = _Latency()
        found.counts[bisect.bisect_left(_BOUNDS, seconds)] += 1
        found.total += seconds


class _RequestCollector(Collector):
    def __init__(self, requests: _Requests) -> None:
        self._requests = requests

    def collect(self) -> Iterable[Metric]:
        counter = CounterMetricFamily(
            "gatehouse_http_requests",
            "HTTP requests by route template, method and status",
            labels=["route", "method", "status"],
        )
        for (route, method, status), count in list(self._requests.counts.items()):
            counter.add_metric([route, method, str(status)], count)
        histogram = HistogramMetricFamily(
            "gatehouse_http_request_duration_seconds",
            "HTTP request latency by route template",
            labels=["route"],
        )
        for route, latency in list(self._requests.latency.items()):
            running = 0
            buckets = []
            for bound, count in zip((*_BOUNDS, float("inf")), latency.counts, strict=True):
                running += count
                buckets.append(("+Inf" if bound == float("inf") else str(bound), running))
            histogram.add_metric([route], buckets, latency.total)
        return [counter, histogram]


_REQUESTS = _Requests()
REGISTRY.register(_RequestCollector(_REQUESTS))


def render_metrics() -> bytes:
    return generate_latest(REGISTRY)


# --- log lines --------------------------------------------------------------


class LineWriter:
    """Log lines through a buffer: written on a short timer, when the buffer is
    large, on ``flush`` (warnings, shutdown) and at exit. One ``write`` per batch
    instead of one per line; lines from other threads are written at once."""

    def __init__(
        self,
        sink: Callable[[bytes], Any] | None = None,
        *,
        interval: float = 0.05,
        limit: int = 64 * 1024,
    ) -> None:
        self._sink = sink or _stderr
        self._interval = interval
        self._limit = limit
        self._lines: list[bytes] = []
        self._size = 0
        self._armed = False
        self._lock = threading.Lock()

    def write(self, line: bytes) -> None:
        self._lines.append(line)
        self._size += len(line)
        if self._size >= self._limit:
            self.flush()
        elif not self._armed:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # not the event loop's thread: no timer to lean on
                self.flush()
                return
            self._armed = True
            loop.call_later(self._interval, self.flush)

    def flush(self) -> None:
        with self._lock:
            self._armed = False
            if not self._lines:
                return
            lines, self._lines, self._size = self._lines, [], 0
            with contextlib.suppress(OSError):  # a closed stderr must not fail a request
                self._sink(b"".join(lines))


def _stderr(data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(2, view) :]


class _AccessLine(msgspec.Struct):
    ts: float
    level: str
    logger: str
    msg: str
    request_id: str
    method: str
    route: str
    status: int
    duration_ms: float


class _AccessLog:
    """Where access lines go: nowhere until ``configure_logging`` at info or below."""

    def __init__(self) -> None:
        self.writer: LineWriter | None = None
        self._encode = msgspec.json.Encoder().encode

    def line(self, rid: str, method: str, route: str, status: int, seconds: float) -> None:
        writer = self.writer
        if writer is not None:
            line = _AccessLine(
                round(time.time(), 3),
                "info",
                "gatehouse.access",
                "request",
                rid,
                method,
                route,
                status,
                round(seconds * 1000, 3),
            )
            writer.write(self._encode(line) + b"\n")


ACCESS = _AccessLog()

_PREFIX = secrets.token_hex(4)
_COUNTER = itertools.count(1)


def mint_request_id(headers: Iterable[tuple[bytes, bytes]]) -> str:
    """The caller's ``X-Request-ID`` when it is sane, else a new 16-character id
    (unique per process: a random prefix and a counter, no system call)."""
    for name, value in headers:
        if name == b"x-request-id":
            incoming = value.decode("latin-1")
            if _SANE_ID.fullmatch(incoming):
                return incoming
            break
    return f"{_PREFIX}{next(_COUNTER) & 0xFFFFFFFF:08x}"


def record_request(rid: str, method: str, route: str, status: int, started: float) -> None:
    """Count one answered request and write its access line."""
    elapsed = time.perf_counter() - started
    _REQUESTS.record(route, method, status, elapsed)
    ACCESS.line(rid, method, route, status, elapsed)


def metrics_middleware(app: ASGIApp) -> ASGIApp:
    """Pure ASGI, for what the framework answers: request id in and out, one
    access line, metrics per route."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        rid = mint_request_id(scope["headers"])
        token = request_id.set(rid)
        status = 500
        started = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await app(scope, receive, send_wrapper)
        finally:
            route = str(scope.get("path_template") or "unmatched")
            record_request(rid, str(scope.get("method", "")), route, status, started)
            request_id.reset(token)

    return middleware


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras."""

    _skip = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": request_id.get(),
        }
        for key, value in record.__dict__.items():
            if key not in self._skip and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


class _WriterHandler(logging.Handler):
    """Other log records, into the same writer (so lines stay in order); a
    warning or worse is written out at once."""

    def __init__(self, writer: LineWriter) -> None:
        super().__init__()
        self._writer = writer

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._writer.write(self.format(record).encode() + b"\n")
            if record.levelno >= logging.WARNING:
                self._writer.flush()
        except Exception:
            self.handleError(record)


def configure_logging(level: str = "info", writer: LineWriter | None = None) -> LineWriter:
    """JSON lines on stderr (or ``writer``); access lines when ``level`` is info or
    below. Returns the writer, which the app flushes at shutdown."""
    writer = writer or LineWriter()
    atexit.register(writer.flush)
    handler = _WriterHandler(writer)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    ACCESS.writer = writer if root.isEnabledFor(logging.INFO) else None
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Our own access line replaces the server's (which would log raw query strings).
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("_granian.access").disabled = True
    # httpx logs full URLs at INFO (Steam's carry the Web API key).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return writer
