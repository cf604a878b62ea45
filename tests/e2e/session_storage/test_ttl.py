"""POST /session-storage/sessions/{id}: expires_at = now + ttl_seconds."""

from __future__ import annotations

import pytest

from gatehouse.services.projects import ProjectSettings

from ._helpers import DAY, DEFAULT_MAX_TTL, P, assert_error, iso, whoami


async def _aged_session(api, clock) -> dict:
    """A session created 100 s ago (so updated_at visibly moves)."""
    made = await api.new()
    clock.advance(100)
    return made


async def test_query_form_sets_expiry_from_now(api, clock) -> None:
    made = await _aged_session(api, clock)

    resp = await api.ttl(made["id"], 600)

    assert resp.status_code == 204
    assert resp.content == b""
    got = await api.get_ok(made["id"])
    assert got["expires_at"] == iso(clock, 600)
    assert got["updated_at"] == iso(clock)
    assert got["created_at"] == made["created_at"]


async def test_body_form_sets_expiry(api, clock) -> None:
    made = await _aged_session(api, clock)

    resp = await api.ttl(made["id"], body={"data": {"ttl_seconds": 7200}})

    assert resp.status_code == 204
    assert resp.content == b""
    got = await api.get_ok(made["id"])
    assert (got["updated_at"], got["expires_at"]) == (iso(clock), iso(clock, 7200))


async def test_query_wins_over_body(api, clock) -> None:
    made = await _aged_session(api, clock)
    resp = await api.ttl(made["id"], 600, body={"data": {"ttl_seconds": 7200}})
    assert resp.status_code == 204
    assert (await api.get_ok(made["id"]))["expires_at"] == iso(clock, 600)


async def test_ttl_can_shorten_the_session(api, client, clock) -> None:
    made = await api.new()
    assert (await api.ttl(made["id"], 5)).status_code == 204

    clock.advance(4)
    assert (await whoami(client, made["publisher"])).status_code == 200
    clock.advance(1)
    assert_error(await api.get(made["id"]), 404)
    assert_error(await whoami(client, made["publisher"]), 401)
    assert await api.ids() == []


async def test_ttl_keeps_an_ending_session_alive(api, client, clock) -> None:
    made = await api.new(ttl_seconds=60)
    clock.advance(50)
    assert (await api.ttl(made["id"], 3600)).status_code == 204
    clock.advance(60)
    assert (await api.get_ok(made["id"]))["expires_at"] == iso(clock, 3600 - 60)
    assert (await whoami(client, made["publisher"])).status_code == 200


async def test_project_maximum_is_accepted(api, clock) -> None:
    made = await api.new()
    assert (await api.ttl(made["id"], DEFAULT_MAX_TTL)).status_code == 204
    assert (await api.get_ok(made["id"]))["expires_at"] == iso(clock, 365 * DAY)


BAD = [
    pytest.param({}, id="missing"),
    pytest.param({"ttl": 0}, id="query-0"),
    pytest.param({"ttl": -1}, id="query-negative"),
    pytest.param({"ttl": "abc"}, id="query-text"),
    pytest.param({"ttl": "1.5"}, id="query-fraction"),
    pytest.param({"ttl": ""}, id="query-empty"),
    pytest.param({"ttl": DEFAULT_MAX_TTL + 1}, id="query-above-max"),
    pytest.param({"ttl": 10**30}, id="query-huge"),
    pytest.param({"body": {"data": {"ttl_seconds": 0}}}, id="body-0"),
    pytest.param({"body": {"data": {"ttl_seconds": -5}}}, id="body-negative"),
    pytest.param({"body": {"data": {"ttl_seconds": "60"}}}, id="body-string"),
    pytest.param({"body": {"data": {"ttl_seconds": 1.5}}}, id="body-fraction"),
    pytest.param({"body": {"data": {"ttl_seconds": True}}}, id="body-bool"),
    pytest.param({"body": {"data": {"ttl_seconds": None}}}, id="body-null"),
    pytest.param({"body": {"data": {"ttl_seconds": DEFAULT_MAX_TTL + 1}}}, id="body-above-max"),
    pytest.param({"body": {"data": {}}}, id="body-no-ttl"),
    pytest.param({"body": {"ttl_seconds": 60}}, id="body-ttl-outside-data"),
    pytest.param({"body": {"data": 60}}, id="body-data-not-object"),
    pytest.param({"body": [60]}, id="body-array"),
    pytest.param({"ttl": 0, "body": {"data": {"ttl_seconds": 60}}}, id="bad-query-good-body"),
]


@pytest.mark.parametrize("args", BAD)
async def test_bad_ttl_is_400_and_changes_nothing(api, clock, args) -> None:
    made = await _aged_session(api, clock)
    before = await api.get_ok(made["id"])

    kw = {"body": args["body"]} if "body" in args else {}
    resp = await api.ttl(made["id"], args.get("ttl", ...), **kw)

    assert_error(resp, 400, f"{P}/sessions/{made['id']}")
    assert await api.get_ok(made["id"]) == before


async def test_malformed_json_body_is_400_and_changes_nothing(api, client, clock) -> None:
    made = await _aged_session(api, clock)
    before = await api.get_ok(made["id"])
    resp = await client.post(
        f"{P}/sessions/{made['id']}",
        headers={**api.headers, "Content-Type": "application/json"},
        content=b'{"data": {"ttl_seconds": 60',
    )
    assert_error(resp, 400)
    assert await api.get_ok(made["id"]) == before


async def test_lowered_project_maximum_applies(api, services, clock, tenant) -> None:
    await services.projects.update(
        tenant.project_id, ProjectSettings(session_ttl_seconds=600, max_ttl_seconds=3600)
    )
    made = await _aged_session(api, clock)
    before = await api.get_ok(made["id"])

    assert_error(await api.ttl(made["id"], 3601), 400)
    assert await api.get_ok(made["id"]) == before
    assert (await api.ttl(made["id"], 3600)).status_code == 204
    # ... and at creation too.
    assert_error(await api.create({"ttl_seconds": 3601}), 400)
    assert (await api.create({"ttl_seconds": 3600})).status_code == 201


async def test_expired_session_is_404_and_stays_expired(api, client, clock) -> None:
    made = await api.new(ttl_seconds=60)
    clock.advance(61)

    assert_error(await api.ttl(made["id"], 3600), 404, f"{P}/sessions/{made['id']}")
    assert_error(await api.get(made["id"]), 404)
    assert_error(await whoami(client, made["publisher"]), 401)


async def test_deleted_session_is_404(api) -> None:
    made = await api.new()
    assert (await api.delete(made["id"])).status_code == 204
    assert_error(await api.ttl(made["id"], 60), 404)
    assert await api.ids() == []
