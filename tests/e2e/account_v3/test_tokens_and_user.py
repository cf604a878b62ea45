"""Device tokens, personal tokens, ``GET /v3/session/user``, logout."""

from __future__ import annotations

from gatehouse.core.models import ApiKeyType

from ._support import V3, assert_v3_error, h, login, make_user, new_token

USER_KEYS = {
    "userId", "userName", "email", "firstName", "lastName", "gender", "phone", "accessLevel",
    "validateEmail", "isTrialAccount", "trialAccountExpirationDate", "requestIp",
    "requestIpCountry", "requestIpCountryCode", "details", "billingDetails",
}  # fmt: skip
DETAILS_KEYS = {
    "accountType", "firstName", "lastName", "address", "streetNumber", "zipCode", "city",
    "countryCode", "emailAddress", "unconfirmedEmail", "emailAddressValidated", "language",
    "agreeDpa", "isAllowedFlexMetal",
}  # fmt: skip
BILLING_KEYS = {
    "firstName", "lastName", "address", "streetNumber", "zipCode", "city", "countryCode",
    "bundleInvoicesOfSameCategory", "receivePaymentConfirmationsViaEmail",
    "preferredPaymentMethod",
}  # fmt: skip


async def test_issue_device_token(client, clock, project_id) -> None:
    r = await client.post(f"{V3}/token")
    assert r.status_code == 201
    body = r.json()
    assert set(body) == {"token", "expiresAt"}
    assert body["token"].startswith("gt_")
    assert body["expiresAt"] == clock.now_us() // 1_000_000 + 86_400


async def test_token_without_any_project_is_404(client) -> None:
    assert_v3_error(await client.post(f"{V3}/token"), 404, 10001)


async def test_token_for_project_of_public_api_key(client, services, project_id) -> None:
    other = await services.projects.create("other")
    _, public = await services.projects.create_api_key(other.id, ApiKeyType.PUBLIC)
    _, server = await services.projects.create_api_key(other.id, ApiKeyType.SERVER)
    token = await new_token(client, **{"X-API-Key": public})
    user = await make_user(services, other.id)
    assert (await login(client, token, user)).status_code == 200
    assert (await client.get(f"{V3}/user", headers=h(token))).json()["userId"] == user.id
    for bad in (server, "gk_nope", "garbage"):
        r = await client.post(f"{V3}/token", headers={"X-API-Key": bad})
        assert_v3_error(r, 403, 10020)


async def test_token_issue_is_rate_limited(client, project_id) -> None:
    for _ in range(30):
        assert (await client.post(f"{V3}/token")).status_code == 201
    r = await client.post(f"{V3}/token")
    assert_v3_error(r, 429, 10029)
    assert int(r.headers["Retry-After"]) >= 1


async def test_user_403_for_missing_garbage_and_expired_tokens(client, clock, project_id) -> None:
    assert_v3_error(await client.get(f"{V3}/user"), 403, 10020)
    for bad in ("gt_garbage", "garbage", "gt_" + "x" * 200, "gs_something"):
        assert_v3_error(await client.get(f"{V3}/user", headers=h(bad)), 403, 10020)
    token = await new_token(client)
    assert_v3_error(await client.get(f"{V3}/user", headers=h(token)), 404, 10001)
    clock.advance(86_400 + 1)
    assert_v3_error(await client.get(f"{V3}/user", headers=h(token)), 403, 10020)
    assert_v3_error(await client.post(f"{V3}/logout", headers=h(token)), 403, 10020)


async def test_use_keeps_a_device_token_alive(client, clock, project_id) -> None:
    token = await new_token(client)
    for _ in range(3):
        clock.advance(20 * 3600)
        assert_v3_error(await client.get(f"{V3}/user", headers=h(token)), 404, 10001)


async def test_login_then_full_session_user(client, services, project_id) -> None:
    user = await make_user(services, project_id)
    token = await new_token(client)
    assert_v3_error(await client.get(f"{V3}/user", headers=h(token)), 404, 10001)
    r = await login(client, token, user)
    assert r.status_code == 200
    assert r.json() == {"requiresOtp": False, "expiresAt": 0, "otpSessionExpiresAt": 0}
    r = await client.get(f"{V3}/user", headers=h(token))
    assert r.status_code == 200
    body = r.json()
    assert set(body) == USER_KEYS
    assert set(body["details"]) == DETAILS_KEYS
    assert set(body["billingDetails"]) == BILLING_KEYS
    assert body["userId"] == user.id and body["userName"] == user.username
    assert body["email"] == "alice@example.com" and body["firstName"] == "Alice"
    assert body["accessLevel"] == 10 and body["validateEmail"] == 0
    assert body["isTrialAccount"] == 0 and body["trialAccountExpirationDate"] == ""
    assert body["requestIp"] == "203.0.113.7"
    assert body["requestIpCountry"] == "" and body["requestIpCountryCode"] == ""
    assert body["details"]["unconfirmedEmail"] is None
    assert body["details"]["emailAddress"] == "alice@example.com"


