"""``OPTIONS`` answers that list every method of a path.

Litestar makes one ``OPTIONS`` handler per route when the route is first built and
keeps it when later handlers of the same path join the route, so ``Allow`` named
only the first handler's methods (``OPTIONS /v1/session`` said ``GET``). One
explicit handler per path, with the union of the methods, replaces it.
"""

from __future__ import annotations

from collections.abc import Sequence

from litestar import Response, route
from litestar.handlers import HTTPRouteHandler

__all__ = ["with_options"]


def _options(path: str, methods: set[str]) -> HTTPRouteHandler:
    allow = ", ".join(sorted(methods | {"OPTIONS"}))

    def answer() -> Response[None]:
        return Response(None, status_code=204, headers={"Allow": allow})

    answer.__name__ = f"options_{'_'.join(filter(None, path.split('/')))}"
    return route(path, http_method=["OPTIONS"], include_in_schema=False, sync_to_thread=False)(
        answer
    )


def with_options(handlers: Sequence[HTTPRouteHandler]) -> list[HTTPRouteHandler]:
    """One ``OPTIONS`` handler per path of ``handlers``, then ``handlers`` (first, so that
    Litestar never makes its own)."""
    methods: dict[str, set[str]] = {}
    for handler in handlers:
        for path in handler.paths:
            methods.setdefault(path, set()).update(handler.http_methods)
    return [*(_options(path, found) for path, found in methods.items()), *handlers]
