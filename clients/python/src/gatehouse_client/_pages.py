"""Keyset pagination: a page of items and the token of the next one, and the two
iterators (async and blocking) that walk every page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Page", "aiter_items", "iter_items"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    #: Pass it back for the next page; ``None`` on the last one.
    next_page_token: str | None


async def aiter_items(fetch: Callable[[str | None], Awaitable[Page[T]]]) -> AsyncIterator[T]:
    token: str | None = None
    while True:
        page = await fetch(token)
        for item in page.items:
            yield item
        if page.next_page_token is None:
            return
        token = page.next_page_token


def iter_items(fetch: Callable[[str | None], Page[T]]) -> Iterator[T]:
    token: str | None = None
    while True:
        page = fetch(token)
        yield from page.items
        if page.next_page_token is None:
            return
        token = page.next_page_token
