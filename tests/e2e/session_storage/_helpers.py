"""Small helpers shared by the Session Storage contract tests.

``Api`` wraps one client application's calls so tests read as a sequence of user
actions; ``assert_error`` checks the error shape of SCHEMAS.md section B.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from gatehouse.adapters.store.tables import session_tokens, sessions
from gatehouse.core.clock import FrozenClock

P = "/session-storage"
DAY = 86_400
DEFAULT_MAX_TTL = 365 * DAY
TIME_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]+")
SESSION_KEYS = {"id", "created_at", "updated_at", "expires_at"}
NEW_SESSION_KEYS = SESSION_KEYS | {
    "publisher",
    "subscriber",
    "ws_url",
    "webrtc_url",
    "webrtc_room_name",
}
ERROR_ITEM_KEYS = {"type", "status", "title", "detail", "instance", "error_code"}


def iso(clock: FrozenClock, plus: float = 0) -> str:
    """The RFC 3339 second-precision form of ``clock`` now (+ ``plus`` seconds)."""
    now = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=clock.now_us())
    return (now + timedelta(seconds=plus)).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str) -> datetime:
    assert TIME_RE.fullmatch(value), value
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def assert_error(resp: httpx.Response, status: int, path: str | None = None) -> dict[str, Any]:
    """The response is ``status`` with the Session Storage error body; returns errors[0]."""
    assert resp.status_code == status, (resp.status_code, resp.text)
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert body["ok"] is False
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["errors"], list) and len(body["errors"]) >= 1
    item = body["errors"][0]
    assert set(item) >= ERROR_ITEM_KEYS, item
    assert item["status"] == status
    assert isinstance(item["error_code"], int) and not isinstance(item["error_code"], bool)
    for key in ("type", "title", "detail", "instance"):
        assert isinstance(item[key], str), (key, item)
    if path is not None:
        assert item["instance"] == path
    return item


def without(body: dict[str, Any], *keys: str) -> dict[str, Any]:
    """An error body with the given keys of errors[0] removed (for comparisons)."""
    copy = json.loads(json.dumps(body))
    for key in keys:
        copy["errors"][0].pop(key, None)
    return copy


class Api:
    """One client application (ClientID + ClientSecret) talking to the API."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    async def create(
        self, data: dict[str, Any] | None = None, *, body: Any = ..., **kw: Any
    ) -> httpx.Response:
        """POST /session; ``data`` becomes ``{"data": data}``; ``body`` is sent as-is."""
        if body is ...:
            body = None if data is None else {"data": data}
        if body is None:
            return await self.client.post(f"{P}/session", headers=self.headers, **kw)
        return await self.client.post(f"{P}/session", headers=self.headers, json=body, **kw)

    async def new(self, **data: Any) -> dict[str, Any]:
        """Create a session that must succeed; returns its NewSession."""
        resp = await self.create(data or None)
        assert resp.status_code == 201, resp.text
        return resp.json()["data"]  # type: ignore[no-any-return]

    async def list(self, **params: Any) -> httpx.Response:
        return await self.client.get(f"{P}/sessions", headers=self.headers, params=params)

    async def ids(self) -> list[str]:
        """Ids of every listed session (one page of 100 is enough for these tests)."""
        resp = await self.list(page_size=100)
        assert resp.status_code == 200, resp.text
        assert resp.json()["next_page_token"] is None
        return [s["id"] for s in resp.json()["data"]]

    async def get(self, session_id: str) -> httpx.Response:
        return await self.client.get(f"{P}/sessions/{session_id}", headers=self.headers)

    async def get_ok(self, session_id: str) -> dict[str, Any]:
        resp = await self.get(session_id)
        assert resp.status_code == 200, resp.text
        return resp.json()["data"]  # type: ignore[no-any-return]

    async def delete(self, session_id: str) -> httpx.Response:
        return await self.client.delete(f"{P}/sessions/{session_id}", headers=self.headers)

    async def ttl(
        self, session_id: str, ttl: Any = ..., *, body: Any = ..., **kw: Any
    ) -> httpx.Response:
        """POST /sessions/{id}: ``ttl`` as the query, ``body`` as a JSON body."""
        params = {} if ttl is ... else {"ttl_seconds": ttl}
        if body is not ...:
            kw["json"] = body
        return await self.client.post(
            f"{P}/sessions/{session_id}", headers=self.headers, params=params, **kw
        )


async def whoami(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get(f"{P}/session", headers={"Authorization": f"Bearer {token}"})


async def row_counts(services: Any) -> tuple[int, int]:
    """(rows in ``sessions``, rows in ``session_tokens``)."""
    async with services.db.read() as conn:
        n_sessions = (await conn.execute(select(func.count()).select_from(sessions))).scalar_one()
        n_tokens = (
            await conn.execute(select(func.count()).select_from(session_tokens))
        ).scalar_one()
    return int(n_sessions), int(n_tokens)
