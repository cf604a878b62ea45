"""Drive the async and the blocking flavour of a client with the same test code."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx


class Uniform:
    """``await uniform.method(...)`` calls either flavour: the async client on the
    test's loop, the blocking one in a worker thread. Iterators come back as lists."""

    def __init__(self, client: Any) -> None:
        self.client = client
        # The package's naming rule: the async flavour of everything is Async...
        self.is_async = type(client).__name__.startswith("Async")

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self.client, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            if not self.is_async:
                return await asyncio.to_thread(lambda: _drain(method(*args, **kwargs)))
            result = method(*args, **kwargs)
            if inspect.isawaitable(result):
                return await result
            if isinstance(result, AsyncIterator):
                return [item async for item in result]
            return result

        return call

    async def close(self) -> None:
        if self.is_async:
            await self.client.aclose()
        else:
            self.client.close()


def _drain(result: Any) -> Any:
    return list(result) if isinstance(result, Iterator) else result


class Wire:
    """Counts what reached the server: pass ``wire.async_http()`` / ``wire.sync_http()``
    as a client's ``http=``."""

    def __init__(self, timeout: float = 10) -> None:
        self.timeout = timeout
        self.requests: list[tuple[str, str]] = []
        #: When each request was sent (monotonic seconds).
        self.times: list[float] = []
        self.statuses: list[int] = []
        #: Each answer's Retry-After header (None when absent).
        self.retry_afters: list[str | None] = []

    def _on_request(self, request: httpx.Request) -> None:
        self.requests.append((request.method, request.url.path))
        self.times.append(time.monotonic())

    def _on_response(self, response: httpx.Response) -> None:
        self.statuses.append(response.status_code)
        self.retry_afters.append(response.headers.get("retry-after"))

    def async_http(self) -> httpx.AsyncClient:
        async def on_request(request: httpx.Request) -> None:
            self._on_request(request)

        async def on_response(response: httpx.Response) -> None:
            self._on_response(response)

        return httpx.AsyncClient(
            timeout=self.timeout, event_hooks={"request": [on_request], "response": [on_response]}
        )

    def sync_http(self) -> httpx.Client:
        return httpx.Client(
            timeout=self.timeout,
            event_hooks={"request": [self._on_request], "response": [self._on_response]},
        )

    def http_for(self, flavour: str) -> httpx.AsyncClient | httpx.Client:
        return self.async_http() if flavour == "async" else self.sync_http()
