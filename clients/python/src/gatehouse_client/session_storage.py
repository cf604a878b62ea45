"""Session Storage API (``/session-storage``; Palabra.ai-compatible).

Every call but ``check_token`` acts on the sessions of the user who owns the client
application named by ``ClientID`` / ``ClientSecret``. ``check_token`` answers
"who is this token?" for a session's own bearer token and needs no client
credentials.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from gatehouse_client import _json as j
from gatehouse_client._error_bodies import session_storage_error
from gatehouse_client._http import DEFAULT_TIMEOUT, Request, no_content
from gatehouse_client._pages import Page, aiter_items, iter_items
from gatehouse_client._surface import AsyncSurface, SyncSurface, operation
from gatehouse_client.retry import RetryPolicy

__all__ = [
    "AsyncSessionStorageClient",
    "NewSession",
    "Session",
    "SessionStorageClient",
    "TokenSession",
]

PREFIX = "/session-storage"


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    intent: str | None


@dataclass(frozen=True, slots=True)
class NewSession(Session):
    """A session as created: its bearer tokens are shown only here."""

    #: The session's bearer token (role ``publisher``).
    publisher: str
    #: ``subscriber_count`` more bearer tokens of the session (role ``subscriber``).
    subscribers: tuple[str, ...]
    ws_url: str
    webrtc_url: str
    webrtc_room_name: str


@dataclass(frozen=True, slots=True)
class TokenSession(Session):
    """The session a bearer token belongs to."""

    user_id: str
    #: ``"publisher"`` or ``"subscriber"``.
    role: str


def _session_fields(m: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": j.string(m, "id"),
        "created_at": j.rfc3339(m, "created_at"),
        "updated_at": j.rfc3339(m, "updated_at"),
        "expires_at": j.rfc3339(m, "expires_at"),
        "intent": j.optional_str(m, "intent"),
    }


def _data(response: httpx.Response) -> Any:
    return j.obj(j.body_of(response)).get("data")


def _read_session(response: httpx.Response) -> Session:
    return Session(**_session_fields(j.obj(_data(response), "data")))


def _read_new_session(response: httpx.Response) -> NewSession:
    m = j.obj(_data(response), "data")
    return NewSession(
        **_session_fields(m),
        publisher=j.string(m, "publisher"),
        subscribers=j.strings(m, "subscriber"),
        ws_url=j.string(m, "ws_url"),
        webrtc_url=j.string(m, "webrtc_url"),
        webrtc_room_name=j.string(m, "webrtc_room_name"),
    )


def _read_token_session(response: httpx.Response) -> TokenSession:
    m = j.obj(_data(response), "data")
    return TokenSession(
        **_session_fields(m), user_id=j.string(m, "user_id"), role=j.string(m, "role")
    )


def _read_page(response: httpx.Response) -> Page[Session]:
    body = j.obj(j.body_of(response))
    items = body.get("data")
    if not isinstance(items, list):
        raise j.unexpected("data", "a list", items)
    return Page(
        items=tuple(Session(**_session_fields(j.obj(item, "data[]"))) for item in items),
        next_page_token=j.optional_str(body, "next_page_token"),
    )


def _one(session_id: str) -> str:
    return f"{PREFIX}/sessions/{quote(session_id, safe='')}"


# -- the calls, once -------------------------------------------------------------------


def _create_session(
    ttl_seconds: int | None = None,
    *,
    intent: str | None = None,
    subscriber_count: int | None = None,
) -> Request[NewSession]:
    """Start a session for the client's user (``POST /session-storage/session``);
    ``ttl_seconds`` defaults to the project's session lifetime."""
    data: dict[str, Any] = {}
    if ttl_seconds is not None:
        data["ttl_seconds"] = ttl_seconds
    if intent is not None:
        data["intent"] = intent
    if subscriber_count is not None:
        data["subscriber_count"] = subscriber_count
    return Request(
        "POST",
        f"{PREFIX}/session",
        _read_new_session,
        session_storage_error,
        json={"data": data},
        success=frozenset({201}),
    )


def _list_sessions_page(
    page_size: int | None = None, page_token: str | None = None
) -> Request[Page[Session]]:
    """One page of the user's active sessions, oldest first."""
    params: dict[str, str] = {}
    if page_size is not None:
        params["page_size"] = str(page_size)
    if page_token is not None:
        params["page_token"] = page_token
    return Request("GET", f"{PREFIX}/sessions", _read_page, session_storage_error, params=params)


def _get_session(session_id: str) -> Request[Session]:
    """One active session of the user (``NotFound`` otherwise)."""
    return Request("GET", _one(session_id), _read_session, session_storage_error)


def _delete_session(session_id: str) -> Request[None]:
    """End a session: its tokens stop working at once."""
    return Request(
        "DELETE", _one(session_id), no_content, session_storage_error, success=frozenset({204})
    )


def _set_session_ttl(session_id: str, ttl_seconds: int) -> Request[None]:
    """Make the session expire ``ttl_seconds`` from now (its holder can then no
    longer renew it through ``/v1/session``)."""
    return Request(
        "POST",
        _one(session_id),
        no_content,
        session_storage_error,
        json={"data": {"ttl_seconds": ttl_seconds}},
        success=frozenset({204}),
    )


def _check_token(token: str) -> Request[TokenSession]:
    """Who is this bearer token? (``GET /session-storage/session``; ``Unauthorized``
    for a token that is unknown, expired or revoked)."""
    return Request(
        "GET",
        f"{PREFIX}/session",
        _read_token_session,
        session_storage_error,
        headers={"Authorization": f"Bearer {token}"},
        credentials=False,
    )


class _Calls:
    create_session = operation(_create_session)
    list_sessions_page = operation(_list_sessions_page)
    get_session = operation(_get_session)
    delete_session = operation(_delete_session)
    set_session_ttl = operation(_set_session_ttl)
    check_token = operation(_check_token)


def _credentials(client_id: str, client_secret: str) -> dict[str, str]:
    return {"ClientID": client_id, "ClientSecret": client_secret}


class AsyncSessionStorageClient(_Calls, AsyncSurface):
    """``async with AsyncSessionStorageClient(url, client_id, client_secret) as ss:``"""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            base_url,
            _credentials(client_id, client_secret),
            timeout=timeout,
            retry=retry,
            http=http,
        )

    def list_sessions(self, page_size: int | None = None) -> AsyncIterator[Session]:
        """Every active session of the user, page after page (``async for``)."""
        return aiter_items(lambda token: self.list_sessions_page(page_size, token))


class SessionStorageClient(_Calls, SyncSurface):
    """``with SessionStorageClient(url, client_id, client_secret) as ss:``"""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            base_url,
            _credentials(client_id, client_secret),
            timeout=timeout,
            retry=retry,
            http=http,
        )

    def list_sessions(self, page_size: int | None = None) -> Iterator[Session]:
        """Every active session of the user, page after page."""
        return iter_items(lambda token: self.list_sessions_page(page_size, token))
