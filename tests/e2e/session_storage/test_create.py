"""POST /session-storage/session: creation and the NewSession it returns."""

from __future__ import annotations

import re

import pytest

from gatehouse.services.projects import ProjectSettings

from ._helpers import DAY, NEW_SESSION_KEYS, TIME_RE, P, iso, parse_time, whoami


async def test_new_session_has_every_key(api, client, services, clock, tenant) -> None:
    await services.projects.update(
        tenant.project_id,
        ProjectSettings(ws_url="wss://rt.example.com/ws", webrtc_url="https://rt.example.com"),
    )
    clock.advance(90.7)  # 12:01:30.7 -> second precision, truncated

    resp = await api.create()

    assert resp.status_code == 201
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"ok", "data"}
    assert body["ok"] is True
    data = body["data"]
    assert set(data) >= NEW_SESSION_KEYS
    assert re.fullmatch(rf"{tenant.user_id}\.[0-9a-f]{{8}}\.[0-9a-f]{{8}}", data["id"])
    for key in ("created_at", "updated_at", "expires_at"):
        assert TIME_RE.fullmatch(data[key]), data[key]
    assert data["created_at"] == "2026-03-01T12:01:30Z" == iso(clock)
    assert data["updated_at"] == data["created_at"]
    assert data["expires_at"] == "2026-03-31T12:01:30Z"
    assert isinstance(data["publisher"], str) and len(data["publisher"]) >= 32
    assert data["subscriber"] == []
    assert data["ws_url"] == "wss://rt.example.com/ws"
    assert data["webrtc_url"] == "https://rt.example.com"
    assert isinstance(data["webrtc_room_name"], str) and data["webrtc_room_name"]


async def test_default_lifetime_is_thirty_days(api) -> None:
    data = await api.new()
    lifetime = parse_time(data["expires_at"]) - parse_time(data["created_at"])
    assert lifetime.total_seconds() == 30 * DAY


async def test_realtime_urls_are_empty_strings_when_unset(api) -> None:
    data = await api.new()
    assert data["ws_url"] == ""
    assert data["webrtc_url"] == ""


@pytest.mark.parametrize(
    "content",
    [None, b"", b"{}", b'{"data": {}}', b'{"data": null}', b'  {"data" : {} }\n'],
    ids=["absent", "empty", "empty-object", "empty-data", "null-data", "whitespace"],
)
async def test_every_empty_body_form_means_defaults(api, client, clock, content) -> None:
    headers = {**api.headers, "Content-Type": "application/json"}
    resp = await client.post(f"{P}/session", headers=headers, content=content)

    assert resp.status_code == 201, resp.text
    data = resp.json()["data"]
    assert data["expires_at"] == iso(clock, 30 * DAY)
    assert data["subscriber"] == []
    assert data.get("intent") is None
    assert await api.ids() == [data["id"]]


async def test_json_with_charset_is_accepted(api, client) -> None:
    headers = {**api.headers, "Content-Type": "application/json; charset=utf-8"}
    resp = await client.post(f"{P}/session", headers=headers, content=b'{"data": {"intent": "x"}}')
    assert resp.status_code == 201, resp.text
    assert resp.json()["data"]["intent"] == "x"


async def test_ttl_and_intent_are_kept(api, clock) -> None:
    data = await api.new(ttl_seconds=3600, intent="translate en->de")

    assert data["expires_at"] == iso(clock, 3600)
    assert data["intent"] == "translate en->de"
    got = await api.get_ok(data["id"])
    assert got["intent"] == "translate en->de"
    assert got["expires_at"] == iso(clock, 3600)
    listed = (await api.list()).json()["data"]
    assert [(s["id"], s["intent"]) for s in listed] == [(data["id"], "translate en->de")]


async def test_intent_of_200_characters_is_accepted(api) -> None:
    data = await api.new(intent="é" * 200)
    assert (await api.get_ok(data["id"]))["intent"] == "é" * 200


async def test_project_default_lifetime_applies(api, services, clock, tenant) -> None:
    await services.projects.update(tenant.project_id, ProjectSettings(session_ttl_seconds=7200))
    data = await api.new()
    assert data["expires_at"] == iso(clock, 7200)


async def test_subscriber_tokens_are_distinct_and_belong_to_the_session(api, client) -> None:
    data = await api.new(subscriber_count=3)

    tokens = [data["publisher"], *data["subscriber"]]
    assert len(data["subscriber"]) == 3
    assert len(set(tokens)) == 4
    for token in data["subscriber"]:
        resp = await whoami(client, token)
        assert resp.status_code == 200, resp.text
        assert resp.json()["data"]["id"] == data["id"]
        assert resp.json()["data"]["role"] == "subscriber"


async def test_ten_subscribers_is_the_maximum_accepted(api) -> None:
    data = await api.new(subscriber_count=10)
    assert len(set(data["subscriber"])) == 10


async def test_ids_room_names_and_tokens_are_unique(api) -> None:
    made = [await api.new(subscriber_count=1) for _ in range(5)]

    assert len({d["id"] for d in made}) == 5
    assert len({d["webrtc_room_name"] for d in made}) == 5
    assert len({t for d in made for t in (d["publisher"], *d["subscriber"])}) == 10


async def test_created_session_reads_back_identically(api) -> None:
    data = await api.new(intent="read-back")
    got = await api.get_ok(data["id"])
    assert {k: got[k] for k in ("id", "created_at", "updated_at", "expires_at", "intent")} == {
        k: data[k] for k in ("id", "created_at", "updated_at", "expires_at", "intent")
    }
    assert "publisher" not in got and "subscriber" not in got  # tokens are shown only once
