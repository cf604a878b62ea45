"""``Idempotency-Key`` on every creating POST (services/idempotency.py holds the
rules): a replay answers the stored status and body with ``Idempotent-Replayed:
true``; the key with another request is 422, while the first is in flight 409."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

from gatehouse.api._common.http import Call, Problem, Reply
from gatehouse.services.idempotency import KeyInFlight, KeyReused, fingerprint
from gatehouse.services.operator_keys import AdminCaller

__all__ = ["HEADER", "once"]

HEADER: Final = "Idempotency-Key"
_MAX_KEY: Final = 255


def _key(call: Call) -> str | None:
    values = call.headers(b"idempotency-key")
    if not values:
        return None
    key = values[0].strip()
    if len(values) != 1 or not 1 <= len(key) <= _MAX_KEY or not key.isascii():
        raise Problem(400, "Idempotency-Key must be one value of 1 to 255 ASCII characters", HEADER)
    if not key.isprintable():
        raise Problem(400, "Idempotency-Key must be printable", HEADER)
    return key


async def once(call: Call, caller: AdminCaller, make: Callable[[], Awaitable[Reply]]) -> Reply:
    """``make()`` at most once per (caller, Idempotency-Key) in 24 hours."""
    key = _key(call)
    if key is None:
        return await make()
    service = call.services.idempotency
    body = await call.body()
    print_ = fingerprint(call.scope["method"], call.path, body)
    try:
        replay = await service.begin(caller.actor, key, print_)
    except KeyReused:
        raise Problem(
            422, "This Idempotency-Key was used with a different request", HEADER
        ) from None
    except KeyInFlight:
        raise Problem(
            409, "A request with this Idempotency-Key is still being processed", HEADER
        ) from None
    if replay is not None:
        return Reply(replay.status, replay.body, [(b"idempotent-replayed", b"true")])
    try:
        reply = await make()
    except BaseException:
        await service.release(caller.actor, key)
        raise
    if 200 <= reply.status < 300:
        await service.finish(caller.actor, key, reply.status, reply.body)
    else:
        await service.release(caller.actor, key)
    return reply
