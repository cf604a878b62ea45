"""Work a request starts but does not wait for (an audit line of a failed guess,
the lookup and mail of a reset request), so that what the caller can time does
not depend on it. Tasks are kept until done and drained at shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

__all__ = ["Background"]

_log = logging.getLogger("gatehouse.background")


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None], *, what: str) -> None:
        """Run ``work`` on its own; a failure is logged (``what`` names it), never raised."""

        async def guarded() -> None:
            try:
                await work
            except Exception as exc:  # nobody waits for the answer but the log
                _log.warning("%s failed: %s", what, type(exc).__name__)

        task = asyncio.create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for everything spawned so far (at shutdown, in tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
