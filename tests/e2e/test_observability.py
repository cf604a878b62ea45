"""Metrics, request ids and JSON logs — and no secret ever in a log line."""

from __future__ import annotations

import asyncio
import json
import logging
import time

from gatehouse.core.models import ApiKeyType
from gatehouse.core.passwords import prehash
from gatehouse.observability import ACCESS, REGISTRY, JsonFormatter, LineWriter
from gatehouse.services.accounts import NewUser
from tests.helpers import make_tenant

PASSWORD = "observability password"


def sign_ins(outcome: str) -> float:
    labels = {"method": "password", "outcome": outcome}
    return REGISTRY.get_sample_value("gatehouse_sign_ins_total", labels) or 0.0


async def test_metrics_count_requests_latency_and_sign_ins(client, services) -> None:
    before = sign_ins("success"), sign_ins("failure")
    tenant = await make_tenant(services)
    await services.accounts.create_user(
        tenant.project_id, NewUser(username="m", email="m@example.com", password=PASSWORD)
    )
    _, public = await services.projects.create_api_key(tenant.project_id, ApiKeyType.PUBLIC)
    await client.post("/session-storage/session", headers=tenant.headers)
    await client.get("/session-storage/sessions/1.00000000.00000000", headers=tenant.headers)
    body = {"emailAddress": "m@example.com", "passwordHash": prehash(PASSWORD)}
    assert (
        await client.put("/v1/authenticate", headers={"X-API-Key": public}, json=body)
    ).is_success
    body["passwordHash"] = prehash("wrong")
    await client.put("/v1/authenticate", headers={"X-API-Key": public}, json=body)

    text = (await client.get("/metrics")).text
    assert (
        'gatehouse_http_requests_total{method="POST",route="/session-storage/session",status="201"}'
        in text
    )
    assert 'route="/session-storage/sessions/{session_id}",status="404"' in text
    assert (
        'gatehouse_http_request_duration_seconds_bucket{le="0.005",route="/v1/authenticate"}'
        in (text)
    )
    assert (sign_ins("success"), sign_ins("failure")) == (before[0] + 1, before[1] + 1)
    assert 'gatehouse_sign_ins_total{method="password",outcome="success"}' in text
    assert "gatehouse_active_sessions" in text


async def test_request_id_is_echoed_or_minted(client) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "trace-42"})
    assert given.headers["x-request-id"] == "trace-42"
    minted = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith junk"})
    assert minted.headers["x-request-id"] != "bad id\twith junk"
    assert len(minted.headers["x-request-id"]) == 16


async def test_no_secret_ever_reaches_a_log_line(client, services, caplog, monkeypatch) -> None:
    caplog.set_level(logging.DEBUG)
    written: list[bytes] = []
    writer = LineWriter(written.append)
    monkeypatch.setattr(ACCESS, "writer", writer)
    formatter = JsonFormatter()
    secrets: list[str] = []

    tenant = await make_tenant(services)
    secrets.append(tenant.client_secret)
    user = await services.accounts.create_user(
        tenant.project_id, NewUser(username="s", email="s@example.com", password=PASSWORD)
    )
    secrets += [PASSWORD, prehash(PASSWORD)]
    enrolment = await services.credentials.enable_totp(user.id)
    secrets += [enrolment.secret, *enrolment.recovery_codes]
    _, public = await services.projects.create_api_key(tenant.project_id, ApiKeyType.PUBLIC)
    secrets.append(public)

    created = (await client.post("/session-storage/session", headers=tenant.headers)).json()
    secrets.append(created["data"]["publisher"])
    await client.get(
        "/session-storage/session",
        headers={"Authorization": f"Bearer {created['data']['publisher']}"},
    )
    await client.get("/session-storage/sessions", headers={**tenant.headers, "ClientSecret": "x"})
    body = {"emailAddress": "s@example.com", "passwordHash": prehash(PASSWORD)}
    await client.put("/v1/authenticate", headers={"X-API-Key": public}, json=body)
    token = (await client.post("/v3/session/token")).json()["token"]
    secrets.append(token)
    await client.post(
        "/v3/session/login",
        headers={"PRIVATE-TOKEN": token},
        json={"userName": "s", "password": PASSWORD},
    )
    await client.post(
        "/v3/session/login/otp", headers={"PRIVATE-TOKEN": token}, json={"otp": "000000"}
    )

    writer.flush()
    access = b"".join(written).decode().splitlines()
    assert len(access) == 7, "one access line per request"
    assert all(json.loads(line)["route"] for line in access)
    lines = [formatter.format(record) for record in caplog.records] + access
    for line in lines:
        for secret in secrets:
            assert secret not in line, f"a secret leaked into a log line: {line}"


