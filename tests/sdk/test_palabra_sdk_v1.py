"""The official Palabra Python SDK, 1.0 series, works against Gatehouse unchanged.

What palabra-ai 1.0.x does over HTTP (verified in 1.0.2, palabra_ai/client.py):
- ``Palabra(client_id, client_secret, api_url=...)`` makes no network call;
  ``api_url.rstrip("/")`` is kept.
- ``create_session()`` (a coroutine): ``POST {api_url}/session-storage/session``
  with headers ``ClientID``/``ClientSecret`` and JSON body ``{"data": {}}``
  (httpx, timeout 30 s). Any status < 400 is success and
  ``resp.json()["data"]`` is read with ``.get()`` (id, publisher, ws_url,
  webrtc_url, webrtc_room_name, subscriber; missing ones become ""/()).
  ``ok`` is not checked. 401/403/404 raise ``AuthError``; other 4xx
  ``SessionError``; 5xx and transport errors are retried 3 times, then
  ``SessionError``.
- ``delete_session(id)``: ``DELETE {api_url}/session-storage/sessions/{id}``
  with the same headers; the status is ignored and httpx errors are swallowed.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import os
import re
import uuid

import httpx
import pytest

SDK_SERIES = "1."
RFC3339_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"palabra-ai 1.x SDK is required under CI: {reason}")
    pytest.skip(f"palabra-ai 1.x SDK not usable ({reason}); pip install 'palabra-ai==1.0.2'")


@pytest.fixture(scope="module")
def sdk():
    try:
        version = importlib.metadata.version("palabra-ai")
        import palabra_ai
        from palabra_ai import AuthError, Palabra, Session  # noqa: F401
    except (ImportError, importlib.metadata.PackageNotFoundError) as e:
        _missing(f"import failed: {e!r}")
    if not version.startswith(SDK_SERIES):
        _missing(f"installed palabra-ai is {version}, this test needs the {SDK_SERIES}x series")
    return palabra_ai


@pytest.fixture(autouse=True)
def _no_palabra_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # The SDK falls back to these when credentials are falsy: keep them out.
    monkeypatch.delenv("PALABRA_CLIENT_ID", raising=False)
    monkeypatch.delenv("PALABRA_CLIENT_SECRET", raising=False)


def _sid_pattern(user_id: int) -> re.Pattern[str]:
    return re.compile(rf"^{user_id}\.[0-9a-f]{{8}}\.[0-9a-f]{{8}}$")


def _check_session_body(data: dict, sid: str) -> None:
    assert data["id"] == sid
    for key in ("created_at", "updated_at", "expires_at"):
        assert isinstance(data[key], str) and RFC3339_Z.match(data[key]), (key, data[key])


def _assert_error_body(resp: httpx.Response, status: int) -> None:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json"), resp.headers
    body = resp.json()
    assert body["ok"] is False, body
    assert isinstance(body["error"], str) and body["error"], body
    assert isinstance(body["errors"], list) and body["errors"], body
    assert body["errors"][0]["status"] == status, body


def _whoami(server, token: str) -> httpx.Response:
    # Our extension: who is this bearer token? (no client credentials)
    return httpx.get(
        server.url("/session-storage/session"),
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def _list_ids(server) -> list[str]:
    ids: list[str] = []
    token = None
    for _ in range(50):
        params = {"page_size": 100}
        if token:
            params["page_token"] = token
        resp = httpx.get(
            server.url("/session-storage/sessions"),
            headers=server.headers,
            params=params,
            timeout=10,
        )
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["ok"] is True, body
        ids += [s["id"] for s in body["data"]]
        token = body.get("next_page_token")
        if not token:
            return ids
    raise AssertionError("pagination did not end")


def test_create_read_delete(sdk, gatehouse_server) -> None:
    server = gatehouse_server
    pal = sdk.Palabra(
        client_id=server.client_id, client_secret=server.client_secret, api_url=server.base_url
    )

    first = asyncio.run(pal.create_session())
    second = asyncio.run(pal.create_session())
    try:
        for s in (first, second):
            assert isinstance(s, sdk.Session)
            assert _sid_pattern(server.user_id).match(s.id), s.id
            assert isinstance(s.publisher, str) and s.publisher
            assert s.ws_url == server.ws_url
            assert s.webrtc_url == server.webrtc_url
            assert isinstance(s.webrtc_room_name, str) and s.webrtc_room_name
            assert s.subscriber == ()  # default subscriber_count is 0
        assert first.id != second.id
        assert first.publisher != second.publisher
        assert first.webrtc_room_name != second.webrtc_room_name

        # Read back through the plain API with the client headers.
        resp = httpx.get(
            server.url(f"/session-storage/sessions/{first.id}"), headers=server.headers, timeout=10
        )
        assert resp.status_code == 200, resp.text
        assert resp.headers["content-type"].startswith("application/json"), resp.headers
        body = resp.json()
        assert body["ok"] is True, body
        _check_session_body(body["data"], first.id)
        # Extra keys are allowed; when the API shows these, they must agree.
        for key in ("ws_url", "webrtc_url", "webrtc_room_name"):
            if key in body["data"]:
                assert body["data"][key] == getattr(first, key), (key, body["data"])
        assert "publisher" not in body["data"], "the publisher token is shown only at creation"

        # The publisher token the SDK got is this session's bearer token.
        who = _whoami(server, first.publisher)
        assert who.status_code == 200, who.text
        wdata = who.json()["data"]
        assert wdata["id"] == first.id
        assert wdata["role"] == "publisher"
        assert wdata["user_id"] == str(server.user_id)

        ids = _list_ids(server)
        assert first.id in ids and second.id in ids

        # Delete through the SDK (it ignores the answer, so check the API).
        assert asyncio.run(pal.delete_session(first.id)) is None
        gone = httpx.get(
            server.url(f"/session-storage/sessions/{first.id}"), headers=server.headers, timeout=10
        )
        _assert_error_body(gone, 404)
        assert _whoami(server, first.publisher).status_code == 401
        ids = _list_ids(server)
        assert first.id not in ids and second.id in ids

        # The other session is untouched.
        still = httpx.get(
            server.url(f"/session-storage/sessions/{second.id}"), headers=server.headers, timeout=10
        )
        assert still.status_code == 200, still.text
    finally:
        for s in (first, second):
            asyncio.run(pal.delete_session(s.id))
    gone = httpx.get(
        server.url(f"/session-storage/sessions/{second.id}"), headers=server.headers, timeout=10
    )
    _assert_error_body(gone, 404)


def test_trailing_slash_api_url(sdk, gatehouse_server) -> None:
    server = gatehouse_server
    pal = sdk.Palabra(server.client_id, server.client_secret, api_url=server.base_url + "/")
    s = asyncio.run(pal.create_session())
    try:
        assert _sid_pattern(server.user_id).match(s.id), s.id
    finally:
        asyncio.run(pal.delete_session(s.id))
    resp = httpx.get(
        server.url(f"/session-storage/sessions/{s.id}"), headers=server.headers, timeout=10
    )
    _assert_error_body(resp, 404)


@pytest.mark.parametrize("which", ["wrong-secret", "unknown-client"])
def test_wrong_credentials(sdk, gatehouse_server, which: str) -> None:
    server = gatehouse_server
    if which == "wrong-secret":
        bad = sdk.Palabra(server.client_id, server.client_secret + "x", api_url=server.base_url)
    else:
        bad = sdk.Palabra(f"nope-{uuid.uuid4().hex}", server.client_secret, api_url=server.base_url)

    # Gatehouse answers 401 (the original: 404); the SDK maps it to AuthError.
    with pytest.raises(sdk.AuthError) as exc_info:
        asyncio.run(bad.create_session())
    assert "(401)" in str(exc_info.value), str(exc_info.value)

    # The same answer on the wire for every call, whether the ClientID exists or not.
    for method, path in (
        ("POST", "/session-storage/session"),
        ("GET", "/session-storage/sessions"),
        ("GET", "/session-storage/sessions/1.00000000.00000000"),
    ):
        resp = httpx.request(
            method,
            server.url(path),
            headers={"ClientID": bad.client_id, "ClientSecret": bad.client_secret},
            timeout=10,
        )
        _assert_error_body(resp, 401)

    # A wrong-credentials delete through the SDK (which swallows errors) deletes nothing.
    good = sdk.Palabra(server.client_id, server.client_secret, api_url=server.base_url)
    s = asyncio.run(good.create_session())
    try:
        asyncio.run(bad.delete_session(s.id))
        resp = httpx.get(
            server.url(f"/session-storage/sessions/{s.id}"), headers=server.headers, timeout=10
        )
        assert resp.status_code == 200, resp.text
    finally:
        asyncio.run(good.delete_session(s.id))

    # The server still answers.
    assert httpx.get(server.url("/healthz"), timeout=10).status_code == 200
    assert server.process.poll() is None, server.stderr_tail()
    _list_ids(server)


def test_header_names_are_case_insensitive(gatehouse_server) -> None:
    # The SDKs send ClientID/ClientSecret; other clients send ClientId or lowercase.
    server = gatehouse_server
    for hid, hsec in (
        ("ClientId", "ClientSecret"),
        ("clientid", "clientsecret"),
        ("CLIENTID", "CLIENTSECRET"),
    ):
        resp = httpx.get(
            server.url("/session-storage/sessions"),
            headers={hid: server.client_id, hsec: server.client_secret},
            timeout=10,
        )
        assert resp.status_code == 200, (hid, resp.text)
