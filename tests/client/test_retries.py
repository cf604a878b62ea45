"""Retries: 429, 503 and HiveMP 6001/6002 are tried again after exponential backoff
and never sooner than ``Retry-After``; nothing else is (a wrong password is not
guessed twice). Throttling and outages are provoked for real."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path

import httpx
import pytest

from gatehouse_client import (
    AccountClient,
    AsyncAccountClient,
    AsyncSessionStorageClient,
    AsyncUserSessionClient,
    AuthenticationRequest,
    RateLimited,
    RetryPolicy,
    SessionStorageClient,
    Unauthorized,
    UserSessionClient,
    hivemp_password_hash,
)
from tests.client._support import Uniform, Wire
from tests.client.conftest import Live, run_cli
from tests.crash.test_postgres_restart import PrivatePostgres, postgres
from tests.live_server import _env, start_server, stop_server

__all__ = ["postgres"]


def hive_client(live: Live, flavour: str, wire: Wire, **options: object) -> Uniform:
    cls = AsyncUserSessionClient if flavour == "async" else UserSessionClient
    return Uniform(cls(live.base_url, live.public_key, http=wire.http_for(flavour), **options))


def password_request(email: str, password: str) -> AuthenticationRequest:
    return AuthenticationRequest(email_address=email, password_hash=hivemp_password_hash(password))


async def test_a_refusal_is_never_retried(live: Live, flavour: str) -> None:
    player = live.player()
    wire = Wire()
    hive = hive_client(live, flavour, wire)
    account_cls = AsyncAccountClient if flavour == "async" else AccountClient
    ss_cls = AsyncSessionStorageClient if flavour == "async" else SessionStorageClient
    account = Uniform(account_cls(live.base_url, http=wire.http_for(flavour)))
    ss = Uniform(ss_cls(live.base_url, live.client_id, "nope", http=wire.http_for(flavour)))
    try:
        with pytest.raises(Unauthorized):
            await hive.authenticate(password_request(player.email, "wrong"))
        assert wire.statuses == [401]
        device = (await account.new_device_token()).token
        with pytest.raises(Unauthorized):
            await account.login(player.username, "wrong", token=device)
        assert wire.statuses == [401, 201, 401]
        with pytest.raises(Unauthorized):
            await ss.create_session()
        assert wire.statuses == [401, 201, 401, 401]
    finally:
        for client in (hive, account, ss):
            await client.close()


async def test_throttled_guessing_is_not_retried_before_retry_after(
    live: Live, flavour: str
) -> None:
    """Five wrong passwords lock the account for the rest of a 5-minute window: the
    right password then gets 429/6002 with that wait, beyond the client's budget
    (30 s), so it is raised at once, after one request, not retried early."""
    player = live.player()
    wire = Wire()
    hive = hive_client(live, flavour, wire)
    try:
        for _ in range(5):
            with pytest.raises(Unauthorized):
                await hive.authenticate(password_request(player.email, "wrong"))
        started = time.monotonic()
        with pytest.raises(RateLimited) as throttled:
            await hive.authenticate(password_request(player.email, player.password))
        assert time.monotonic() - started < 5
        assert wire.statuses == [401] * 5 + [429]
        error = throttled.value
        assert error.code == 6002 and error.status == 429
        assert error.retry_after is not None and 240 < error.retry_after <= 300
        assert error.data == {"retryAfterSeconds": int(error.retry_after)}

        # The account's counter is shared by every surface.
        account_cls = AsyncAccountClient if flavour == "async" else AccountClient
        account = Uniform(account_cls(live.base_url))
        try:
            device = (await account.new_device_token()).token
            with pytest.raises(RateLimited) as v3:
                await account.login(player.username, player.password, token=device)
            assert v3.value.code == 10029 and v3.value.retry_after is not None
        finally:
            await account.close()
    finally:
        await hive.close()


async def test_hivemp_6001_is_retried_with_backoff(live: Live, flavour: str) -> None:
    """Steam answers 503 three times (the server's own tries): 502/6001; the client
    backs off and asks again, and Steam answers this time."""
    ticket, _ = live.steam_account()
    live.steam.reset()
    live.steam.fail_first = 3
    live.steam.mode = "5xx-then-ok"
    wire = Wire()
    hive = hive_client(live, flavour, wire)
    try:
        answer = await hive.authenticate(AuthenticationRequest(steam_tickets=(ticket,)))
        assert wire.statuses == [502, 200]
        assert answer.prompt_for_email_address and answer.prompt_for_password  # unlinked
        assert len(live.steam.requests) == 4
    finally:
        live.steam.reset()
        await hive.close()


async def test_a_429_is_retried_once_retry_after_has_passed(live: Live) -> None:
    """A second server (its own throttling counters) refuses every bearer check from
    this address once 60 unknown tokens were tried in a minute, even a valid one;
    the client waits what Retry-After says, asks again, and gets the answer. The
    window is a minute: this test waits for most of it."""
    async with AsyncSessionStorageClient(live.base_url, live.client_id, live.client_secret) as ss:
        token = (await ss.create_session()).publisher
    process, other = live.start_another()
    try:
        async with httpx.AsyncClient(base_url=other) as http:
            for _ in range(60):
                r = await http.get(
                    "/session-storage/session", headers={"Authorization": "Bearer gs_" + "z" * 43}
                )
                assert r.status_code == 401
        wire = Wire()
        patient = RetryPolicy(max_attempts=3, max_elapsed=90)
        async with AsyncSessionStorageClient(
            other, "unused", "unused", retry=patient, http=wire.async_http()
        ) as client:
            started = time.monotonic()
            who = await client.check_token(token)
            waited = time.monotonic() - started
        assert who.role == "publisher"
        # With Redis the server may say up to half a second too little (its TTL is
        # rounded to the nearest second): then one more 429, honoured the same way.
        assert wire.statuses in ([429, 200], [429, 429, 200]), wire.statuses
        for i, status in enumerate(wire.statuses[:-1]):
            assert status == 429
            asked = float(wire.retry_afters[i] or "nan")
            assert wire.times[i + 1] - wire.times[i] >= asked  # never sooner
        assert 30 < waited < 75  # most of the minute: the first refusal's Retry-After
    finally:
        stop_server(process)


async def test_a_storage_outage_503_is_retried_until_storage_is_back(
    tmp_path: Path, postgres: PrivatePostgres
) -> None:
    """The server's PostgreSQL (a private cluster: the shared one is never stopped)
    goes down: every request answers 503 with Retry-After: 1. The client keeps
    retrying, a second apart at least, and the creation succeeds once it is back."""
    data_dir = tmp_path / "gh"
    data_dir.mkdir()
    env = {**_env(data_dir), "GATEHOUSE_DATABASE_URL": postgres.url}
    project = run_cli(env, "project", "create", "outage", "--json")["id"]
    user = run_cli(env, "user", "create", "--project", str(project), "--username", "p", "--json")
    client = run_cli(env, "client", "create", "--user", str(user["id"]), "--json")
    process, base_url, _ = start_server(env, data_dir)
    wire = Wire()
    patient = RetryPolicy(max_attempts=12, max_elapsed=40)
    try:
        async with AsyncSessionStorageClient(
            base_url,
            client["client_id"],
            client["client_secret"],
            retry=patient,
            http=wire.async_http(),
        ) as ss:
            await ss.create_session()
            await asyncio.to_thread(postgres.stop)

            async def comes_back() -> None:
                while wire.statuses.count(503) < 2:
                    await asyncio.sleep(0.05)
                await asyncio.to_thread(postgres.start)

            back = asyncio.create_task(comes_back())
            created = await ss.create_session()
            await back
        assert created.publisher
        retried = wire.statuses[1:]
        assert retried[-1] == 201 and set(retried[:-1]) == {503} and len(retried) >= 3
        gaps = [b - a for a, b in itertools.pairwise(wire.times[1:])]
        assert min(gaps) >= 1.0  # never sooner than Retry-After
    finally:
        stop_server(process)
