"""The token verifier: who a token is, through each surface's check, cached no
longer than ``max_staleness`` and never past the session's expiry, so a token
revoked on the server stops working within that bound."""

from __future__ import annotations

import asyncio
import time

import pytest

from gatehouse_client import (
    AsyncAccountClient,
    AsyncSessionStorageClient,
    AsyncTokenVerifier,
    AsyncUserSessionClient,
    AuthenticatedSession,
    ConnectionFailed,
    InvalidToken,
    SessionStorageClient,
    TokenKind,
    TokenVerifier,
)
from tests.client._support import Wire
from tests.client.conftest import Live

STALENESS = 1.0
#: How late a refusal may come after max_staleness: the poll's own step, a request.
SLACK = 0.6


async def refused_within(verifier: AsyncTokenVerifier, token: str, revoked_at: float) -> float:
    """Seconds from the revocation until the verifier refuses the token."""
    while time.monotonic() - revoked_at < STALENESS + 5:
        try:
            await verifier.verify(token)
        except InvalidToken:
            return time.monotonic() - revoked_at
        await asyncio.sleep(0.05)
    pytest.fail("the revoked token was still accepted long after max_staleness")


async def test_a_bearer_token_revoked_stops_working_within_max_staleness(live: Live) -> None:
    wire = Wire()
    async with (
        AsyncSessionStorageClient(live.base_url, live.client_id, live.client_secret) as ss,
        AsyncTokenVerifier(live.base_url, max_staleness=STALENESS, http=wire.async_http()) as v,
    ):
        created = await ss.create_session(intent="lobby")
        identity = await v.verify(created.publisher)
        assert identity.kind is TokenKind.SESSION_STORAGE
        assert (identity.session_id, identity.role) == (created.id, "publisher")
        assert identity.user_id == created.id.split(".")[0]
        assert identity.expires_at == created.expires_at
        for _ in range(5):
            assert (await v.verify(created.publisher)) == identity
        assert len(wire.requests) == 1  # the rest came from the cache

        await ss.delete_session(created.id)
        revoked_at = time.monotonic()
        assert await refused_within(v, created.publisher, revoked_at) <= STALENESS + SLACK


async def test_a_cached_answer_never_outlives_the_session(live: Live) -> None:
    async with (
        AsyncSessionStorageClient(live.base_url, live.client_id, live.client_secret) as ss,
        AsyncTokenVerifier(live.base_url, max_staleness=600) as verifier,
    ):
        created = await ss.create_session(2)
        assert (await verifier.verify(created.publisher)).session_id == created.id
        await asyncio.sleep(max(0.0, created.expires_at.timestamp() + 1.2 - time.time()))
        with pytest.raises(InvalidToken):
            await verifier.verify(created.publisher)


async def test_a_hivemp_api_key_through_the_v1_check(live: Live) -> None:
    player = live.player()
    async with (
        AsyncUserSessionClient(live.base_url, live.public_key) as hive,
        AsyncTokenVerifier(
            live.base_url, kind=TokenKind.USER_SESSION_V1, max_staleness=STALENESS
        ) as verifier,
    ):
        session = await hive.sign_in(email=player.email, password=player.password).step()
        assert isinstance(session, AuthenticatedSession)
        identity = await verifier.verify(session.api_key)
        assert (identity.user_id, identity.project_id) == (str(player.id), str(live.project_id))
        assert identity.session_id == session.id and identity.expires_at == session.expiry

        for typed_key in (live.public_key, live.server_key):  # keys, not sessions
            with pytest.raises(InvalidToken):
                await verifier.verify(typed_key)

        await hive.delete_session(api_key=session.api_key)
        revoked_at = time.monotonic()
        assert await refused_within(verifier, session.api_key, revoked_at) <= STALENESS + SLACK


async def test_a_private_token_through_the_v3_check(live: Live) -> None:
    player = live.player()
    async with (
        AsyncAccountClient(live.base_url) as account,
        AsyncTokenVerifier(
            live.base_url, kind=TokenKind.ACCOUNT_V3, max_staleness=STALENESS
        ) as verifier,
    ):
        device = (await account.new_device_token()).token
        with pytest.raises(InvalidToken):  # logged out ...
            await verifier.verify(device)
        await account.login(player.username, player.password, token=device)
        identity = await verifier.verify(device)  # ... and at once logged in: not cached
        assert (identity.user_id, identity.user_name) == (str(player.id), player.username)

        await account.logout(token=device)
        revoked_at = time.monotonic()
        assert await refused_within(verifier, device, revoked_at) <= STALENESS + SLACK


async def test_refusals_are_cached_and_outages_are_not_refusals(live: Live) -> None:
    wire = Wire()
    async with AsyncTokenVerifier(live.base_url, http=wire.async_http()) as verifier:
        for _ in range(3):
            with pytest.raises(InvalidToken):
                await verifier.verify("gs_" + "u" * 43)
            assert await verifier.identify("gs_" + "u" * 43) is None
        assert len(wire.requests) == 1
        with pytest.raises(InvalidToken):
            await verifier.verify("")
        assert len(wire.requests) == 1

    async with AsyncTokenVerifier("http://127.0.0.1:9") as nowhere:
        with pytest.raises(ConnectionFailed):
            await nowhere.verify("gs_" + "u" * 43)


def test_the_blocking_verifier(live: Live) -> None:
    with (
        SessionStorageClient(live.base_url, live.client_id, live.client_secret) as ss,
        TokenVerifier(live.base_url, max_staleness=STALENESS) as verifier,
    ):
        created = ss.create_session()
        assert verifier.verify(created.publisher).session_id == created.id
        ss.delete_session(created.id)
        time.sleep(STALENESS + 0.1)
        assert verifier.identify(created.publisher) is None
