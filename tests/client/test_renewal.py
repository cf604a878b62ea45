"""HiveMP sessions renewed automatically at half their life, in the background
(asyncio task; thread) or from a loop (``renew_if_due``).

The project's sessions last 6 s at sign-in (``gatehouse project set --session-ttl 6
--max-ttl 6``); then the operator raises the maximum, so a renewal can move the
expiry: the session outlives its first expiry only if the helper renewed it."""

from __future__ import annotations

import asyncio
import time

import pytest

from gatehouse_client import (
    AsyncUserSessionClient,
    AuthenticatedSession,
    GatehouseError,
    Unauthorized,
    UserSessionClient,
)
from tests.client.conftest import Live

LIFE = 6


def short_lived_session(live: Live) -> tuple[AuthenticatedSession, int, str]:
    """A fresh sign-in that expires in LIFE seconds, in a project whose maximum is
    then raised to an hour."""
    project = live.project("--session-ttl", str(LIFE), "--max-ttl", str(LIFE))
    player = live.player(project_id=project)
    key = live.api_key(project, "public")
    with UserSessionClient(live.base_url, key) as hive:
        session = hive.sign_in(email=player.email, password=player.password).step()
    assert isinstance(session, AuthenticatedSession)
    assert (session.expiry - session.start).total_seconds() == LIFE
    live.cli("project", "set", str(project), "--max-ttl", "3600")
    return session, project, key


def alive(live: Live, session: AuthenticatedSession) -> bool:
    with UserSessionClient(live.base_url, session.api_key) as own:
        try:
            own.get_session()
        except Unauthorized:
            return False
    return True


async def test_a_background_task_renews_at_half_life(live: Live) -> None:
    session, _, key = short_lived_session(live)
    async with AsyncUserSessionClient(live.base_url, key) as hive:
        async with hive.keep_renewed(session) as renewing:
            assert renewing.running and renewing.renewals == 0
            # Past the first expiry (whole seconds, so one more for rounding).
            await asyncio.sleep(max(0.0, session.expiry.timestamp() + 1.5 - time.time()))
            assert renewing.renewals == 1 and renewing.error is None
            assert renewing.session.expiry.timestamp() > session.expiry.timestamp() + 3000
        assert not renewing.running
    assert await asyncio.to_thread(alive, live, session)


def test_renew_if_due_renews_only_once_half_the_life_is_gone(live: Live) -> None:
    session, _, key = short_lived_session(live)
    with UserSessionClient(live.base_url, key) as hive:
        renewing = hive.keep_renewed(session)
        assert 0 < renewing.seconds_until_due <= LIFE / 2
        assert renewing.renew_if_due() is False  # not yet
        time.sleep(renewing.seconds_until_due)
        assert renewing.renew_if_due() is True
        assert renewing.renew_if_due() is False  # next one due in half an hour
        assert renewing.seconds_until_due > 1500
    time.sleep(max(0.0, session.expiry.timestamp() + 1.5 - time.time()))
    assert alive(live, session)


def test_a_thread_renews_at_half_life(live: Live) -> None:
    session, _, key = short_lived_session(live)
    with UserSessionClient(live.base_url, key) as hive, hive.keep_renewed(session) as renewing:
        assert renewing.running
        time.sleep(max(0.0, session.expiry.timestamp() + 1.5 - time.time()))
        assert renewing.renewals == 1 and renewing.error is None
    assert not renewing.running
    assert alive(live, session)


async def test_a_session_ended_elsewhere_stops_the_renewals(live: Live) -> None:
    player = live.player()
    errors: list[GatehouseError] = []
    async with AsyncUserSessionClient(live.base_url, live.public_key) as hive:
        session = await hive.sign_in(email=player.email, password=player.password).step()
        assert isinstance(session, AuthenticatedSession)
        renewing = hive.keep_renewed(session, on_error=errors.append)
        await hive.delete_session(api_key=session.api_key)
        with pytest.raises(Unauthorized):
            await renewing.renew_now()
        assert renewing.stopped and isinstance(renewing.error, Unauthorized)
        assert errors == [renewing.error]
