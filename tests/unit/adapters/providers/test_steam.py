"""SteamClient over real HTTP against tests/fakes/steam_server.py, plus MockTransport cases."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest

from gatehouse.adapters.providers.steam import MAX_TICKET_HEX_LENGTH, SteamClient
from gatehouse.core.errors import InvalidCredentials, InvalidInput, UpstreamUnavailable
from tests.fakes.steam_server import FakeSteam

TICKET = "14000000f8b5dbd6ffffffffd938850b01001001"
STEAMID = "76561197960287930"
KEY = "s3cr3t-publisher-key-0123456789"
APP_ID = 480


@pytest.fixture
def steam() -> Iterator[FakeSteam]:
    with FakeSteam(tickets={TICKET: STEAMID}, web_api_key=KEY, app_id=APP_ID) as fake:
        yield fake


@pytest.fixture
async def client(steam: FakeSteam) -> AsyncIterator[SteamClient]:
    c = SteamClient(steam.base_url, timeout=2.0, retries=2, backoff=0)
    yield c
    await c.aclose()


async def auth(
    client: SteamClient, ticket: str = TICKET, *, key: str = KEY, app_id: int = APP_ID
) -> str:
    return await client.authenticate_ticket(app_id=app_id, web_api_key=key, ticket_hex=ticket)


async def test_valid_ticket_returns_steamid(client: SteamClient, steam: FakeSteam) -> None:
    assert await auth(client) == STEAMID
    [request] = steam.requests
    assert request.path == "/ISteamUserAuth/AuthenticateUserTicket/v1/"
    assert request.query == {"key": KEY, "appid": str(APP_ID), "ticket": TICKET}


async def test_uppercase_hex_ticket_accepted(client: SteamClient) -> None:
    assert await auth(client, TICKET.upper()) == STEAMID


async def test_invalid_ticket(client: SteamClient, steam: FakeSteam) -> None:
    with pytest.raises(InvalidCredentials) as info:
        await auth(client, "abcdef0123")
    assert info.value.field == "tokens.steamTokens"
    assert len(steam.requests) == 1


async def test_wrong_key_is_upstream_config_problem(client: SteamClient, steam: FakeSteam) -> None:
    with pytest.raises(UpstreamUnavailable) as info:
        await auth(client, key="wrong-key-value")
    assert "web API key" in info.value.message
    assert "wrong-key-value" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__context__ is None
    assert len(steam.requests) == 1  # 4xx: no retry


async def test_wrong_app_id(client: SteamClient, steam: FakeSteam) -> None:
    with pytest.raises(InvalidCredentials):
        await auth(client, app_id=APP_ID + 1)
    assert len(steam.requests) == 1


async def test_timeout_not_retried(steam: FakeSteam) -> None:
    steam.mode = "timeout"
    steam.delay = 3.0
    async with SteamClient(steam.base_url, timeout=0.2, retries=2, backoff=0) as c:
        with pytest.raises(UpstreamUnavailable, match="timed out"):
            await auth(c)
    assert len(steam.requests) == 1


async def test_garbage_body(client: SteamClient, steam: FakeSteam) -> None:
    steam.mode = "garbage"
    with pytest.raises(UpstreamUnavailable, match="not JSON"):
        await auth(client)
    assert len(steam.requests) == 1


async def test_retry_on_5xx_then_success(client: SteamClient, steam: FakeSteam) -> None:
    steam.mode = "5xx-then-ok"
    steam.fail_first = 2
    assert await auth(client) == STEAMID
    assert len(steam.requests) == 3


async def test_5xx_exhausts_retries(client: SteamClient, steam: FakeSteam) -> None:
    steam.mode = "5xx-then-ok"
    steam.fail_first = 10
    with pytest.raises(UpstreamUnavailable, match="HTTP 503"):
        await auth(client)
    assert len(steam.requests) == 3  # first try + 2 retries


async def test_no_retry_on_4xx(steam: FakeSteam) -> None:
    async with SteamClient(steam.base_url + "/nowhere", retries=5, backoff=0) as c:
        with pytest.raises(UpstreamUnavailable, match="HTTP 404"):
            await auth(c)
    assert len(steam.requests) == 1


@pytest.mark.parametrize(
    "ticket",
    [
        "",
        "xyz",
        "00 11",
        "0x1234",
        "\uff11\uff12\uff13\uff14",  # full-width digits: str.isdigit() would say yes
        "ab\n",
        "a" * (MAX_TICKET_HEX_LENGTH + 1),
        "ab&key=other",
    ],
)
async def test_bad_ticket_rejected_before_any_request(
    client: SteamClient, steam: FakeSteam, ticket: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        await auth(client, ticket)
    assert info.value.field == "tokens.steamTokens"
    assert steam.requests == []


async def test_longest_allowed_ticket_is_sent(client: SteamClient, steam: FakeSteam) -> None:
    with pytest.raises(InvalidCredentials):
        await auth(client, "a" * MAX_TICKET_HEX_LENGTH)
    assert len(steam.requests) == 1


@pytest.mark.parametrize(("app_id", "key"), [(0, KEY), (-1, KEY), (APP_ID, "")])
async def test_unconfigured_project_fails_without_request(
    client: SteamClient, steam: FakeSteam, app_id: int, key: str
) -> None:
    with pytest.raises(UpstreamUnavailable, match="not configured"):
        await auth(client, app_id=app_id, key=key)
    assert steam.requests == []


async def test_connection_refused_retried_then_unavailable() -> None:
    with socket.socket() as s:  # grab a free port, then close it: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    calls = 0

    class Counting(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            nonlocal calls
            calls += 1
            return await super().handle_async_request(request)

    async with SteamClient(
        f"http://127.0.0.1:{port}", retries=2, backoff=0, transport=Counting()
    ) as c:
        with pytest.raises(UpstreamUnavailable, match="unreachable") as info:
            await auth(c)
    assert calls == 3
    assert KEY not in str(info.value) and info.value.__cause__ is None


async def test_key_redacted_from_httpx_log(
    client: SteamClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="httpx"):
        await auth(client)
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert lines and all(KEY not in line for line in lines)
    assert "key=[redacted]" in lines[0]


# -- answers the fake does not produce: MockTransport ------------------------------


def mock_client(handler: Callable[[httpx.Request], httpx.Response]) -> SteamClient:
    return SteamClient("https://steam.test", transport=httpx.MockTransport(handler), backoff=0)


def params_body(**params: object) -> httpx.Response:
    return httpx.Response(200, json={"response": {"params": params}})


@pytest.mark.parametrize(
    "response",
    [
        params_body(result="OK"),  # no steamid
        params_body(result="OK", steamid="7656x"),
        params_body(result="OK", steamid=""),
        params_body(result="OK", steamid=76561197960287930),  # Steam sends a string
        params_body(result="OK", steamid="0"),
        params_body(result="OK", steamid="99999999999999999999"),  # > 2**64
        httpx.Response(200, json={"response": {}}),
        httpx.Response(200, json={"response": []}),
        httpx.Response(200, json=[1, 2]),
        httpx.Response(200, json={"response": {"error": {"errorcode": 10, "errordesc": "Busy"}}}),
        httpx.Response(200, content=b"{" + b" " * 70_000 + b"}"),
        httpx.Response(302, headers={"Location": "https://elsewhere.test/"}),
        httpx.Response(429),
    ],
)
async def test_unusable_answers_are_upstream_errors(response: httpx.Response) -> None:
    async with mock_client(lambda request: response) as c:
        with pytest.raises(UpstreamUnavailable):
            await auth(c)


async def test_401_is_key_problem() -> None:
    async with mock_client(lambda request: httpx.Response(401)) as c:
        with pytest.raises(UpstreamUnavailable, match="web API key"):
            await auth(c)


@pytest.mark.parametrize(
    "body",
    [
        {"response": {"params": {"result": "Invalid", "steamid": STEAMID}}},
        {"response": {"error": {"errorcode": 101, "errordesc": "Invalid ticket"}}},
        {"response": {"error": {"errorcode": 102, "errordesc": "Ticket for other app"}}},
        {"response": {"error": {"errordesc": "no code"}}},
    ],
)
async def test_rejections_are_invalid_credentials(body: object) -> None:
    content = json.dumps(body).encode()
    async with mock_client(lambda request: httpx.Response(200, content=content)) as c:
        with pytest.raises(InvalidCredentials):
            await auth(c)


async def test_read_error_after_send_not_retried() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ReadError("connection reset", request=request)

    async with mock_client(handler) as c:
        with pytest.raises(UpstreamUnavailable, match="ReadError"):
            await auth(c)
    assert calls == 1
