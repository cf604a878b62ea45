"""End to end over a real socket: ``gatehouse serve`` as a subprocess on a free port."""

from __future__ import annotations

import httpx

from tests.live_server import GatehouseServer, gatehouse_server

__all__ = ["gatehouse_server"]


def test_served_process_answers_the_whole_session_lifecycle(
    gatehouse_server: GatehouseServer,
) -> None:
    with httpx.Client(base_url=gatehouse_server.base_url, timeout=10) as http:
        assert http.get("/healthz").json()["status"] == "ok"
        assert http.get("/readyz").json() == {"status": "ok", "checks": {"database": "ok"}}

        created = http.post(
            "/session-storage/session",
            headers=gatehouse_server.headers,
            json={"data": {"subscriber_count": 1, "intent": "e2e"}},
        )
        assert created.status_code == 201
        data = created.json()["data"]
        assert data["ws_url"] == gatehouse_server.ws_url

        who = http.get(
            "/session-storage/session", headers={"Authorization": f"Bearer {data['subscriber'][0]}"}
        )
        assert who.json()["data"]["role"] == "subscriber"
        assert who.json()["data"]["user_id"] == str(gatehouse_server.user_id)

        listed = http.get("/session-storage/sessions", headers=gatehouse_server.headers).json()
        assert data["id"] in [s["id"] for s in listed["data"]]

        assert (
            http.delete(
                f"/session-storage/sessions/{data['id']}", headers=gatehouse_server.headers
            ).status_code
            == 204
        )
        gone = http.get(
            "/session-storage/session", headers={"Authorization": f"Bearer {data['publisher']}"}
        )
        assert gone.status_code == 401

        docs = http.get("/docs/openapi.json")
        assert docs.status_code == 200
        assert "/session-storage/sessions" in docs.json()["paths"]
        page = http.get("/docs")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
