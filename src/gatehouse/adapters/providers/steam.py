"""Steam Web API client: verify a game client's auth session ticket.

One call, ``ISteamUserAuth/AuthenticateUserTicket/v1``, turned into either a
SteamID64 or a domain error:

* malformed ticket (checked before any network call) -> ``InvalidInput``
* Steam rejects the ticket (invalid, expired, other app) -> ``InvalidCredentials``
* Steam rejects our web API key (401/403), times out, is unreachable, answers
  5xx or anything we cannot read -> ``UpstreamUnavailable``

The web API key travels in the query string, as Steam requires. It is never
put in an exception message, exceptions are raised ``from None`` so httpx's
own messages (which may quote the URL) never chain in, and a logging filter
redacts it from httpx's request log line.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any, Final

import httpx

from gatehouse.core.errors import InvalidCredentials, InvalidInput, UpstreamUnavailable

__all__ = ["MAX_TICKET_HEX_LENGTH", "SteamClient"]

#: Steam auth session tickets are a few hundred bytes; 1 KiB of ticket is plenty.
MAX_TICKET_HEX_LENGTH: Final = 2048

_PATH: Final = "/ISteamUserAuth/AuthenticateUserTicket/v1/"
_TICKET_FIELD: Final = "tokens.steamTokens"
_HEX = re.compile(r"[0-9a-fA-F]+")
_STEAMID = re.compile(r"[0-9]{1,20}")
# A real answer is well under 1 KiB; refuse to parse anything absurd.
_MAX_BODY_BYTES: Final = 64 * 1024
# EResult values Steam uses for its own trouble, not the ticket's.
_UPSTREAM_ERESULTS: Final = frozenset({10, 16, 20, 25, 84})
_KEY_IN_URL = re.compile(r"([?&]key=)[^&\s\"]*", re.IGNORECASE)


class _RedactKey(logging.Filter):
    """Blank ``key=`` query values in httpx's "HTTP Request: GET <url>" INFO line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _KEY_IN_URL.sub(r"\1[redacted]", str(a)) if isinstance(a, httpx.URL) else a
                for a in record.args
            )
        return True


def _install_log_redaction() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactKey) for f in logger.filters):
        logger.addFilter(_RedactKey())


def _validate_ticket(ticket_hex: str) -> str:
    if not isinstance(ticket_hex, str) or not ticket_hex:
        raise InvalidInput("Steam ticket is empty", field=_TICKET_FIELD)
    if len(ticket_hex) > MAX_TICKET_HEX_LENGTH:
        raise InvalidInput("Steam ticket is too long", field=_TICKET_FIELD)
    if not _HEX.fullmatch(ticket_hex):
        raise InvalidInput("Steam ticket must be hexadecimal", field=_TICKET_FIELD)
    return ticket_hex


def _unavailable(why: str) -> UpstreamUnavailable:
    return UpstreamUnavailable(f"Steam Web API: {why}")


def _parse(response: httpx.Response) -> str:
    """Read a 200 answer: the SteamID64, or raise."""
    if len(response.content) > _MAX_BODY_BYTES:
        raise _unavailable("response too large")
    try:
        body: Any = json.loads(response.content)
    except ValueError:
        raise _unavailable("response is not JSON") from None
    inner = body.get("response") if isinstance(body, dict) else None
    if not isinstance(inner, dict):
        raise _unavailable("unexpected response shape")

    error = inner.get("error")
    if isinstance(error, dict):
        code = error.get("errorcode")
        if isinstance(code, int) and code in _UPSTREAM_ERESULTS:
            raise _unavailable(f"Steam reported error {code}")
        # 101 invalid ticket, 102 ticket for another app, 3 malformed ticket, ...
        raise InvalidCredentials("Steam rejected the ticket", field=_TICKET_FIELD)

    params = inner.get("params")
    if not isinstance(params, dict):
        raise _unavailable("unexpected response shape")
    if params.get("result") != "OK":
        raise InvalidCredentials("Steam rejected the ticket", field=_TICKET_FIELD)
    steamid = params.get("steamid")
    if not isinstance(steamid, str) or not _STEAMID.fullmatch(steamid):
        raise _unavailable("response has no usable steamid")
    if not 0 < int(steamid) < 2**64:
        raise _unavailable("response has no usable steamid")
    return steamid


class SteamClient:
    """Async client for ticket verification; one connection pool per instance.

    ``transport`` lets tests swap the network (``httpx.MockTransport``); the
    base URL lets them point at a local fake instead.
    """

    def __init__(
        self,
        base_url: str = "https://partner.steam-api.com",
        *,
        timeout: float = 5.0,
        retries: int = 2,
        transport: httpx.AsyncBaseTransport | None = None,
        backoff: float = 0.1,
    ) -> None:
        if retries < 0:
            raise ValueError("retries must be >= 0")
        self._url = base_url.rstrip("/") + _PATH
        self._retries = retries
        self._backoff = backoff
        _install_log_redaction()
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": "gatehouse"},
            # Steam is reached directly; env proxies would see the key.
            trust_env=False,
        )

    async def authenticate_ticket(
        self, *, app_id: int, web_api_key: str, ticket_hex: str, identity: str = ""
    ) -> str:
        """Return the SteamID64 (decimal string) of the ticket's owner. With an
        ``identity``, Steam accepts only a ticket the game made for that identity
        (``GetAuthTicketForWebApi(identity)``): a ticket made for another service
        cannot be replayed here."""
        ticket = _validate_ticket(ticket_hex)
        if isinstance(app_id, bool) or not isinstance(app_id, int) or app_id <= 0:
            raise _unavailable("the project's Steam app id is not configured")
        if not web_api_key:
            raise _unavailable("the project's Steam web API key is not configured")
        params = {"key": web_api_key, "appid": str(app_id), "ticket": ticket}
        if identity:
            params["identity"] = identity

        attempt = 0
        while True:
            try:
                response = await self._client.get(self._url, params=params)
            except httpx.TimeoutException:
                # Not retried: another full timeout would keep the player waiting too long.
                raise _unavailable("timed out") from None
            except httpx.TransportError as exc:
                if isinstance(exc, httpx.ConnectError) and attempt < self._retries:
                    attempt += 1
                    await self._sleep(attempt)
                    continue
                raise _unavailable(f"unreachable ({type(exc).__name__})") from None

            status = response.status_code
            if status >= 500:
                if attempt < self._retries:
                    attempt += 1
                    await self._sleep(attempt)
                    continue
                raise _unavailable(f"HTTP {status}")
            if status in (401, 403):
                raise _unavailable(
                    f"HTTP {status}: Steam refused the project's web API key "
                    "(check the key and that it is a publisher key for this app id)"
                )
            if status != 200:
                raise _unavailable(f"HTTP {status}")
            return _parse(response)

    async def _sleep(self, attempt: int) -> None:
        if self._backoff > 0:
            await asyncio.sleep(self._backoff * 2 ** (attempt - 1))

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> SteamClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
