"""One request, described once, sent by either of two small executors.

A surface describes each call as a ``Request`` (pure data: method, path, query,
headers, body, which statuses are success, how to read the answer and how to read
an error in that surface's shape). ``AsyncTransport`` and ``SyncTransport`` send
it over ``httpx.AsyncClient`` / ``httpx.Client`` with the same retry rules
(``retry.RetryPolicy``); everything they share is in ``_Core``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx

from gatehouse_client.errors import ConnectionFailed, GatehouseError
from gatehouse_client.retry import RetryPolicy

__all__ = ["AsyncTransport", "ErrorReader", "Request", "SyncTransport", "mapped", "no_content"]

T = TypeVar("T")
U = TypeVar("U")

#: Reads a failed answer into the surface's exception.
ErrorReader = Callable[[httpx.Response], GatehouseError]

USER_AGENT = "gatehouse-client/0.1.0"
DEFAULT_TIMEOUT = 10.0


def no_content(response: httpx.Response) -> None:
    """The reader of answers that carry nothing (204, or ``true``)."""
    return None


@dataclass(frozen=True, slots=True)
class Request(Generic[T]):
    """One call of a surface. ``credentials=False``: do not send the client's own
    credential headers (the call carries its own, e.g. a bearer token)."""

    method: str
    path: str
    read: Callable[[httpx.Response], T]
    errors: ErrorReader
    params: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    credentials: bool = True
    success: frozenset[int] = frozenset({200})


def mapped(request: Request[T], convert: Callable[[T], U]) -> Request[U]:
    """The same call, its answer turned into something else."""
    read = request.read
    return Request(
        request.method,
        request.path,
        lambda response: convert(read(response)),
        request.errors,
        params=request.params,
        headers=request.headers,
        json=request.json,
        credentials=request.credentials,
        success=request.success,
    )


class _Core:
    """What both executors share: the URL, the headers, and reading an answer."""

    def __init__(self, base_url: str, credentials: Mapping[str, str], retry: RetryPolicy) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = dict(credentials)
        self.retry = retry

    def arguments(self, request: Request[Any]) -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        if request.credentials:
            headers.update(self.credentials)
        headers.update(request.headers)
        arguments: dict[str, Any] = {
            "method": request.method,
            "url": self.base_url + request.path,
            "headers": headers,
        }
        if request.params:
            arguments["params"] = dict(request.params)
        if request.json is not None:
            arguments["json"] = request.json
        return arguments

    @staticmethod
    def outcome(request: Request[T], response: httpx.Response) -> T:
        if response.status_code in request.success:
            return request.read(response)
        raise request.errors(response)

    @staticmethod
    def connection_failed(exc: httpx.TransportError) -> ConnectionFailed:
        return ConnectionFailed(f"{type(exc).__name__}: {exc}".rstrip(": "))


def _http_options(timeout: float | httpx.Timeout) -> dict[str, Any]:
    return {"timeout": timeout, "headers": {"User-Agent": USER_AGENT}}


class AsyncTransport:
    """Sends ``Request``s over an ``httpx.AsyncClient`` (its own, or one you pass
    in, which it then leaves open)."""

    def __init__(
        self,
        base_url: str,
        credentials: Mapping[str, str],
        *,
        retry: RetryPolicy,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        http: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._core = _Core(base_url, credentials, retry)
        self._owned = http is None
        self._http = http if http is not None else httpx.AsyncClient(**_http_options(timeout))
        self._sleep = sleep

    @property
    def base_url(self) -> str:
        return self._core.base_url

    async def send(self, request: Request[T]) -> T:
        core = self._core
        arguments = core.arguments(request)
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._http.request(**arguments)
            except httpx.TransportError as exc:
                raise core.connection_failed(exc) from exc
            try:
                return core.outcome(request, response)
            except GatehouseError as error:
                wait = core.retry.delay(attempt, error, time.monotonic() - started)
                if wait is None:
                    raise
            await self._sleep(wait)

    async def aclose(self) -> None:
        if self._owned:
            await self._http.aclose()


class SyncTransport:
    """``AsyncTransport``'s twin over an ``httpx.Client``."""

    def __init__(
        self,
        base_url: str,
        credentials: Mapping[str, str],
        *,
        retry: RetryPolicy,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._core = _Core(base_url, credentials, retry)
        self._owned = http is None
        self._http = http if http is not None else httpx.Client(**_http_options(timeout))
        self._sleep = sleep

    @property
    def base_url(self) -> str:
        return self._core.base_url

    def send(self, request: Request[T]) -> T:
        core = self._core
        arguments = core.arguments(request)
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._http.request(**arguments)
            except httpx.TransportError as exc:
                raise core.connection_failed(exc) from exc
            try:
                return core.outcome(request, response)
            except GatehouseError as error:
                wait = core.retry.delay(attempt, error, time.monotonic() - started)
                if wait is None:
                    raise
            self._sleep(wait)

    def close(self) -> None:
        if self._owned:
            self._http.close()
