"""Each call is written once, as a function that builds a ``Request``; ``operation``
turns it into a method that is ``async`` on an ``AsyncSurface`` and blocking on a
``SyncSurface``. A surface's clients are then::

    class _Calls:                       # the calls, once
        get_session = operation(_get_session)

    class AsyncFooClient(_Calls, AsyncSurface): ...
    class FooClient(_Calls, SyncSurface): ...

Only what cannot be a single request (iterating pages, the sign-in driver, the
renewal helper) is written per flavour, on top of these methods.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, Generic, ParamSpec, Self, TypeVar, overload

import httpx

from gatehouse_client._http import DEFAULT_TIMEOUT, AsyncTransport, Request, SyncTransport
from gatehouse_client.retry import RetryPolicy

__all__ = ["AsyncSurface", "SyncSurface", "operation"]

P = ParamSpec("P")
T = TypeVar("T")


class AsyncSurface:
    """The base of every async client: owns its transport; ``async with`` closes it."""

    def __init__(
        self,
        base_url: str,
        credentials: Mapping[str, str],
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._transport = AsyncTransport(
            base_url, credentials, retry=retry or RetryPolicy(), timeout=timeout, http=http
        )

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    async def aclose(self) -> None:
        """Close the connection pool (unless it was passed in as ``http``)."""
        await self._transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class SyncSurface:
    """The base of every blocking client: owns its transport; ``with`` closes it."""

    def __init__(
        self,
        base_url: str,
        credentials: Mapping[str, str],
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        self._transport = SyncTransport(
            base_url, credentials, retry=retry or RetryPolicy(), timeout=timeout, http=http
        )

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    def close(self) -> None:
        """Close the connection pool (unless it was passed in as ``http``)."""
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class operation(Generic[P, T]):
    """A method built from a request builder: awaitable on async clients, blocking
    on sync ones, with the builder's parameters and docstring."""

    def __init__(self, build: Callable[P, Request[T]]) -> None:
        self._build = build

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, obj: AsyncSurface, owner: type[Any]) -> Callable[P, Awaitable[T]]: ...
    @overload
    def __get__(self, obj: SyncSurface, owner: type[Any]) -> Callable[P, T]: ...
    def __get__(
        self, obj: AsyncSurface | SyncSurface | None, owner: type[Any]
    ) -> Self | Callable[P, Awaitable[T]] | Callable[P, T]:
        if obj is None:
            return self
        build = self._build
        if isinstance(obj, AsyncSurface):
            transport = obj._transport

            @functools.wraps(build)
            async def send_async(*args: P.args, **kwargs: P.kwargs) -> T:
                return await transport.send(build(*args, **kwargs))

            return send_async
        blocking = obj._transport

        @functools.wraps(build)
        def send(*args: P.args, **kwargs: P.kwargs) -> T:
            return blocking.send(build(*args, **kwargs))

        return send