async def test_session_lifetime_follows_remember_me(client, services, clock, project_id) -> None:
    user = await make_user(services, project_id)
    short, long = await new_token(client), await new_token(client)
    assert (await login(client, short, user)).status_code == 200
    assert (await login(client, long, user, rememberMe=1)).status_code == 200
    sessions = await services.sessions.list_active(user.id)
    ttls = sorted((s.expires_at - s.created_at) // 1_000_000 for s in sessions)
    assert ttls == [12 * 3600, 30 * 86_400]
    assert all(s.factors == ("password",) and s.origin == "account" for s in sessions)


async def test_forwarded_for_is_believed_only_from_trusted_proxies(
    client, proxied_client, services, project_id
) -> None:
    user = await make_user(services, project_id)
    token = await new_token(client)
    assert (await login(client, token, user)).status_code == 200
    spoofed = {**h(token), "X-Forwarded-For": "8.8.8.8"}
    body = (await client.get(f"{V3}/user", headers=spoofed)).json()
    assert (body["requestIp"], body["requestIpCountry"]) == ("203.0.113.7", "")
    proxied, _ = proxied_client
    body = (await proxied.get(f"{V3}/user", headers=spoofed)).json()
    assert body["requestIp"] == "8.8.8.8"
    assert body["requestIpCountry"] == "United States of America"
    assert body["requestIpCountryCode"] == "US"


async def test_logout_then_log_in_again(client, services, project_id) -> None:
    user = await make_user(services, project_id)
    token = await new_token(client)
    r = await client.post(f"{V3}/logout", headers=h(token))  # not logged in: still 204
    assert r.status_code == 204 and r.content == b""
    assert (await login(client, token, user)).status_code == 200
    assert len(await services.sessions.list_active(user.id)) == 1
    assert (await client.post(f"{V3}/logout", headers=h(token))).status_code == 204
    assert_v3_error(await client.get(f"{V3}/user", headers=h(token)), 404, 10001)
    assert await services.sessions.list_active(user.id) == []
    assert (await login(client, token, user)).status_code == 200
    assert (await client.get(f"{V3}/user", headers=h(token))).status_code == 200


async def test_login_twice_is_409(client, services, project_id) -> None:
    user = await make_user(services, project_id)
    token = await new_token(client)
    assert (await login(client, token, user)).status_code == 200
    assert_v3_error(await login(client, token, user), 409, 10013)
    assert len(await services.sessions.list_active(user.id)) == 1


async def test_personal_token_is_always_logged_in(client, services, project_id) -> None:
    user = await make_user(services, project_id)
    issued, _ = await services.account_tokens.create_personal_token(user.id)
    token = issued.token
    assert (await client.get(f"{V3}/user", headers=h(token))).json()["userId"] == user.id
    assert_v3_error(await login(client, token, user), 409, 10013)
    assert (await client.post(f"{V3}/logout", headers=h(token))).status_code == 204
    assert (await client.get(f"{V3}/user", headers=h(token))).status_code == 200


async def test_revoked_through_session_storage_logs_the_token_out(
    client, services, project_id
) -> None:
    user = await make_user(services, project_id)
    storage_client, secret = await services.projects.create_client(user.id, "tests")
    storage = {"ClientID": storage_client.id, "ClientSecret": secret}
    token = await new_token(client)
    assert (await login(client, token, user)).status_code == 200
    listed = (await client.get("/session-storage/sessions", headers=storage)).json()["data"]
    assert len(listed) == 1
    r = await client.delete(f"/session-storage/sessions/{listed[0]['id']}", headers=storage)
    assert r.status_code == 204
    assert_v3_error(await client.get(f"{V3}/user", headers=h(token)), 404, 10001)
    assert (await login(client, token, user)).status_code == 200  # may log in again


async def test_expired_session_logs_the_token_out(client, services, clock, project_id) -> None:
    user = await make_user(services, project_id)
    token = await new_token(client)
    assert (await login(client, token, user)).status_code == 200
    clock.advance(12 * 3600 + 1)
    # The token itself was used less than 24 h ago... but the login was 12 h ago:
    # the idle window counts from the login, so it is still valid, just logged out.
    assert_v3_error(await client.get(f"{V3}/user", headers=h(token)), 404, 10001)
    assert (await login(client, token, user)).status_code == 200
