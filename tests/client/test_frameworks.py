"""The token verifier in a game back-end: the ASGI middleware, the FastAPI
dependency and the Litestar dependency and guard, each in a tiny app served by
httpx's ASGITransport, checking tokens against the real server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar, get
from litestar import Request as LitestarRequest
from litestar.di import NamedDependency

from gatehouse_client import AsyncSessionStorageClient, AsyncTokenVerifier, Identity, NewSession
from gatehouse_client.asgi import GatehouseMiddleware
from gatehouse_client.litestar import identity_dependency as litestar_identity
from gatehouse_client.litestar import identity_guard
from tests.client._fastapi_app import make_app as make_fastapi_app
from tests.client._support import Wire
from tests.client.conftest import Live

NOWHERE = "http://127.0.0.1:9"


@pytest.fixture
async def session(live: Live) -> AsyncIterator[NewSession]:
    async with AsyncSessionStorageClient(live.base_url, live.client_id, live.client_secret) as ss:
        created = await ss.create_session()
        yield created
        await ss.delete_session(created.id)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def serve(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://game")


async def echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A bare ASGI app: who the middleware said the caller is."""
    found = scope.get("gatehouse")
    state = scope.get("state", {}).get("gatehouse")
    body = json.dumps({"user": found.user_id if found else None, "same": found is state}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


async def test_the_middleware_admits_only_valid_tokens(live: Live, session: NewSession) -> None:
    async with AsyncTokenVerifier(live.base_url) as verifier:
        app = GatehouseMiddleware(echo, verifier, exempt_paths=["/healthz", "/public/"])
        async with serve(app) as http:
            ok = await http.get("/play", headers=bearer(session.publisher))
            assert ok.status_code == 200
            assert ok.json() == {"user": session.id.split(".")[0], "same": True}

            missing = await http.get("/play")
            assert missing.status_code == 401 and missing.json()["error"] == "missing_token"
            assert missing.headers["www-authenticate"] == "Bearer"
            wrong = await http.get("/play", headers=bearer("gs_" + "n" * 43))
            assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_token"
            assert wrong.headers["content-type"] == "application/json"

            for exempt in ("/healthz", "/public/", "/public/logo.png"):
                assert (await http.get(exempt)).json()["user"] is None
            assert (await http.get("/healthz/x")).status_code == 401

    async with (
        AsyncTokenVerifier(NOWHERE) as unreachable,
        serve(GatehouseMiddleware(echo, unreachable)) as http,
    ):
        down = await http.get("/play", headers=bearer(session.publisher))
        assert down.status_code == 503 and down.json()["error"] == "verifier_unavailable"


async def test_the_fastapi_dependency(live: Live, session: NewSession) -> None:
    wire = Wire()
    async with AsyncTokenVerifier(live.base_url, http=wire.async_http()) as verifier:
        app = make_fastapi_app(verifier)
        async with serve(app) as http:
            ok = await http.get("/me", headers=bearer(session.publisher))
            assert ok.status_code == 200
            assert ok.json() == {"user": session.id.split(".")[0], "session": session.id}
            refused = await http.get("/me", headers=bearer("gs_" + "f" * 43))
            assert refused.status_code == 401
            assert refused.json()["detail"]["error"] == "invalid_token"
            assert refused.headers["www-authenticate"] == 'Bearer error="invalid_token"'
            assert (await http.get("/me")).status_code == 401

        # Behind the middleware, the dependency takes the middleware's identity.
        app = make_fastapi_app(verifier)
        app.add_middleware(GatehouseMiddleware, verifier=verifier)
        verifier.cache.clear()
        before = len(wire.requests)
        async with serve(app) as http:
            shown = await http.get("/state", headers=bearer(session.publisher))
            assert shown.json() == {"same": True}
        assert len(wire.requests) == before + 1


async def test_the_litestar_dependency_and_guard(live: Live, session: NewSession) -> None:
    async with AsyncTokenVerifier(live.base_url) as verifier:

        @get("/me", dependencies={"identity": litestar_identity(verifier)})
        async def me(identity: NamedDependency[Identity]) -> dict[str, str | None]:
            return {"user": identity.user_id, "session": identity.session_id}

        @get("/guarded", guards=[identity_guard(verifier)])
        async def guarded(request: LitestarRequest[Any, Any, Any]) -> dict[str, str]:
            return {"user": request.state.gatehouse.user_id}

        async with serve(Litestar([me, guarded])) as http:
            ok = await http.get("/me", headers=bearer(session.publisher))
            assert ok.status_code == 200, ok.text
            assert ok.json() == {"user": session.id.split(".")[0], "session": session.id}
            assert (await http.get("/me", headers=bearer("gs_" + "l" * 43))).status_code == 401

            passed = await http.get("/guarded", headers=bearer(session.publisher))
            assert passed.status_code == 200 and passed.json()["user"] == ok.json()["user"]
            stopped = await http.get("/guarded")
            assert stopped.status_code == 401
            assert stopped.headers["www-authenticate"] == "Bearer"

    async with AsyncTokenVerifier(NOWHERE) as unreachable:

        @get("/down", guards=[identity_guard(unreachable)])
        async def down() -> None:
            raise AssertionError("the guard must stop the request")

        async with serve(Litestar([down])) as http:
            assert (await http.get("/down", headers=bearer(session.publisher))).status_code == 503
