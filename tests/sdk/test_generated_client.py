"""A client generated from the served OpenAPI document works through every surface.

People generate clients from ``/docs/openapi.json``; openapi-python-client (with
``--fail-on-warning``, so a skipped operation, a model dropped for a title clash or
an answer left out fails here) generates one into a temporary directory, and its
typed functions make a round trip through each surface against the in-process app.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from gatehouse.app import create_app
from gatehouse.core.models import ApiKeyType
from gatehouse.core.passwords import prehash
from gatehouse.services.accounts import NewUser
from gatehouse.settings import Settings
from gatehouse.wiring import Services
from tests.helpers import CALLER

PACKAGE = "gatehouse_generated_client"
PASSWORD = "correct horse battery staple"
EMAIL = "gen@example.com"


@pytest.fixture
async def http(settings: Settings, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, services)
    transport = httpx.ASGITransport(app=app, client=CALLER)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=transport, base_url="http://gatehouse") as client,
    ):
        yield client


@pytest.fixture
def generated(tmp_path: Path) -> Iterator[Any]:
    """Generates the client from the document in ``tmp_path/openapi.json``, imports it."""

    def generate(document: dict[str, Any]) -> ModuleType:
        path = tmp_path / "openapi.json"
        path.write_text(json.dumps(document))
        command = [
            *(sys.executable, "-m", "openapi_python_client", "generate"),
            *("--path", str(path), "--output-path", str(tmp_path / PACKAGE)),
            *("--meta", "none", "--fail-on-warning"),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
        assert "warning" not in (done.stdout + done.stderr).lower(), done.stdout + done.stderr
        sys.path.insert(0, str(tmp_path))
        importlib.invalidate_caches()
        return importlib.import_module(PACKAGE)

    yield generate
    sys.path.remove(str(tmp_path)) if str(tmp_path) in sys.path else None
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def _api(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.api.{name}")


async def test_a_generated_client_round_trips_through_every_surface(
    http: httpx.AsyncClient, services: Services, generated: Any
) -> None:
    document = (await http.get("/docs/openapi.json")).json()
    client_pkg = generated(document)
    models = importlib.import_module(f"{PACKAGE}.models")
    client = client_pkg.AuthenticatedClient(base_url="http://gatehouse", token="")
    client.set_async_httpx_client(http)

    project = await services.projects.create("generated")
    user = await services.accounts.create_user(
        project.id, NewUser(username="gen-alice", email=EMAIL, password=PASSWORD)
    )
    app_client, secret = await services.projects.create_client(user.id, "generated")
    _, public_key = await services.projects.create_api_key(project.id, ApiKeyType.PUBLIC)
    credentials = {"client_id": app_client.id, "client_secret": secret}

    # Session Storage: create, get, list, delete (ClientID / ClientSecret).
    ss = "session_storage"
    create = _api(f"{ss}.session_storage_create_session")
    body = models.NewSessionRequest(data=models.NewSessionRequestData(ttl_seconds=3600))
    created = await create.asyncio(client=client, body=body, **credentials)
    assert isinstance(created, models.NewSessionEnvelope), created
    session_id = created.data.id
    assert created.ok is True and created.data.publisher.startswith("gs_")
    get = _api(f"{ss}.session_storage_sessions_session_id_get_session")
    one = await get.asyncio(session_id, client=client, **credentials)
    assert isinstance(one, models.SessionEnvelope) and one.data.id == session_id, one
    listed = _api(f"{ss}.session_storage_sessions_list_sessions")
    page = await listed.asyncio(client=client, page_size=10, **credentials)
    assert isinstance(page, models.SessionListEnvelope), page
    assert [s.id for s in page.data] == [session_id] and page.next_page_token is None
    delete = _api(f"{ss}.session_storage_sessions_session_id_delete_session")
    gone = await delete.asyncio_detailed(session_id, client=client, **credentials)
    assert gone.status_code == 204
    missing = await get.asyncio(session_id, client=client, **credentials)
    assert isinstance(missing, models.SessionStorageErrorBody), missing
    assert missing.errors[0].status == 404

    # User Session API v1: password sign-in, then the session with its own apiKey.
    v1 = "user_session_api_v_1"
    authenticate = _api(f"{v1}.v1_authenticate_authenticate")
    request = models.AuthenticationRequest(email_address=EMAIL, password_hash=prehash(PASSWORD))
    signed_in = await authenticate.asyncio(client=client, body=request, x_api_key=public_key)
    assert isinstance(signed_in, models.AuthenticationResponse), signed_in
    hive = signed_in.authenticated_session
    assert isinstance(hive, models.UserSessionWithSecrets), signed_in
    assert hive.account_id == str(user.id) and hive.api_key.startswith("gs_")
    session = _api(f"{v1}.v1_session_get_session")
    own = await session.asyncio(client=client, x_api_key=hive.api_key)
    assert isinstance(own, models.UserSession), own
    assert own.id == hive.id and own.expiry > own.start
    wrong = await authenticate.asyncio(
        client=client,
        body=models.AuthenticationRequest(email_address=EMAIL, password_hash=prehash("nope")),
        x_api_key=public_key,
    )
    assert isinstance(wrong, models.HiveMPSystemError) and wrong.code == 1002, wrong

    # Account session API v3: a device token, log in, the user, log out.
    v3 = "account_session_api_v_3"
    token = await _api(f"{v3}.v3_session_token_new_token").asyncio(
        client=client, x_api_key=public_key
    )
    assert isinstance(token, models.NewToken) and token.expires_at > 0, token
    login = _api(f"{v3}.v3_session_login_login")
    auth = await login.asyncio(
        client=client,
        body=models.SessionLogin(user_name="gen-alice", password=PASSWORD),
        private_token=token.token,
    )
    assert isinstance(auth, models.SessionAuthReq) and auth.requires_otp is False, auth
    who = _api(f"{v3}.v3_session_user_session_user")
    me = await who.asyncio(client=client, private_token=token.token)
    assert isinstance(me, models.SessionUser), me
    assert (me.user_id, me.user_name, me.email) == (user.id, "gen-alice", EMAIL)
    assert me.details.email_address == EMAIL
    logout = _api(f"{v3}.v3_session_logout_logout")
    out = await logout.asyncio_detailed(client=client, private_token=token.token)
    assert out.status_code == 204
    after = await who.asyncio(client=client, private_token=token.token)
    assert isinstance(after, models.AccountErrorBody) and after.error_code == 10001, after
