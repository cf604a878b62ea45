"""PUT /v1/authenticate with email + passwordHash: prompts, errors, registration."""

from __future__ import annotations

from ._support import PW_HASH, Hive, make_hive

A = "/v1/authenticate"
NO_PROMPTS = {
    "promptForEmailAddress": False,
    "promptForPassword": False,
    "promptForMarketingPreferenceOptIn": False,
    "promptForTwoFactor": False,
}


async def test_empty_and_null_bodies_prompt_for_email_and_password(client, hive: Hive) -> None:
    for kwargs in ({}, {"content": b"null"}, {"content": b"{}"}, {"json": {"metered": None}}):
        r = await client.put(A, headers=hive.h(), **kwargs)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["authenticatedSession"] is None
        assert body["promptForEmailAddress"] is True and body["promptForPassword"] is True
        assert body["promptForTwoFactor"] is False
        assert body["availableProjects"] is None and body["passwordResetEmailSent"] is False


async def test_email_only_prompts_for_password(client, hive: Hive) -> None:
    r = await client.put(A, headers=hive.h(), json={"emailAddress": "a@example.com"})
    assert r.status_code == 200
    assert r.json()["promptForPassword"] is True
    assert r.json()["promptForEmailAddress"] is False


async def test_right_password_returns_a_session_with_its_api_key(client, hive: Hive, clock) -> None:
    user = await hive.user()
    r = await client.put(
        A, headers=hive.h(), json={"emailAddress": user.email, "passwordHash": PW_HASH}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["intent"] == "login"
    assert {k: body[k] for k in NO_PROMPTS} == NO_PROMPTS
    s = body["authenticatedSession"]
    now = clock.now_us() // 1_000_000
    assert s["accountId"] == str(user.id) and s["projectId"] == str(hive.project_id)
    assert s["start"] == now and s["expiry"] == now + 3600
    assert s["metered"] is False and s["billedMinutes"] == 0 and s["profile"] is None
    assert s["authenticatedWith"] == ["password"]
    assert s["apiKey"].startswith("gs_")
    # The apiKey is the session's own X-API-Key.
    got = await client.get("/v1/session", headers={"X-API-Key": s["apiKey"]})
    assert got.status_code == 200
    assert got.json() == {k: v for k, v in s.items() if k != "apiKey"}


async def test_wrong_password_and_unknown_email_answer_alike(client, hive: Hive) -> None:
    user = await hive.user()
    wrong = await client.put(
        A, headers=hive.h(), json={"emailAddress": user.email, "passwordHash": "0" * 64}
    )
    unknown = await client.put(
        A, headers=hive.h(), json={"emailAddress": "nobody@example.com", "passwordHash": PW_HASH}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    body = wrong.json()
    assert set(body) == {"code", "message", "fields", "data"}
    assert not 6000 <= body["code"] <= 6999
    # The game keeps prompting for both.
    assert body["data"]["promptForEmailAddress"] and body["data"]["promptForPassword"]


async def test_password_guessing_is_throttled_with_6002(client, hive: Hive) -> None:
    user = await hive.user()
    bad = {"emailAddress": user.email, "passwordHash": "1" * 64}
    for _ in range(5):
        assert (await client.put(A, headers=hive.h(), json=bad)).status_code == 401
    r = await client.put(A, headers=hive.h(), json={**bad, "passwordHash": PW_HASH})
    assert r.status_code == 429
    body = r.json()
    assert body["code"] == 6002
    retry = int(r.headers["Retry-After"])
    assert retry >= 1 and body["data"] == {"retryAfterSeconds": retry}


async def test_registration_is_off_by_default(client, hive: Hive) -> None:
    r = await client.put(
        A, headers=hive.h(), json={"emailAddress": "new@example.com", "passwordHash": PW_HASH}
    )
    assert r.status_code == 401


async def test_registration_prompts_for_marketing_then_creates(client, services) -> None:
    hive = await make_hive(services, password_registration=True)
    req = {"emailAddress": "new@example.com", "passwordHash": PW_HASH}
    first = await client.put(A, headers=hive.h(), json=req)
    assert first.status_code == 200
    assert first.json()["intent"] == "register"
    assert first.json()["promptForMarketingPreferenceOptIn"] is True
    assert first.json()["authenticatedSession"] is None
    done = await client.put(A, headers=hive.h(), json={**req, "marketingPreferenceOptIn": True})
    assert done.status_code == 200, done.text
    assert done.json()["intent"] == "register"
    assert done.json()["authenticatedSession"]["authenticatedWith"] == ["password"]
    # The account now exists: the same password signs in.
    again = await client.put(A, headers=hive.h(), json=req)
    assert again.json()["intent"] == "login"
    wrong = await client.put(A, headers=hive.h(), json={**req, "passwordHash": "2" * 64})
    assert wrong.status_code == 401
