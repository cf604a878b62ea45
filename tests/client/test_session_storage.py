"""SessionStorageClient / AsyncSessionStorageClient against a real server: every
call on success, and the Session Storage error shape on failure."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gatehouse_client import (
    AsyncSessionStorageClient,
    BadRequest,
    Conflict,
    Forbidden,
    NewSession,
    NotFound,
    SessionStorageClient,
    SessionStorageErrorBody,
    Unauthorized,
)
from tests.client._support import Uniform
from tests.client.conftest import Live
from tests.live_server import WEBRTC_URL, WS_URL


def _client(live: Live, flavour: str, client_id: str, secret: str) -> Uniform:
    cls = AsyncSessionStorageClient if flavour == "async" else SessionStorageClient
    return Uniform(cls(live.base_url, client_id, secret))


async def test_a_session_from_creation_to_deletion(ss: Uniform) -> None:
    created: NewSession = await ss.create_session(3600, intent="match-42", subscriber_count=2)
    assert created.publisher.startswith("gs_")
    assert len(created.subscribers) == 2 and created.publisher not in created.subscribers
    assert (created.ws_url, created.webrtc_url) == (WS_URL, WEBRTC_URL)
    assert created.webrtc_room_name
    assert created.intent == "match-42"
    assert created.expires_at - created.created_at == timedelta(seconds=3600)

    got = await ss.get_session(created.id)
    assert (got.id, got.intent, got.expires_at) == (created.id, "match-42", created.expires_at)

    who = await ss.check_token(created.publisher)
    assert (who.id, who.role) == (created.id, "publisher")
    assert who.user_id == created.id.split(".")[0]
    assert (await ss.check_token(created.subscribers[1])).role == "subscriber"

    await ss.set_session_ttl(created.id, 86_400)
    moved = await ss.get_session(created.id)
    assert moved.expires_at - created.expires_at >= timedelta(seconds=86_400 - 3600 - 5)

    await ss.delete_session(created.id)
    with pytest.raises(NotFound) as gone:
        await ss.get_session(created.id)
    assert gone.value.status == 404 and gone.value.code == "session-not-found"
    assert gone.value.surface == "session-storage"
    body = gone.value.body
    assert isinstance(body, SessionStorageErrorBody)
    assert body.errors[0].instance == f"/session-storage/sessions/{created.id}"
    with pytest.raises(Unauthorized):
        await ss.check_token(created.publisher)


async def test_listing_walks_every_page_oldest_first(live: Live, flavour: str) -> None:
    player = live.player()
    client = _client(live, flavour, *live.client_app(player.id))
    try:
        made = [(await client.create_session()).id for _ in range(5)]
        assert [s.id for s in await client.list_sessions(page_size=2)] == made

        first = await client.list_sessions_page(page_size=2)
        assert [s.id for s in first.items] == made[:2] and first.next_page_token
        second = await client.list_sessions_page(2, first.next_page_token)
        assert [s.id for s in second.items] == made[2:4]
        last = await client.list_sessions_page(page_size=10)
        assert len(last.items) == 5 and last.next_page_token is None
    finally:
        await client.close()


async def test_refusals_carry_the_session_storage_shape(live: Live, flavour: str) -> None:
    wrong = _client(live, flavour, live.client_id, "gc_" + "x" * 43)
    try:
        with pytest.raises(Unauthorized) as refused:
            await wrong.list_sessions_page()
        assert refused.value.code == "invalid-credentials" and refused.value.status == 401
    finally:
        await wrong.close()

    client = _client(live, flavour, live.client_id, live.client_secret)
    try:
        with pytest.raises(BadRequest) as bad:
            await client.list_sessions_page(page_size=0)
        assert bad.value.code == "invalid-input" and bad.value.status == 400
        with pytest.raises(BadRequest):
            await client.list_sessions_page(page_token="bm90LXNpZ25lZA")
        with pytest.raises(NotFound):
            await client.delete_session("1.deadbeef.deadbeef")
    finally:
        await client.close()


async def test_a_full_session_limit_is_a_conflict(live: Live, flavour: str) -> None:
    project = live.project("--session-limit", "1")
    player = live.player(project_id=project)
    client = _client(live, flavour, *live.client_app(player.id))
    try:
        await client.create_session()
        with pytest.raises(Conflict) as full:
            await client.create_session()
        assert full.value.code == "session-limit-reached" and full.value.status == 409
    finally:
        await client.close()


async def test_a_disabled_client_is_forbidden(live: Live, flavour: str) -> None:
    player = live.player()
    client_id, secret = live.client_app(player.id)
    live.cli("client", "disable", client_id)
    client = _client(live, flavour, client_id, secret)
    try:
        with pytest.raises(Forbidden) as off:
            await client.create_session()
        assert off.value.code == "client-disabled"
    finally:
        await client.close()