async def test_a_crash_is_logged_with_the_route_template_not_the_raw_path(
    client, services, caplog, monkeypatch
) -> None:
    """Path segments can carry ids a caller treats as secret: the crash line names
    the route, as the access line does."""
    tenant = await make_tenant(services)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("injected failure")

    monkeypatch.setattr(services.sessions, "get_owned", broken)
    caplog.set_level(logging.DEBUG)
    raw = "1.c0ffee00.SECRETLOOKINGSEGMENT"
    answer = await client.get(f"/session-storage/sessions/{raw}", headers=tenant.headers)
    assert answer.status_code == 500

    crashes = [r for r in caplog.records if r.name == "gatehouse.errors"]
    assert crashes, "the crash was not logged"
    formatter = JsonFormatter()
    assert "/session-storage/sessions/{session_id}" in formatter.format(crashes[-1])
    for record in caplog.records:
        if record.name.startswith("gatehouse"):  # not the test client's own lines
            assert "SECRETLOOKINGSEGMENT" not in formatter.format(record)


async def test_the_access_line_names_the_route_never_the_path_or_query(
    client, services, monkeypatch
) -> None:
    written: list[bytes] = []
    writer = LineWriter(written.append)
    monkeypatch.setattr(ACCESS, "writer", writer)
    tenant = await make_tenant(services)
    raw = "1.c0ffee00.SECRETLOOKINGSEGMENT"
    answer = await client.get(
        f"/session-storage/sessions/{raw}?page_token=QUERYSECRET",
        headers={**tenant.headers, "X-Request-ID": "trace-7"},
    )
    assert answer.status_code == 404
    await client.get("/healthz")
    writer.flush()
    first, second = (json.loads(line) for line in b"".join(written).decode().splitlines())
    assert first == {
        "ts": first["ts"],
        "level": "info",
        "logger": "gatehouse.access",
        "msg": "request",
        "request_id": "trace-7",
        "method": "GET",
        "route": "/session-storage/sessions/{session_id}",
        "status": 404,
        "duration_ms": first["duration_ms"],
    }
    assert first["duration_ms"] > 0 and abs(first["ts"] - time.time()) < 60
    assert second["route"] == "/healthz" and second["status"] == 200
    text = b"".join(written).decode()
    assert "SECRETLOOKINGSEGMENT" not in text and "QUERYSECRET" not in text


def test_the_writer_batches_lines_and_writes_them_on_flush() -> None:
    written: list[bytes] = []
    writer = LineWriter(written.append, limit=100)
    writer.write(b"one\n")  # no event loop in this thread: written at once
    assert written == [b"one\n"]


async def test_the_writer_flushes_on_its_timer_and_when_full() -> None:
    written: list[bytes] = []
    writer = LineWriter(written.append, interval=0.01, limit=100)
    writer.write(b"a\n")
    writer.write(b"b\n")
    assert written == []  # buffered
    await asyncio.sleep(0.05)
    assert written == [b"a\nb\n"]  # one write for the batch
    writer.write(b"x" * 100)
    assert written[-1] == b"x" * 100  # full: written at once
