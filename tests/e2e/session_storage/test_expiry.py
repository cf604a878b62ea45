"""Expiry: an expired session is gone for every call at once; the sweep removes its rows."""

from __future__ import annotations

from ._helpers import assert_error, row_counts, whoami


async def test_expired_session_is_invisible_before_any_sweep(api, client, services, clock):
    short = await api.new(ttl_seconds=60, subscriber_count=1)
    long = await api.new()
    clock.advance(60)

    assert await api.ids() == [long["id"]]
    assert_error(await api.get(short["id"]), 404)
    assert_error(await api.ttl(short["id"], 3600), 404)
    assert_error(await api.delete(short["id"]), 404)
    for token in (short["publisher"], *short["subscriber"]):
        assert_error(await whoami(client, token), 401)
    assert await row_counts(services) == (2, 3)  # still stored until swept


async def test_sweep_removes_expired_rows_and_tokens(api, client, services, clock) -> None:
    first = await api.new(ttl_seconds=60, subscriber_count=2)  # 3 tokens
    second = await api.new(ttl_seconds=120)  # 1 token
    kept = await api.new(subscriber_count=1)  # 2 tokens
    assert await row_counts(services) == (3, 6)

    clock.advance(61)
    assert await services.sessions.sweep() == 1
    assert await row_counts(services) == (2, 3)

    clock.advance(60)
    assert await services.sessions.sweep() == 1
    assert await row_counts(services) == (1, 2)

    for token in (first["publisher"], *first["subscriber"], second["publisher"]):
        assert_error(await whoami(client, token), 401)
    for token in (kept["publisher"], *kept["subscriber"]):
        assert (await whoami(client, token)).status_code == 200
    assert await api.ids() == [kept["id"]]


async def test_sweep_before_expiry_removes_nothing(api, client, services, clock) -> None:
    made = await api.new(ttl_seconds=60)
    clock.advance(59)

    assert await services.sessions.sweep() == 0

    assert await row_counts(services) == (1, 1)
    assert await api.ids() == [made["id"]]
    assert (await whoami(client, made["publisher"])).status_code == 200


async def test_sweep_spares_a_session_whose_ttl_was_extended(api, services, clock) -> None:
    made = await api.new(ttl_seconds=60)
    clock.advance(50)
    assert (await api.ttl(made["id"], 600)).status_code == 204
    clock.advance(60)

    assert await services.sessions.sweep() == 0
    assert await api.ids() == [made["id"]]


async def test_sweep_covers_every_user(api, other_api, services, clock) -> None:
    await api.new(ttl_seconds=10)
    await other_api.new(ttl_seconds=10)
    theirs = await other_api.new()
    clock.advance(10)

    assert await services.sessions.sweep() == 2
    assert await row_counts(services) == (1, 1)
    assert await api.ids() == []
    assert await other_api.ids() == [theirs["id"]]


async def test_session_is_active_until_its_expiry_second(api, client, clock) -> None:
    made = await api.new(ttl_seconds=3600)
    clock.advance(3599.5)
    assert (await api.get_ok(made["id"]))["id"] == made["id"]
    assert (await whoami(client, made["publisher"])).status_code == 200

    clock.advance(0.5)
    assert_error(await api.get(made["id"]), 404)
    assert_error(await whoami(client, made["publisher"]), 401)
