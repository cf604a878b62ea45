"""Metrics (Prometheus) and JSON logs with a request id on every line.

Nothing here ever sees a secret: access lines carry the method, the route
template (not the raw path, not the query string), the status and the time.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import secrets
import sys
import time
from collections.abc import Iterator
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = [
    "REGISTRY",
    "SIGN_INS",
    "JsonFormatter",
    "configure_logging",
    "counting_sign_in",
    "metrics_middleware",
    "render_metrics",
    "request_id",
]

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "gatehouse_http_requests_total",
    "HTTP requests by route template, method and status",
    ["route", "method", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "gatehouse_http_request_duration_seconds",
    "HTTP request latency by route template",
    ["route"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
    registry=REGISTRY,
)
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
_access = logging.getLogger("gatehouse.access")
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


def render_metrics() -> bytes:
    return generate_latest(REGISTRY)


_SERIES: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def _series(route: str, method: str, status: int) -> tuple[Any, Any]:
    """The metric children of one (route, method, status); ``labels()`` is too slow
    to call twice on every request. Routes are templates, so the set is small."""
    key = (route, method, status)
    found = _SERIES.get(key)
    if found is None:
        found = REQUESTS.labels(route, method, str(status)), LATENCY.labels(route)
        if len(_SERIES) < 10_000:
            _SERIES[key] = found
    return found


def metrics_middleware(app: ASGIApp) -> ASGIApp:
    """Pure ASGI: request id in and out, one access line, metrics per route."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        incoming = ""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        rid = incoming if _SANE_ID.fullmatch(incoming) else secrets.token_hex(8)
        token = request_id.set(rid)
        status = 500
        start = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        method = str(scope.get("method", ""))
        try:
            await app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - start
            route = str(scope.get("path_template") or "unmatched")
            counter, histogram = _series(route, method, status)
            counter.inc()
            histogram.observe(elapsed)
            if _access.isEnabledFor(logging.INFO):
                _access.info(
                    "request",
                    extra={
                        "method": method,
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 3),
                    },
                )
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


def configure_logging(level: str = "info") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Our own access line replaces uvicorn's (which would log raw query strings).
    logging.getLogger("uvicorn.access").disabled = True
    # httpx logs full URLs at INFO (Steam's carry the Web API key).
    logging.getLogger("httpx").setLevel(logging.WARNING)
