"""Keep a HiveMP session alive: renew it (``POST /v1/session``) at half its life.

A HiveMP session lives an hour from sign-in or from its last renewal; the
original clients renewed after half an hour. The schedule is measured from the
moment the client learnt the expiry: the next renewal is due when half of the
life it had left then has passed (so clocks need to agree only roughly).

* ``AsyncRenewingSession``: a background asyncio task (``async with``).
* ``RenewingSession``: ``renew_if_due()`` for a game loop, or a daemon thread
  (``with``).

A renewal the server refuses for good (the session was ended, or reached its
project's maximum lifetime: 401, 403, 404, ...) stops the helper and is kept in
``error``; trouble that may pass (429, 5xx, no answer, after the client's own
retries) is tried again at half of the time that is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Self

from gatehouse_client.errors import (
    ConnectionFailed,
    GatehouseError,
    RateLimited,
    ServerError,
)
from gatehouse_client.user_session_models import UserSession

__all__ = ["AsyncRenewingSession", "RenewalSchedule", "RenewingSession"]

#: Never renew more often than this (seconds), however short the session.
MIN_INTERVAL = 1.0

ErrorCallback = Callable[[GatehouseError], None]


def is_transient(error: GatehouseError) -> bool:
    return isinstance(error, RateLimited | ServerError | ConnectionFailed)


class RenewalSchedule:
    """When the next renewal is due, on the monotonic clock (pure)."""

    def __init__(
        self, expiry: float, *, wall: float, mono: float, min_interval: float = MIN_INTERVAL
    ) -> None:
        self.min_interval = min_interval
        self.expiry = expiry
        self.due = 0.0
        self.learnt(expiry, wall=wall, mono=mono)

    def learnt(self, expiry: float, *, wall: float, mono: float) -> None:
        """The session now expires at ``expiry`` (UNIX seconds)."""
        self.expiry = expiry
        self.due = mono + max(self.min_interval, (expiry - wall) / 2)

    def failed(self, *, wall: float, mono: float) -> bool:
        """A renewal failed for a passing reason: try again at half the life that is
        left, if some is (``False``: give up)."""
        left = self.expiry - wall
        if left <= 2 * self.min_interval:
            return False
        self.due = mono + left / 2
        return True


class _Renewal:
    """What both helpers share: the latest session, its schedule, the verdict on
    a failure."""

    def __init__(
        self,
        session: UserSession,
        on_error: ErrorCallback | None,
        min_interval: float,
    ) -> None:
        self.session = session
        #: The failure that stopped the renewals, if one did.
        self.error: GatehouseError | None = None
        #: How many renewals succeeded.
        self.renewals = 0
        self._on_error = on_error
        self._schedule = RenewalSchedule(
            session.expiry.timestamp(),
            wall=time.time(),
            mono=time.monotonic(),
            min_interval=min_interval,
        )

    @property
    def seconds_until_due(self) -> float:
        return max(0.0, self._schedule.due - time.monotonic())

    @property
    def stopped(self) -> bool:
        """True once a renewal failed for good: the session will expire."""
        return self.error is not None

    def _renewed(self, session: UserSession) -> None:
        self.session = session
        self.renewals += 1
        self._schedule.learnt(session.expiry.timestamp(), wall=time.time(), mono=time.monotonic())

    def _failed(self, error: GatehouseError) -> None:
        keep_going = is_transient(error) and self._schedule.failed(
            wall=time.time(), mono=time.monotonic()
        )
        if not keep_going:
            self.error = error
        if self._on_error is not None:
            self._on_error(error)


class AsyncRenewingSession(_Renewal):
    """Renews ``session`` in a background task while the ``async with`` block runs."""

    def __init__(
        self,
        renew: Callable[[], Awaitable[UserSession]],
        session: UserSession,
        *,
        on_error: ErrorCallback | None = None,
        min_interval: float = MIN_INTERVAL,
    ) -> None:
        super().__init__(session, on_error, min_interval)
        self._renew = renew
        self._task: asyncio.Task[None] | None = None

    async def renew_now(self) -> UserSession:
        """Renew at once (raises what the server answered)."""
        try:
            session = await self._renew()
        except GatehouseError as error:
            self._failed(error)
            raise
        self._renewed(session)
        return session

    async def _run(self) -> None:
        while not self.stopped:
            await asyncio.sleep(self.seconds_until_due)
            try:
                await self.renew_now()
            except GatehouseError:
                continue  # judged by renew_now: stopped, or rescheduled

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if not self.running:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


class RenewingSession(_Renewal):
    """Call ``renew_if_due()`` from a loop, or use ``with`` for a daemon thread
    that does it."""

    def __init__(
        self,
        renew: Callable[[], UserSession],
        session: UserSession,
        *,
        on_error: ErrorCallback | None = None,
        min_interval: float = MIN_INTERVAL,
    ) -> None:
        super().__init__(session, on_error, min_interval)
        self._renew = renew
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def renew_if_due(self) -> bool:
        """Renew if half the life is gone; ``True`` if it renewed. Raises a refused
        renewal (after which it never renews again)."""
        with self._lock:
            if self.stopped or self.seconds_until_due > 0:
                return False
            try:
                session = self._renew()
            except GatehouseError as error:
                self._failed(error)
                raise
            self._renewed(session)
            return True

    def _run(self) -> None:
        while not self.stopped and not self._stop.wait(self.seconds_until_due):
            try:
                self.renew_if_due()
            except GatehouseError:
                continue  # judged by renew_if_due: stopped, or rescheduled

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if not self.running:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, name="gatehouse-session-renewal", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
