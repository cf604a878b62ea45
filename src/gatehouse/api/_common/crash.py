"""What an exception no operation expected becomes, for the router and for Litestar
alike: a database outage is not a bug (a 503 the caller may retry after a second);
anything else is logged with its traceback under the route template, never the raw
path (path segments carry ids), and answered as a plain 500."""

from __future__ import annotations

import logging

from gatehouse.adapters.store.engine import is_storage_outage
from gatehouse.api._common.http import Problem
from gatehouse.core.errors import StorageUnavailable

__all__ = ["RETRY_AFTER_OUTAGE", "crash_error"]

log = logging.getLogger("gatehouse.errors")

#: ``Retry-After`` seconds on a storage outage: the pool reconnects by itself.
RETRY_AFTER_OUTAGE = "1"


def crash_error(exc: Exception, method: str, route: str) -> StorageUnavailable | Problem:
    if is_storage_outage(exc):
        log.warning("storage unavailable: %s", type(exc).__name__)
        return StorageUnavailable()
    log.error(
        "unhandled error on %s %s",
        method,
        route,
        exc_info=exc,
        extra={"method": method, "route": route},
    )
    return Problem(500, "Internal server error")
