"""The per-user active session limit: reject (default) or evict_oldest."""

from __future__ import annotations

import asyncio

from gatehouse.core.models import LimitPolicy
from gatehouse.services.projects import ProjectSettings

from ._helpers import P, assert_error, row_counts, whoami


async def fill(api, clock, n: int, **data) -> list[dict]:
    made = []
    for _ in range(n):
        made.append(await api.new(**data))
        clock.advance(1)
    return made


async def test_default_limit_is_ten_then_409(api, client, services, clock) -> None:
    made = await fill(api, clock, 10)

    resp = await api.create({"intent": "one too many"})

    assert_error(resp, 409, f"{P}/session")
    assert await api.ids() == [m["id"] for m in made]
    assert (await row_counts(services))[0] == 10
    for m in made:  # nobody was evicted
        assert (await whoami(client, m["publisher"])).status_code == 200


async def test_ending_a_session_frees_a_slot(api, clock) -> None:
    made = await fill(api, clock, 10)
    assert (await api.delete(made[3]["id"])).status_code == 204

    new = await api.new()
    assert_error(await api.create(), 409)
    assert await api.ids() == [m["id"] for m in made if m is not made[3]] + [new["id"]]


async def test_expired_sessions_do_not_count(api, clock) -> None:
    made = await fill(api, clock, 10, ttl_seconds=60)  # t0 .. t0 + 9, now t0 + 10
    assert_error(await api.create(), 409)

    clock.advance(50)  # t0 + 60: only the first one (created at t0) has expired
    fresh = await api.new()
    assert await api.ids() == [m["id"] for m in made[1:]] + [fresh["id"]]
    assert_error(await api.create(), 409)


async def test_evict_oldest_ends_the_oldest(api, client, services, clock, tenant) -> None:
    await services.projects.update(
        tenant.project_id, ProjectSettings(session_limit_policy=LimitPolicy.EVICT_OLDEST)
    )
    made = await fill(api, clock, 10, subscriber_count=1)
    oldest = made[0]

    new = await api.new()

    assert await api.ids() == [m["id"] for m in made[1:]] + [new["id"]]
    assert_error(await api.get(oldest["id"]), 404)
    for token in (oldest["publisher"], *oldest["subscriber"]):
        assert_error(await whoami(client, token), 401)
    assert (await whoami(client, made[1]["publisher"])).status_code == 200
    assert (await whoami(client, new["publisher"])).status_code == 200
    assert (await row_counts(services))[0] == 10


async def test_evict_oldest_after_the_limit_was_lowered(api, services, clock, tenant) -> None:
    made = await fill(api, clock, 5)
    await services.projects.update(
        tenant.project_id,
        ProjectSettings(session_limit=3, session_limit_policy=LimitPolicy.EVICT_OLDEST),
    )

    new = await api.new()

    assert await api.ids() == [made[3]["id"], made[4]["id"], new["id"]]


async def test_lowered_limit_rejects_when_over_it(api, services, clock, tenant) -> None:
    made = await fill(api, clock, 3)
    await services.projects.update(tenant.project_id, ProjectSettings(session_limit=2))
    assert_error(await api.create(), 409)
    assert await api.ids() == [m["id"] for m in made]


async def test_limit_zero_means_no_limit(api, services, clock, tenant) -> None:
    await services.projects.update(tenant.project_id, ProjectSettings(session_limit=0))
    made = await fill(api, clock, 12)
    assert await api.ids() == [m["id"] for m in made]


async def test_limit_is_per_user(api, other_api, clock) -> None:
    await fill(api, clock, 10)
    assert_error(await api.create(), 409)
    theirs = await other_api.new()
    assert await other_api.ids() == [theirs["id"]]


async def test_concurrent_creations_never_exceed_the_limit(api, services) -> None:
    responses = await asyncio.gather(*(api.create() for _ in range(15)))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 10 + [409] * 5
    for r in responses:
        if r.status_code == 409:
            assert_error(r, 409)
    assert len(await api.ids()) == 10
    assert (await row_counts(services))[0] == 10
