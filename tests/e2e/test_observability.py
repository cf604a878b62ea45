"""Metrics, request ids and JSON logs — and no secret ever in a log line."""

from __future__ import annotations

import json
import logging

from gatehouse.core.models import ApiKeyType
from gatehouse.core.passwords import prehash
from gatehouse.observability import REGISTRY, JsonFormatter
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


async def test_no_secret_ever_reaches_a_log_line(client, services, caplog) -> None:
    caplog.set_level(logging.DEBUG)
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

    lines = [formatter.format(record) for record in caplog.records]
    assert any(json.loads(line).get("route") for line in lines), "no access line was logged"
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
