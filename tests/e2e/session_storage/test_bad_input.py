"""Refused requests: the error shape, the right 4xx, nothing stored, never a 500."""

from __future__ import annotations

import json

import pytest

from ._helpers import DEFAULT_MAX_TTL, P, assert_error, row_counts

MIB = 1024 * 1024
JSON = {"Content-Type": "application/json"}


async def post_raw(api, content: bytes, headers: dict[str, str] = JSON):
    return await api.client.post(
        f"{P}/session", headers={**api.headers, **headers}, content=content
    )


def dumps(value) -> bytes:
    return json.dumps(value).encode()


BAD_CREATE_BODIES = [
    pytest.param(b"{", id="malformed-json"),
    pytest.param(b'{"data": {"intent": "x"}', id="truncated-json"),
    pytest.param(b"{'data': {}}", id="single-quotes"),
    pytest.param(b"\xff\xfe{}", id="not-utf8"),
    pytest.param(b"[]", id="array"),
    pytest.param(b"null", id="null"),
    pytest.param(b'"data"', id="string"),
    pytest.param(b"42", id="number"),
    pytest.param(dumps({"data": 5}), id="data-number"),
    pytest.param(dumps({"data": "x"}), id="data-string"),
    pytest.param(dumps({"data": []}), id="data-array"),
    pytest.param(dumps({"data": {"subscriber_count": 11}}), id="subscribers-11"),
    pytest.param(dumps({"data": {"subscriber_count": -1}}), id="subscribers-negative"),
    pytest.param(dumps({"data": {"subscriber_count": "2"}}), id="subscribers-string"),
    pytest.param(dumps({"data": {"subscriber_count": 2.5}}), id="subscribers-fraction"),
    pytest.param(dumps({"data": {"subscriber_count": True}}), id="subscribers-bool"),
    pytest.param(dumps({"data": {"subscriber_count": None}}), id="subscribers-null"),
    pytest.param(dumps({"data": {"subscriber_count": 10**6}}), id="subscribers-huge"),
    pytest.param(dumps({"data": {"intent": "x" * 201}}), id="intent-201"),
    pytest.param(dumps({"data": {"intent": 5}}), id="intent-number"),
    pytest.param(dumps({"data": {"intent": ["x"]}}), id="intent-array"),
    pytest.param(dumps({"data": {"ttl_seconds": "60"}}), id="ttl-string"),
    pytest.param(dumps({"data": {"ttl_seconds": 1.5}}), id="ttl-fraction"),
    pytest.param(dumps({"data": {"ttl_seconds": [60]}}), id="ttl-array"),
    pytest.param(dumps({"data": {"ttl_seconds": 0}}), id="ttl-0"),
    pytest.param(dumps({"data": {"ttl_seconds": -60}}), id="ttl-negative"),
    pytest.param(dumps({"data": {"ttl_seconds": DEFAULT_MAX_TTL + 1}}), id="ttl-above-max"),
    pytest.param(dumps({"data": {"ttl_seconds": 10**40}}), id="ttl-huge"),
]


@pytest.mark.parametrize("content", BAD_CREATE_BODIES)
async def test_bad_creation_body_is_400_and_stores_nothing(api, services, content) -> None:
    kept = await api.new()

    assert_error(await post_raw(api, content), 400, f"{P}/session")

    assert await api.ids() == [kept["id"]]
    assert (await row_counts(services))[0] == 1


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
async def test_wrong_content_type_with_a_body_is_refused(api, services, content_type) -> None:
    resp = await post_raw(api, dumps({"data": {"intent": "x"}}), {"Content-Type": content_type})
    assert resp.status_code in (400, 415), resp.text
    assert_error(resp, resp.status_code, f"{P}/session")
    assert await api.ids() == []
    assert await row_counts(services) == (0, 0)


async def test_body_over_1_mib_is_413_and_stores_nothing(api, services) -> None:
    content = b'{"data": {"intent": "x"}}' + b" " * MIB
    assert_error(await post_raw(api, content), 413, f"{P}/session")
    assert await row_counts(services) == (0, 0)


async def test_body_of_exactly_1_mib_is_accepted(api) -> None:
    head = b'{"data": {"intent": "x"}}'
    resp = await post_raw(api, head + b" " * (MIB - len(head)))
    assert resp.status_code == 201, resp.text


async def test_ttl_body_over_1_mib_is_413_and_changes_nothing(api, clock) -> None:
    made = await api.new()
    clock.advance(10)
    content = b'{"data": {"ttl_seconds": 60}}' + b" " * MIB
    resp = await api.client.post(
        f"{P}/sessions/{made['id']}", headers={**api.headers, **JSON}, content=content
    )
    assert_error(resp, 413, f"{P}/sessions/{made['id']}")
    got = await api.get_ok(made["id"])
    assert (got["updated_at"], got["expires_at"]) == (made["updated_at"], made["expires_at"])


@pytest.mark.parametrize(
    "path", ["/nope", "/sessions/1.abcdef12.abcdef12/extra", "/session/x", "/"]
)
async def test_unknown_route_is_404_in_the_shape(api, path) -> None:
    for call in (api.client.get, api.client.post):
        assert_error(await call(P + path, headers=api.headers), 404, P + path)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/sessions"),
        ("POST", "/sessions"),
        ("DELETE", "/sessions"),
        ("PATCH", "/sessions/1.abcdef12.abcdef12"),
        ("PUT", "/sessions/1.abcdef12.abcdef12"),
        ("PUT", "/session"),
        ("DELETE", "/session"),
    ],
)
async def test_wrong_method_is_405_in_the_shape(api, services, method, path) -> None:
    made = await api.new()
    resp = await api.client.request(method, P + path, headers=api.headers, json={"data": {}})
    assert_error(resp, 405, P + path)
    assert await api.ids() == [made["id"]]


async def test_intent_with_a_nul_character_is_refused_on_every_backend(api) -> None:
    # PostgreSQL text cannot hold U+0000; both backends refuse it alike as bad input.
    resp = await post_raw(api, b'{"data": {"intent": "a\\u0000b"}}')

    assert_error(resp, 400, P + "/session")
    assert await api.ids() == []


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/sessions", {"GET"}),
        ("PATCH", "/sessions/1.abcdef12.abcdef12", {"GET", "POST", "DELETE"}),
        ("PUT", "/session", {"GET", "POST"}),
    ],
)
async def test_405_names_the_allowed_methods(api, method, path, allowed) -> None:
    resp = await api.client.request(method, P + path, headers=api.headers)
    assert_error(resp, 405, P + path)
    listed = {m.strip().upper() for m in resp.headers.get("Allow", "").split(",") if m.strip()}
    assert listed >= allowed, resp.headers
