"""The account pages guess against the same counters as the APIs: parallel wrong
passwords posted to the sign-in page meet the per-account limit, a guess there
counts where a guess on /v3 counts, and a forged post does nothing."""

from __future__ import annotations

import asyncio
import re

import httpx

from gatehouse.services.throttling import PASSWORD_PER_ACCOUNT
from gatehouse.wiring import Services

from ._support import V3, address, assert_v3_throttled, at, device_token, make_account
from .test_parallel_guessing import N, count_verifications, split


async def sign_in_form(client: httpx.AsyncClient, project_id: int) -> tuple[str, str]:
    """(the pre-sign-in cookie header, the form's CSRF token) of a fresh browser."""
    r = await client.get(f"/account/{project_id}/sign-in")
    assert r.status_code == 200
    cookie = r.headers["set-cookie"].split(";", 1)[0]
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', r.text)
    assert token is not None
    return cookie, token.group(1)


async def post_sign_in(
    client: httpx.AsyncClient,
    project_id: int,
    form: tuple[str, str],
    login: str,
    password: str,
    i: int,
) -> httpx.Response:
    cookie, token = form
    return await client.post(
        f"/account/{project_id}/sign-in",
        headers={"Cookie": cookie, **at(address(i))},
        data={"csrf_token": token, "login": login, "password": password},
    )


async def test_parallel_wrong_passwords_on_the_page_meet_the_account_limit(
    client, services: Services, project_id: int, monkeypatch
) -> None:
    victim = await make_account(services, project_id)
    form = await sign_in_form(client, project_id)
    verified = count_verifications(services, monkeypatch)
    answered, refused = split(
        list(
            await asyncio.gather(
                *(
                    post_sign_in(client, project_id, form, victim.username, f"guess {i}", i)
                    for i in range(N)
                )
            )
        )
    )
    limit = PASSWORD_PER_ACCOUNT.attempts
    assert len(verified) <= limit
    assert len(answered) == limit and all(r.status_code == 400 for r in answered)
    assert all("do not match an account" in r.text for r in answered)
    assert len(refused) == N - limit
    assert all(int(r.headers["retry-after"]) > 0 and 'role="alert"' in r.text for r in refused)


async def test_page_guesses_count_where_v3_guesses_count(
    client, services: Services, project_id: int
) -> None:
    victim = await make_account(services, project_id)
    form = await sign_in_form(client, project_id)
    for i in range(PASSWORD_PER_ACCOUNT.attempts):
        r = await post_sign_in(client, project_id, form, victim.email, f"guess {i}", i)
        assert r.status_code == 400
    # Even the right password is now refused on the API, unverified.
    token = await device_token(client)
    r = await client.post(
        f"{V3}/login",
        headers={"PRIVATE-TOKEN": token, **at(address(999))},
        json=victim.v3_body(),
    )
    assert_v3_throttled(r)


async def test_a_post_without_the_form_token_is_refused_and_signs_nobody_in(
    client, services: Services, project_id: int
) -> None:
    victim = await make_account(services, project_id)
    cookie, _ = await sign_in_form(client, project_id)
    for headers, token in [
        ({"Cookie": cookie}, ""),  # the cookie, not the token
        ({"Cookie": cookie}, "0" * 64),  # a made-up token
        ({}, "0" * 64),  # neither
    ]:
        r = await client.post(
            f"/account/{project_id}/sign-in",
            headers=headers,
            data={"csrf_token": token, "login": victim.username, "password": victim.password},
        )
        assert r.status_code == 403 and "set-cookie" not in r.headers
    assert await services.sessions.details(victim.user.id) == []
