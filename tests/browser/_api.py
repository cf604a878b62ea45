"""The player's sessions on the other surfaces (account API v3, Session Storage),
made over HTTP next to the browser's: what the account pages must list and end."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from ._support import Player, Server

V3 = "/v3/session"


def _http(server: Server) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, timeout=15)


def v3_login(server: Server, player: Player, password: str | None = None) -> str:
    """A ``PRIVATE-TOKEN`` logged in as ``player`` (a v3 session of theirs)."""
    with _http(server) as http:
        made = http.post(f"{V3}/token")
        assert made.status_code == 201, made.text
        token = str(made.json()["token"])
        body = {"userName": player.username, "password": password or player.password}
        r = http.post(f"{V3}/login", json=body, headers={"PRIVATE-TOKEN": token})
        assert r.status_code == 200, r.text
        if r.json().get("requiresOtp"):
            r = http.post(
                f"{V3}/login/otp", json={"otp": player.code()}, headers={"PRIVATE-TOKEN": token}
            )
            assert r.status_code == 204, r.text
    return token


def v3_user(server: Server, token: str) -> httpx.Response:
    """``GET /v3/session/user``: 200 with the user while the session lives, 404 after."""
    with _http(server) as http:
        return http.get(f"{V3}/user", headers={"PRIVATE-TOKEN": token})


@dataclass
class StorageSession:
    id: str
    bearer: str


def storage_session(server: Server, player: Player) -> StorageSession:
    """A Session Storage session of ``player``, made by a client application of
    theirs (``gatehouse client create``)."""
    client = server.cli_json("client", "create", "--user", str(player.id), "--json")
    headers = {"ClientID": client["client_id"], "ClientSecret": client["client_secret"]}
    with _http(server) as http:
        r = http.post("/session-storage/session", headers=headers)
        assert r.status_code == 201, r.text
        data = r.json()["data"]
    return StorageSession(str(data["id"]), str(data["publisher"]))


def storage_alive(server: Server, session: StorageSession) -> bool:
    """Does the Session Storage session still work (its token answers 200, 401 once ended)?"""
    with _http(server) as http:
        r = http.get(
            "/session-storage/session", headers={"Authorization": f"Bearer {session.bearer}"}
        )
    assert r.status_code in (200, 401), r.text
    return r.status_code == 200
