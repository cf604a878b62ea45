"""Each call is written once, as a function that builds a ``Request``; ``operation``
turns it into a method that is ``async`` on an ``AsyncSurface`` and blocking on a
``SyncSurface``. A surface's clients are then::

    class _Calls:                       # the calls, once
        get_session = operation(_get_session)

    class AsyncFooClient(_Calls, AsyncSurface): ...
    class FooClient(_Calls, SyncSurface): ...

``paged(...)`` does the same for iterating every page of a listing: from a
builder of one page's request it makes a method returning an ``AsyncIterator`` on
async clients and an ``Iterator`` on blocking ones. Only what is neither (the
sign-in driver, the renewal helper) is written per flavour, on top of these methods.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, Generic, ParamSpec, Self, TypeVar, overload

import httpx

from gatehouse_client._http import DEFAULT_TIMEOUT, AsyncTransport, Request, SyncTransport
from gatehouse_client._pages import Page, aiter_items, iter_items
from gatehouse_client.retry import RetryPolicy

__all__ = ["AsyncSurface", "SyncSurface", "operation", "paged"]

P = ParamSpec("P")
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


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


class paged(Generic[P, T]):
    """A method iterating every item of a listing, page after page, built from the
    builder of one page's request: ``async for`` on async clients, ``for`` on
    blocking ones, with the builder's parameters. The builder takes the cursor of
    the page to fetch as the keyword ``cursor``; the caller's own value of it (if
    any) is where the walk starts."""

    def __init__(
        self, build: Callable[P, Request[Page[T]]], *, cursor: str, doc: str | None = None
    ) -> None:
        self._build = build
        self._cursor = cursor
        self._doc = doc

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, obj: AsyncSurface, owner: type[Any]) -> Callable[P, AsyncIterator[T]]: ...
    @overload
    def __get__(self, obj: SyncSurface, owner: type[Any]) -> Callable[P, Iterator[T]]: ...
    def __get__(
        self, obj: AsyncSurface | SyncSurface | None, owner: type[Any]
    ) -> Self | Callable[P, AsyncIterator[T]] | Callable[P, Iterator[T]]:
        if obj is None:
            return self
        build: Callable[..., Request[Page[T]]] = self._build
        cursor = self._cursor

        def page_request(
            args: tuple[Any, ...], kwargs: dict[str, Any], token: str | None
        ) -> Request[Page[T]]:
            if token is not None:
                kwargs = {**kwargs, cursor: token}
            return build(*args, **kwargs)

        if isinstance(obj, AsyncSurface):
            transport = obj._transport

            def walk_async(*args: P.args, **kwargs: P.kwargs) -> AsyncIterator[T]:
                return aiter_items(lambda token: transport.send(page_request(args, kwargs, token)))

            return self._named(walk_async)
        blocking = obj._transport

        def walk(*args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
            return iter_items(lambda token: blocking.send(page_request(args, kwargs, token)))

        return self._named(walk)

    def _named(self, fn: F) -> F:
        functools.update_wrapper(fn, self._build)
        fn.__doc__ = self._doc or self._build.__doc__
        return fn
