"""UserSessionClient / AsyncUserSessionClient: ``PUT /v1/authenticate`` and the
``/v1/session`` family on success, and the HiveMP error shape on failure."""

from __future__ import annotations

import time

import pytest

from gatehouse_client import (
    AuthenticatedSession,
    AuthenticationRequest,
    BadRequest,
    Forbidden,
    HiveMPErrorBody,
    NotFound,
    Unauthorized,
    hivemp_password_hash,
)
from tests.client._support import Uniform
from tests.client.conftest import Live, Player


async def signed_in(hive: Uniform, player: Player) -> AuthenticatedSession:
    flow = hive.client.sign_in(email=player.email, password=player.password)
    step = await Uniform(flow).step()
    assert isinstance(step, AuthenticatedSession), step
    return step


async def test_one_authenticate_call_answers_prompts_or_a_session(
    live: Live, hive: Uniform
) -> None:
    empty = await hive.authenticate(AuthenticationRequest())
    assert empty.authenticated_session is None
    assert empty.prompt_for_email_address and empty.prompt_for_password

    player = live.player()
    answered = await hive.authenticate(
        AuthenticationRequest(
            email_address=player.email, password_hash=hivemp_password_hash(player.password)
        )
    )
    session = answered.authenticated_session
    assert answered.intent == "login" and session is not None
    assert session.account_id == str(player.id) and session.project_id == str(live.project_id)
    assert session.api_key.startswith("gs_")
    assert session.authenticated_with == ("password",)
    assert 3590 <= (session.expiry - session.start).total_seconds() <= 3600


async def test_a_session_read_renewed_and_ended(
    live: Live, hive: Uniform, backend_hive: Uniform
) -> None:
    session = await signed_in(hive, live.player())

    own = await hive.get_session(api_key=session.api_key)  # without an id: the key's own
    assert (own.id, own.account_id, own.expiry) == (session.id, session.account_id, session.expiry)
    by_server = await backend_hive.get_session(session.id)
    assert by_server.id == session.id

    time.sleep(1.1)  # expiries are whole seconds
    renewed = await hive.renew_session(session.id, api_key=session.api_key)
    assert renewed.expiry > session.expiry
    assert renewed.start == session.start

    await backend_hive.delete_session(session.id)
    with pytest.raises(Unauthorized) as dead:
        await hive.get_session(api_key=session.api_key)
    assert dead.value.code == 1002 and dead.value.status == 401
    with pytest.raises(NotFound) as gone:
        await backend_hive.get_session(session.id)
    assert gone.value.code == 1006


async def test_refusals_carry_the_hivemp_shape(live: Live, hive: Uniform) -> None:
    session = await signed_in(hive, live.player())

    with pytest.raises(Forbidden) as public:  # a public key may not read sessions
        await hive.get_session(session.id)
    assert public.value.code == 1003 and public.value.status == 403
    body = public.value.body
    assert isinstance(body, HiveMPErrorBody) and body.code == 1003
    assert public.value.surface == "user-session-v1"

    with pytest.raises(BadRequest) as no_id:  # a typed key must name a session
        await hive.get_session(api_key=live.server_key)
    assert no_id.value.code == 1001 and no_id.value.fields == "id"

    other = await signed_in(hive, live.player())
    with pytest.raises(Forbidden):  # a session's key names only its own session
        await hive.renew_session(other.id, api_key=session.api_key)

    with pytest.raises(Unauthorized) as unknown:
        await hive.delete_session(api_key="gk_" + "x" * 43)
    assert unknown.value.code == 1002
