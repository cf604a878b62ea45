"""``gatehouse serve`` as deployed: one JSON access line per request on stderr, and
none lost when the process is asked to stop (SIGTERM)."""

from __future__ import annotations

import json
import signal

import httpx

from tests.live_server import GatehouseServer, gatehouse_server

__all__ = ["gatehouse_server"]


def test_every_request_has_its_access_line_after_sigterm(
    gatehouse_server: GatehouseServer,
) -> None:
    with httpx.Client(base_url=gatehouse_server.base_url, timeout=10) as http:
        for i in range(50):
            answer = http.get(
                "/session-storage/sessions?page_size=5",
                headers={**gatehouse_server.headers, "X-Request-ID": f"line-{i}"},
            )
            assert answer.status_code == 200
    proc = gatehouse_server.process
    proc.send_signal(signal.SIGTERM)
    # uvicorn re-raises the signal once it has shut down gracefully.
    assert proc.wait(timeout=15) in (0, -signal.SIGTERM)
    lines = [
        json.loads(line)
        for line in gatehouse_server.stderr_path.read_text().splitlines()
        if line.startswith("{")
    ]
    access = [line for line in lines if line.get("logger") == "gatehouse.access"]
    ids = {line["request_id"] for line in access}
    assert {f"line-{i}" for i in range(50)} <= ids, "an access line was lost at shutdown"
    ours = [line for line in access if line["request_id"].startswith("line-")]
    assert {line["route"] for line in ours} == {"/session-storage/sessions"}
    assert all(line["status"] == 200 and line["method"] == "GET" for line in ours)
    assert "page_size" not in gatehouse_server.stderr_path.read_text()
