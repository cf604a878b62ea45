"""The HiveMP progressive sign-in driver: it yields each prompt (credentials, two
factors, link confirmation, project, marketing answer), takes the answer, keeps
prompting after a refused answer, and ends with the session."""

from __future__ import annotations

import pytest

from gatehouse_client import (
    AsyncUserSessionClient,
    AuthenticatedSession,
    Forbidden,
    Need,
    Prompt,
    UserSessionClient,
)
from tests.client._support import Uniform
from tests.client.conftest import Live

WRONG_CODE = "000000"


async def test_password_then_two_factor_async(live: Live) -> None:
    player = live.player(totp=True)
    seen: list[tuple[frozenset[Need], int | str | None]] = []
    async with AsyncUserSessionClient(live.base_url, live.public_key) as hive:
        flow = hive.sign_in()
        async for prompt in flow:
            seen.append((prompt.needs, prompt.error.code if prompt.error else None))
            if Need.PASSWORD in prompt:
                wrong_once = not any(code == 1002 for _, code in seen)
                flow.answer(email=player.email, password="wrong" if wrong_once else player.password)
            elif Need.TWO_FACTOR in prompt:
                wrong_once = not any(code == 1014 for _, code in seen)
                flow.answer(two_factor_code=WRONG_CODE if wrong_once else player.code())
    assert seen == [
        ({Need.EMAIL_ADDRESS, Need.PASSWORD}, None),
        ({Need.EMAIL_ADDRESS, Need.PASSWORD}, 1002),  # wrong password: asked again
        ({Need.TWO_FACTOR}, None),
        ({Need.TWO_FACTOR}, 1014),  # wrong code: asked again
    ]
    session = flow.session
    assert isinstance(session, AuthenticatedSession) and flow.intent == "login"
    assert session.account_id == str(player.id)
    assert set(session.authenticated_with) == {"password", "totp"}


def test_password_then_two_factor_blocking(live: Live) -> None:
    player = live.player(totp=True)
    prompts: list[Prompt] = []
    with UserSessionClient(live.base_url, live.public_key) as hive:
        flow = hive.sign_in(email=player.email)
        for prompt in flow:
            prompts.append(prompt)
            if Need.PASSWORD in prompt:
                flow.answer(password=player.password)
            if Need.TWO_FACTOR in prompt:
                flow.answer(two_factor_code=player.code(), trust_device=False)
        assert [p.needs for p in prompts] == [{Need.PASSWORD}, {Need.TWO_FACTOR}]
        assert flow.session is not None and flow.intent == "login"
        own = hive.get_session(api_key=flow.session.api_key)
        assert own.account_id == str(player.id)


async def test_a_steam_account_is_linked_after_confirmation(live: Live, hive: Uniform) -> None:
    player = live.player()
    ticket, _ = live.steam_account()
    flow = hive.client.sign_in(steam_tickets=[bytes.fromhex(ticket)])
    driver = Uniform(flow)

    first = await driver.step()
    assert isinstance(first, Prompt) and first.needs == {Need.EMAIL_ADDRESS, Need.PASSWORD}
    flow.answer(email=player.email, password=player.password)
    second = await driver.step()
    assert isinstance(second, Prompt)
    assert second.needs == {Need.LINK_CONFIRMATION} and second.intent == "link-confirm"
    flow.answer(confirm_link=True)
    session = await driver.step()
    assert isinstance(session, AuthenticatedSession) and flow.intent == "link"
    assert set(session.authenticated_with) == {"password", "steam"}

    # Linked: the ticket alone signs the player in now.
    again = await Uniform(hive.client.sign_in(steam_tickets=[ticket])).step()
    assert isinstance(again, AuthenticatedSession) and again.account_id == str(player.id)


async def test_an_admin_chooses_a_project_and_gives_a_code(live: Live, flavour: str) -> None:
    player = live.player(totp=True)
    first, second = live.project(), live.project()
    for project in (first, second):
        live.cli("project", "add-admin", "--project", str(project), "--user", str(player.id))
    cls = AsyncUserSessionClient if flavour == "async" else UserSessionClient
    hive = Uniform(cls(live.base_url, live.admin_key))
    try:
        flow = hive.client.sign_in(
            email=player.email, password=player.password, prompt_for_project=True
        )
        driver = Uniform(flow)
        prompt = await driver.step()
        assert isinstance(prompt, Prompt)
        assert prompt.needs == {Need.PROJECT, Need.TWO_FACTOR}
        assert {p.id for p in prompt.projects} == {str(first), str(second)}
        flow.answer(project_id=second, two_factor_code=player.code())
        session = await driver.step()
        assert isinstance(session, AuthenticatedSession)
        assert session.project_id == str(second)
    finally:
        await hive.close()


async def test_registration_asks_for_the_marketing_answer(live: Live, flavour: str) -> None:
    project = live.project("--password-registration")
    cls = AsyncUserSessionClient if flavour == "async" else UserSessionClient
    hive = Uniform(cls(live.base_url, live.api_key(project, "public")))
    try:
        email = f"{live.name('newcomer')}@example.com"
        flow = hive.client.sign_in(email=email, password="a fresh password")
        driver = Uniform(flow)
        prompt = await driver.step()
        assert isinstance(prompt, Prompt)
        assert prompt.needs == {Need.MARKETING_OPT_IN} and prompt.intent == "register"
        flow.answer(marketing_opt_in=False)
        session = await driver.step()
        assert isinstance(session, AuthenticatedSession) and flow.intent == "register"
        assert session.project_id == str(project)
    finally:
        await hive.close()


async def test_an_unanswered_prompt_stops_the_flow(live: Live, hive: Uniform) -> None:
    flow = hive.client.sign_in()
    driver = Uniform(flow)
    assert isinstance(await driver.step(), Prompt)
    with pytest.raises(RuntimeError, match="answer the prompt"):
        await driver.step()


async def test_a_failure_that_leaves_no_prompt_is_raised(live: Live, hive: Uniform) -> None:
    # A session's own key may not sign in: nothing to prompt for, so it is raised.
    session = await Uniform(
        hive.client.sign_in(email=(p := live.player()).email, password=p.password)
    ).step()
    assert isinstance(session, AuthenticatedSession)
    cls = type(hive.client)
    own = Uniform(cls(live.base_url, session.api_key))
    try:
        with pytest.raises(Forbidden) as refused:
            await Uniform(own.client.sign_in()).step()
        assert refused.value.code == 1003
    finally:
        await own.close()
