"""Crash safety: a real ``gatehouse serve`` is killed with SIGKILL while several clients
create and renew sessions, then restarted on the same data.

Proved after the restart, on SQLite and on PostgreSQL (+ Redis):

* every session whose creation was acknowledged (201) is there, and its bearer
  (publisher) token still works;
* every acknowledged renewal (204) is visible: ``expires_at`` is at least what the
  acknowledgement implied. Each client only ever raises a session's ttl, so a
  renewal that was in flight at the kill can only have moved it further;
* nothing half-written is visible: every stored session has exactly its publisher
  and subscriber token rows and its "created" audit row (one transaction), the
  only sessions nobody heard of are the creations in flight at the kill (at most
  one per client), and the API listing and ``gatehouse session list --json`` agree.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.tables import audit_events, session_tokens, sessions
from tests.live_server import _env, cli, cli_json, cli_user_with_client, start_server, stop_server

CLIENTS = 4
LOAD_SECONDS = 1.5
BASE_TTL = 86_400
SS = "/session-storage"


def unix(rfc3339: str) -> int:
    return int(datetime.strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


@dataclass
class Known:
    """What one client was told about one session."""

    session_id: str
    publisher: str
    expires_at: int  # the acknowledged expiry (UNIX seconds, a lower bound)
    highest_ttl: int  # the largest ttl ever sent for it, acknowledged or not


@dataclass
class Client:
    """One client thread: creates sessions and renews its own, always with a larger
    ttl than before, until the server goes away."""

    base_url: str
    creds: dict[str, str]
    seed: int
    known: dict[str, Known] = field(default_factory=dict)
    creations: int = 0
    renewals: int = 0
    unexpected: list[str] = field(default_factory=list)
    ended_by: str = ""

    def run(self, stop: threading.Event) -> None:
        rng = random.Random(self.seed)
        ttl = BASE_TTL + self.seed * 100_000
        with httpx.Client(base_url=self.base_url, headers=self.creds, timeout=10) as http:
            while not stop.is_set():
                ttl += 1
                try:
                    if not self.known or rng.random() < 0.5:
                        self._create(http, ttl)
                    else:
                        self._renew(http, rng.choice(list(self.known.values())), ttl)
                except httpx.TransportError as exc:  # the server is gone
                    self.ended_by = type(exc).__name__
                    return

    def _create(self, http: httpx.Client, ttl: int) -> None:
        body = {"data": {"ttl_seconds": ttl, "subscriber_count": 1, "intent": "crash"}}
        r = http.post(f"{SS}/session", json=body)
        if r.status_code != 201:
            self.unexpected.append(f"create {r.status_code} {r.text[:200]}")
            return
        data = r.json()["data"]
        self.known[data["id"]] = Known(data["id"], data["publisher"], unix(data["expires_at"]), ttl)
        self.creations += 1

    def _renew(self, http: httpx.Client, known: Known, ttl: int) -> None:
        known.highest_ttl = ttl
        sent = time.time()
        r = http.post(f"{SS}/sessions/{known.session_id}", params={"ttl_seconds": ttl})
        if r.status_code != 204:
            self.unexpected.append(f"renew {r.status_code} {r.text[:200]}")
            return
        # The server's "now" is at or after ``sent`` (same machine, same clock).
        known.expires_at = max(known.expires_at, int(sent) + ttl)
        self.renewals += 1
        seen = http.get(f"{SS}/sessions/{known.session_id}")  # re-read the acknowledged state
        if seen.status_code == 200:
            known.expires_at = max(known.expires_at, unix(seen.json()["data"]["expires_at"]))


async def stored_rows(url: str) -> tuple[set[str], dict[str, list[str]], set[str]]:
    """(session ids, token roles per session, sessions with a "created" audit row)."""
    db = Database(url)
    try:
        async with db.read() as conn:
            ids = {r.id for r in await conn.execute(select(sessions.c.id))}
            roles: dict[str, list[str]] = {}
            for r in await conn.execute(select(session_tokens.c.session_id, session_tokens.c.role)):
                roles.setdefault(r.session_id, []).append(r.role)
            audited = {
                r.session_id
                for r in await conn.execute(
                    select(audit_events.c.session_id).where(audit_events.c.action == "created")
                )
            }
    finally:
        await db.dispose()
    return ids, roles, audited


def listed(http: httpx.Client, creds: dict[str, str]) -> dict[str, int]:
    """Every active session of the user through the API: id → expires_at."""
    out: dict[str, int] = {}
    token = None
    while True:
        params: dict[str, str | int] = {"page_size": 100}
        if token:
            params["page_token"] = token
        page = http.get(f"{SS}/sessions", headers=creds, params=params)
        assert page.status_code == 200, page.text
        out.update({s["id"]: unix(s["expires_at"]) for s in page.json()["data"]})
        token = page.json()["next_page_token"]
        if token is None:
            return out


@pytest.mark.parametrize("database_url", ["sqlite", "postgres+redis"], indirect=True)
def test_sigkill_under_load_loses_nothing_acknowledged(gatehouse_env: dict[str, str]) -> None:
    data_dir = Path(gatehouse_env["GATEHOUSE_DATA_DIR"])
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**_env(data_dir), **gatehouse_env}
    project = cli_json(env, data_dir, "project", "create", "crash", "--json")
    cli(env, data_dir, "project", "set", str(project["id"]), "--session-limit", "0")
    user_id, creds = cli_user_with_client(env, data_dir, project["id"], "crash-player")

    proc, base_url, err_path = start_server(env, data_dir)
    try:
        stop = threading.Event()
        clients = [Client(base_url, creds, seed) for seed in range(CLIENTS)]
        threads = [threading.Thread(target=c.run, args=(stop,), daemon=True) for c in clients]
        for t in threads:
            t.start()
        time.sleep(LOAD_SECONDS)
        os.kill(proc.pid, signal.SIGKILL)  # mid-load: every client has a request going
        proc.wait(timeout=10)
        killed_at = time.time()
        stop.set()
        for t in threads:
            t.join(timeout=15)
        err_path.rename(data_dir / "killed.stderr")
    finally:
        stop_server(proc)
    assert proc.returncode == -signal.SIGKILL

    assert [c.unexpected for c in clients] == [[]] * CLIENTS
    assert all(c.ended_by for c in clients), "a client never saw the server go away"
    assert sum(c.creations for c in clients) >= 2 * CLIENTS, "too little load to mean anything"
    assert sum(c.renewals for c in clients) >= CLIENTS, "too little load to mean anything"
    known = {k.session_id: k for c in clients for k in c.known.values()}

    proc, base_url, err_path = start_server(env, data_dir)
    try:
        with httpx.Client(base_url=base_url, timeout=10) as http:
            for k in known.values():
                r = http.get(f"{SS}/sessions/{k.session_id}", headers=creds)
                assert r.status_code == 200, (k, r.text)
                expires_at = unix(r.json()["data"]["expires_at"])
                assert expires_at >= k.expires_at, ("acknowledged expiry lost", k, expires_at)
                assert expires_at <= int(killed_at) + k.highest_ttl + 1, (k, expires_at)
                who = http.get(
                    f"{SS}/session", headers={"Authorization": f"Bearer {k.publisher}"}
                ).json()["data"]
                assert (who["id"], who["role"]) == (k.session_id, "publisher")
            api = listed(http, creds)
    finally:
        stop_server(proc)

    assert set(known) <= set(api)
    unheard_of = set(api) - set(known)
    print(  # shown with -s, and on failure
        f"{sum(c.creations for c in clients)} creations and {sum(c.renewals for c in clients)}"
        f" renewals acknowledged; {len(unheard_of)} creations committed but not acknowledged;"
        f" clients ended by {[c.ended_by for c in clients]}"
    )
    assert len(unheard_of) <= CLIENTS, unheard_of  # creations in flight at the kill

    by_cli = cli_json(env, data_dir, "session", "list", "--user", str(user_id), "--json")
    assert {s["id"]: unix(s["expires_at"]) for s in by_cli["sessions"]} == api

    ids, roles, audited = asyncio.run(stored_rows(gatehouse_env["GATEHOUSE_DATABASE_URL"]))
    assert ids == set(api)
    half_written = {
        i: roles.get(i) for i in ids if sorted(roles.get(i, [])) != ["publisher", "subscriber"]
    }
    assert half_written == {}
    assert set(roles) <= ids  # no token outlives its session
    assert ids <= audited
