"""Malformed requests are 4xx in the HiveMPSystemError shape, never 500; every
route under /v1 renders errors that way."""

from __future__ import annotations

import pytest

from gatehouse.api.user_session_v1.errors import STATUS
from gatehouse.core.errors import ErrorCode

from ._support import Hive, steam_body

A = "/v1/authenticate"


def assert_hive_error(r, status: int, field: str | None = "any") -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"code", "message", "fields", "data"}
    assert isinstance(body["code"], int) and not 6000 <= body["code"] <= 6999
    if field != "any":
        assert body["fields"] == field
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{", None),
        (b"[]", "any"),
        (b"42", "any"),
        (b'{"emailAddress": 5}', "emailAddress"),
        (b'{"promptForProject": "yes"}', "promptForProject"),
        (b'{"tokens": {"steamTokens": "deadbeef"}}', "tokens.steamTokens"),
        (b'{"tokens": {"steamTokens": [{"userTicket": 7}]}}', "any"),
        (b'{"twoFactor": []}', "twoFactor"),
        (b'{"passwordHash": "PLAINTEXT"}', "passwordHash"),
        (b'{"emailAddress": "no-at-sign", "passwordHash": null}', "emailAddress"),
        (b'{"requestedRole": "builtin:root"}', "requestedRole"),
        (b'{"projectId": "abc"}', "projectId"),
    ],
)
async def test_malformed_bodies_are_400(client, hive: Hive, body: bytes, field) -> None:
    r = await client.put(A, headers={**hive.h(), "Content-Type": "application/json"}, content=body)
    assert_hive_error(r, 400, field)


async def test_unknown_fields_and_other_token_lists_are_ignored(client, hive: Hive) -> None:
    body = {"whatever": 1, "tokens": {"discordTokens": [{"x": 1}], "itchIoTokens": []}}
    r = await client.put(A, headers=hive.h(), json=body)
    assert r.status_code == 200 and r.json()["promptForEmailAddress"] is True


@pytest.mark.parametrize(
    "tickets",
    [["zz" * 10], ["ab" * 5000], [""], ["deadbeef"] * 500, ["0g"]],
)
async def test_bad_steam_tickets_are_400_before_steam_is_asked(
    client, hive: Hive, steam, tickets
) -> None:
    r = await client.put(A, headers=hive.h(), json=steam_body(*tickets))
    body = assert_hive_error(r, 400)
    assert body["fields"] == "tokens.steamTokens"
    assert steam.requests == []


async def test_huge_body_is_413(client, hive: Hive) -> None:
    r = await client.put(A, headers=hive.h(), json={"emailAddress": "a" * (2 * 1024 * 1024)})
    assert_hive_error(r, 413)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/nope", 404),
        ("PATCH", "/v1/session", 405),
        ("GET", "/v1/authenticate", 405),
        ("GET", "/v1", 404),
    ],
)
async def test_framework_errors_use_the_hivemp_shape(client, method, path, status) -> None:
    r = await client.request(method, path)
    assert_hive_error(r, status)


async def test_bad_session_id_query(client, hive: Hive) -> None:
    r = await client.get("/v1/session", params={"id": "x" * 500}, headers=hive.h("server"))
    assert_hive_error(r, 400, "id")


def test_every_error_code_has_a_row_and_only_two_use_6000s() -> None:
    assert set(STATUS) == set(ErrorCode)
    retryable = {c: v for c, v in STATUS.items() if 6000 <= v[1] <= 6999}
    assert retryable == {
        ErrorCode.UPSTREAM_UNAVAILABLE: (502, 6001),
        ErrorCode.STORAGE_UNAVAILABLE: (503, 6001),
        ErrorCode.RATE_LIMITED: (429, 6002),
    }
