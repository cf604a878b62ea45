"""``POST /v3/session/login``: credentials, throttling, validation, bad bodies."""

from __future__ import annotations

import pytest

from ._support import PASSWORD, V3, assert_v3_error, h, login, make_user, new_token


async def test_unknown_user_and_wrong_password_answer_alike(client, services, project_id) -> None:
    user = await make_user(services, project_id)
    token = await new_token(client)
    wrong = await login(client, token, user, password="not the password")
    r = await client.post(
        f"{V3}/login", json={"userName": "nobody", "password": PASSWORD}, headers=h(token)
    )
    assert_v3_error(wrong, 401, 10010)
    assert_v3_error(r, 401, 10010)
    assert wrong.json() == r.json()
    assert_v3_error(await client.get(f"{V3}/user", headers=h(token)), 404)


async def test_login_needs_a_valid_token(client, services, project_id) -> None:
    user = await make_user(services, project_id)
    assert_v3_error(await login(client, "gt_nope", user), 403, 10020)
    r = await client.post(f"{V3}/login", json={"userName": user.username, "password": PASSWORD})
    assert_v3_error(r, 403, 10020)


async def test_repeated_wrong_passwords_are_throttled(client, services, project_id) -> None:
    user = await make_user(services, project_id)
    token = await new_token(client)
    for _ in range(5):
        assert_v3_error(await login(client, token, user, password="wrong password"), 401)
    r = await login(client, token, user)  # even the right password, for now
    assert_v3_error(r, 429, 10029)
    assert int(r.headers["Retry-After"]) >= 1
    assert_v3_error(await client.get(f"{V3}/user", headers=h(token)), 404)


@pytest.mark.parametrize(
    ("body", "properties"),
    [
        ({}, {"userName", "password"}),
        ({"userName": "alice"}, {"password"}),
        ({"password": "x"}, {"userName"}),
        ({"userName": "", "password": ""}, {"userName", "password"}),
        ({"userName": 5, "password": ["x"]}, {"userName", "password"}),
        ({"userName": None, "password": True}, {"userName", "password"}),
        ({"userName": "a" * 256, "password": "x"}, {"userName"}),
        ({"userName": "a" * 10_000, "password": "x"}, {"userName"}),
        ({"userName": "alice", "password": "x", "rememberMe": 2}, {"rememberMe"}),
        ({"userName": "alice", "password": "x", "rememberMe": "1"}, {"rememberMe"}),
        ({"userName": "alice", "password": "x", "rememberMe": True}, {"rememberMe"}),
    ],
)
async def test_invalid_values_name_each_property(client, project_id, body, properties) -> None:
    token = await new_token(client)
    r = await client.post(f"{V3}/login", json=body, headers=h(token))
    errors = assert_v3_error(r, 422, 10422)["errors"]
    assert {e["property"] for e in errors} == properties
    assert len(errors) == len(properties)
    assert all(isinstance(e["message"], str) and e["message"] for e in errors)


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b'{"userName": "alice", "password":', "application/json", 400),
        (b'["userName", "password"]', "application/json", 400),
        (b'"just a string"', "application/json", 400),
        (b"x" * (2 * 1024 * 1024), "application/json", 413),
        (b'{"userName": "alice", "password": "secret-secret"}', "text/plain", 415),
        (b"\xff\xfe\x00garbage", "application/json", 400),
    ],
)
async def test_bad_bodies_are_4xx_in_v3_shape(
    client, services, project_id, content, content_type, status
) -> None:
    user = await make_user(services, project_id)
    token = await new_token(client)
    r = await client.post(
        f"{V3}/login", content=content, headers={**h(token), "Content-Type": content_type}
    )
    assert_v3_error(r, status)
    assert_v3_error(await client.get(f"{V3}/user", headers=h(token)), 404)
    assert await services.sessions.list_active(user.id) == []


async def test_non_ascii_user_name_is_just_unknown(client, services, project_id) -> None:
    user = await make_user(services, project_id)
    token = await new_token(client)
    r = await client.post(
        f"{V3}/login", json={"userName": "ålíçé—☃", "password": PASSWORD}, headers=h(token)
    )
    assert_v3_error(r, 401, 10010)
    assert await services.sessions.list_active(user.id) == []


async def test_unknown_paths_and_wrong_methods_use_the_v3_shape(client) -> None:
    assert_v3_error(await client.get("/v3/nothing-here"), 404)
    assert_v3_error(await client.get(f"{V3}/nothing-here"), 404)
    assert_v3_error(await client.get(f"{V3}/login"), 405)
    assert_v3_error(await client.delete(f"{V3}/user"), 405)
