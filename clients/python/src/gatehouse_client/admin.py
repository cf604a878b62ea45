"""Admin API (``/admin/v1``), authenticated by ``Authorization: Bearer <key>``.

The key is an operator key (``gko_...``, made by ``gatehouse operator-key create``:
every project, and may create projects) or a project's admin API key (``gk_...``
of type ``admin``: its own project only; any other project is ``NotFound``).

* Errors are RFC 9457 problems: the exception of the status (``NotFound``,
  ``Conflict``, ``ValidationFailed``...) with ``code`` the problem's slug
  (``"user-not-found"``), ``message``/``detail``, ``title``, ``errors`` (the
  fields at fault) and ``body`` (``ProblemDetails``).
* 429 and 503 are retried per the client's ``RetryPolicy`` (never sooner than
  ``Retry-After``); nothing else is.
* Every creating call (``create_project``, ``create_user``, ``create_client``,
  ``create_api_key``) sends an ``Idempotency-Key``: a fresh one per call, the same
  on each of that call's retries, so a retried creation never makes two things.
  Pass ``idempotency_key=`` (an order id, say) to choose it: then a call repeated
  by you, after a ``ConnectionFailed`` or a crash, gets the first answer again.
* Listings come a page at a time (``list_..._page``: ``Page.items`` and
  ``Page.next_page_token``, passed back as ``after``) or as an iterator over every
  page (``list_...``: ``async for`` / ``for``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from gatehouse_client import _json as j
from gatehouse_client import admin_models as m
from gatehouse_client._error_bodies import admin_error
from gatehouse_client._http import DEFAULT_TIMEOUT, Request, mapped, no_content
from gatehouse_client._pages import Page
from gatehouse_client._surface import AsyncSurface, SyncSurface, operation, paged
from gatehouse_client.admin_models import (
    AdminSession,
    ApiKey,
    ApiKeyType,
    AuditEvent,
    Client,
    LimitPolicy,
    NewApiKey,
    NewClient,
    PasswordSet,
    Project,
    SteamLink,
    User,
    UserExport,
)
from gatehouse_client.retry import RetryPolicy

__all__ = ["IDEMPOTENCY_KEY", "AdminClient", "AsyncAdminClient"]

T = TypeVar("T")

PREFIX = "/admin/v1"
IDEMPOTENCY_KEY = "Idempotency-Key"


# -- request pieces -------------------------------------------------------------------------


def _seg(value: int | str) -> str:
    return quote(str(value), safe="")


def _project(project_id: int) -> str:
    return f"{PREFIX}/projects/{_seg(project_id)}"


def _user(project_id: int, user_id: int) -> str:
    return f"{_project(project_id)}/users/{_seg(user_id)}"


def _given(**values: Any) -> dict[str, Any]:
    """The members the caller gave (``None``: left out, i.e. unchanged / default)."""
    return {name: value for name, value in values.items() if value is not None}


def _time(value: datetime | str) -> str:
    """ISO 8601 for a query; an aware time in UTC, a naive one as it is (the server
    reads a time without an offset as UTC)."""
    if isinstance(value, str):
        return value
    if value.tzinfo is not None:
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def _query(limit: int | None, after: str | None, **filters: Any) -> dict[str, str]:
    params = {name: str(value) for name, value in filters.items() if value is not None}
    if limit is not None:
        params["limit"] = str(limit)
    if after is not None:
        params["after"] = after
    return params


def _call(
    method: str,
    path: str,
    read: Callable[[httpx.Response], T],
    *,
    json: Any = None,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    success: int = 200,
) -> Request[T]:
    return Request(
        method,
        path,
        read,
        admin_error,
        params=params or {},
        headers=headers or {},
        json=json,
        success=frozenset({success}),
    )


def _create(
    path: str, read: Callable[[httpx.Response], T], body: dict[str, Any], key: str | None
) -> Request[T]:
    """A creating POST. The key is chosen here, once per call: the transport sends
    this same request on every retry, so every attempt carries the same key."""
    header = {IDEMPOTENCY_KEY: key if key is not None else str(uuid.uuid4())}
    return _call("POST", path, read, json=body, headers=header, success=201)


def _delete(path: str) -> Request[None]:
    return _call("DELETE", path, no_content, success=204)


# -- projects -----------------------------------------------------------------------------


def _list_projects_page(
    *, limit: int | None = None, after: str | None = None
) -> Request[Page[Project]]:
    """One page of projects, by id (a project key sees its own only).
    ``limit``: 1-200 (server default 50); ``after``: the previous page's
    ``next_page_token``."""
    return _call("GET", f"{PREFIX}/projects", m.page(m.project), params=_query(limit, after))


def _create_project(
    name: str,
    *,
    session_ttl_seconds: int | None = None,
    max_ttl_seconds: int | None = None,
    session_limit: int | None = None,
    session_limit_policy: LimitPolicy | None = None,
    ws_url: str | None = None,
    webrtc_url: str | None = None,
    steam_app_id: int | None = None,
    steam_web_api_key: str | None = None,
    steam_auto_create: bool | None = None,
    password_registration: bool | None = None,
    idempotency_key: str | None = None,
) -> Request[Project]:
    """Create a project (operator keys only: ``Forbidden`` with a project key).
    Settings left out take the server's defaults."""
    body = _given(
        name=name,
        session_ttl_seconds=session_ttl_seconds,
        max_ttl_seconds=max_ttl_seconds,
        session_limit=session_limit,
        session_limit_policy=session_limit_policy,
        ws_url=ws_url,
        webrtc_url=webrtc_url,
        steam_app_id=steam_app_id,
        steam_web_api_key=steam_web_api_key,
        steam_auto_create=steam_auto_create,
        password_registration=password_registration,
    )
    return _create(f"{PREFIX}/projects", m.one(m.project), body, idempotency_key)


def _get_project(project_id: int) -> Request[Project]:
    """One project."""
    return _call("GET", _project(project_id), m.one(m.project))


def _update_project(
    project_id: int,
    *,
    name: str | None = None,
    session_ttl_seconds: int | None = None,
    max_ttl_seconds: int | None = None,
    session_limit: int | None = None,
    session_limit_policy: LimitPolicy | None = None,
    ws_url: str | None = None,
    webrtc_url: str | None = None,
    steam_app_id: int | None = None,
    steam_web_api_key: str | None = None,
    steam_auto_create: bool | None = None,
    password_registration: bool | None = None,
) -> Request[Project]:
    """Change a project's settings (those given; ``None``: unchanged), all or
    nothing: the result must be valid as a whole (``BadRequest`` naming the field
    otherwise, and nothing changes). ``session_limit=0``: no limit."""
    body = _given(
        name=name,
        session_ttl_seconds=session_ttl_seconds,
        max_ttl_seconds=max_ttl_seconds,
        session_limit=session_limit,
        session_limit_policy=session_limit_policy,
        ws_url=ws_url,
        webrtc_url=webrtc_url,
        steam_app_id=steam_app_id,
        steam_web_api_key=steam_web_api_key,
        steam_auto_create=steam_auto_create,
        password_registration=password_registration,
    )
    return _call("PATCH", _project(project_id), m.one(m.project), json=body)


# -- users --------------------------------------------------------------------------------


def _list_users_page(
    project_id: int,
    *,
    username: str | None = None,
    email: str | None = None,
    steam_id: str | None = None,
    limit: int | None = None,
    after: str | None = None,
) -> Request[Page[User]]:
    """One page of a project's users, by id; filtered by ``username`` (exact),
    ``email`` (any spelling) or ``steam_id`` (SteamID64) when given."""
    params = _query(limit, after, username=username, email=email, steam_id=steam_id)
    return _call("GET", f"{_project(project_id)}/users", m.page(m.user), params=params)


def _first(page: Page[T]) -> T | None:
    return page.items[0] if page.items else None


def _find_user(
    project_id: int,
    *,
    username: str | None = None,
    email: str | None = None,
    steam_id: str | None = None,
) -> Request[User | None]:
    """The user with this username, email address or linked SteamID64 (each is
    unique in a project), or ``None``."""
    if username is None and email is None and steam_id is None:
        raise ValueError("find_user needs a username, an email or a steam_id")
    page = _list_users_page(project_id, username=username, email=email, steam_id=steam_id, limit=1)
    return mapped(page, _first)


def _create_user(
    project_id: int,
    username: str,
    *,
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    access_level: int | None = None,
    password: str | None = None,
    idempotency_key: str | None = None,
) -> Request[User]:
    """Create a user (``Conflict`` when the username or email is taken).
    ``access_level``: 0, 10 (the default) or 20 (``AccessLevel``)."""
    body = _given(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        access_level=None if access_level is None else int(access_level),
        password=password,
    )
    return _create(f"{_project(project_id)}/users", m.one(m.user), body, idempotency_key)


def _get_user(project_id: int, user_id: int) -> Request[User]:
    """One user (``NotFound``, code ``user-not-found``, otherwise)."""
    return _call("GET", _user(project_id, user_id), m.one(m.user))


def _update_user(
    project_id: int,
    user_id: int,
    *,
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    access_level: int | None = None,
    email_validated: bool | None = None,
) -> Request[User]:
    """Change a user's profile (what is given; ``None``: unchanged). A changed
    email is unconfirmed unless ``email_validated`` is sent too."""
    body = _given(
        email=email,
        first_name=first_name,
        last_name=last_name,
        access_level=None if access_level is None else int(access_level),
        email_validated=email_validated,
    )
    return _call("PATCH", _user(project_id, user_id), m.one(m.user), json=body)


def _delete_user(project_id: int, user_id: int) -> Request[None]:
    """Delete a user and all their data (sessions revoked first); their audit
    rows stay, with addresses erased."""
    return _delete(_user(project_id, user_id))


def _disable_user(project_id: int, user_id: int) -> Request[User]:
    """Disable a user: every session ends and no sign-in succeeds on any surface."""
    return _call("POST", f"{_user(project_id, user_id)}/disable", m.one(m.user))


def _enable_user(project_id: int, user_id: int) -> Request[User]:
    """Enable a disabled user again."""
    return _call("POST", f"{_user(project_id, user_id)}/enable", m.one(m.user))


def _set_password(project_id: int, user_id: int, password: str) -> Request[PasswordSet]:
    """Set a user's password: every session ends, trusted devices are forgotten."""
    return _call(
        "PUT",
        f"{_user(project_id, user_id)}/password",
        m.one(m.password_set),
        json={"password": password},
    )


def _reset_two_factor(project_id: int, user_id: int) -> Request[None]:
    """Turn a user's two-factor sign-in off: every session ends, trusted devices
    are forgotten."""
    return _delete(f"{_user(project_id, user_id)}/two-factor")


def _link_steam(project_id: int, user_id: int, steam_id: str) -> Request[SteamLink]:
    """Link a SteamID64 to a user (``Conflict``, code ``identity-already-linked``,
    when another user has it)."""
    return _call(
        "PUT",
        f"{_user(project_id, user_id)}/steam",
        m.one(m.steam_link),
        json={"steam_id": str(steam_id)},
    )


def _unlink_steam(project_id: int, user_id: int) -> Request[None]:
    """Unlink the user's Steam account (``NotFound`` when none is linked)."""
    return _delete(f"{_user(project_id, user_id)}/steam")


def _export_user(project_id: int, user_id: int) -> Request[UserExport]:
    """Everything held about a user (personal-data export): profile, linked
    identities, sessions, trusted devices, clients, audit events. No secrets."""
    return _call("GET", f"{_user(project_id, user_id)}/export", m.one(m.user_export))


# -- sessions -----------------------------------------------------------------------------


def _list_user_sessions_page(
    project_id: int, user_id: int, *, limit: int | None = None, after: str | None = None
) -> Request[Page[AdminSession]]:
    """One page of a user's active sessions, oldest first."""
    return _call(
        "GET",
        f"{_user(project_id, user_id)}/sessions",
        m.page(m.session),
        params=_query(limit, after),
    )


def _read_revoked(response: httpx.Response) -> int:
    return j.integer(j.obj(j.body_of(response)), "revoked")


def _revoke_user_sessions(project_id: int, user_id: int) -> Request[int]:
    """End every session of a user; how many there were."""
    return _call("DELETE", f"{_user(project_id, user_id)}/sessions", _read_revoked)


def _get_session(project_id: int, session_id: str) -> Request[AdminSession]:
    """One active session (``NotFound``, code ``session-not-found``, otherwise)."""
    return _call("GET", f"{_project(project_id)}/sessions/{_seg(session_id)}", m.one(m.session))


def _revoke_session(project_id: int, session_id: str) -> Request[None]:
    """End one session: its tokens stop working at once."""
    return _delete(f"{_project(project_id)}/sessions/{_seg(session_id)}")


# -- client applications ------------------------------------------------------------------


def _list_clients_page(
    project_id: int,
    *,
    user_id: int | None = None,
    limit: int | None = None,
    after: str | None = None,
) -> Request[Page[Client]]:
    """One page of a project's client applications (of one user when
    ``user_id`` is given), by creation time."""
    params = _query(limit, after, user_id=user_id)
    return _call("GET", f"{_project(project_id)}/clients", m.page(m.client), params=params)


def _create_client(
    project_id: int, user_id: int, name: str | None = None, *, idempotency_key: str | None = None
) -> Request[NewClient]:
    """A new client application (``ClientID`` / ``ClientSecret`` for Session
    Storage) of a user; the secret is in the answer only."""
    body = _given(user_id=user_id, name=name)
    return _create(f"{_project(project_id)}/clients", m.one(m.new_client), body, idempotency_key)


def _client(project_id: int, client_id: str) -> str:
    return f"{_project(project_id)}/clients/{_seg(client_id)}"


def _get_client(project_id: int, client_id: str) -> Request[Client]:
    """One client application."""
    return _call("GET", _client(project_id, client_id), m.one(m.client))


def _disable_client(project_id: int, client_id: str) -> Request[Client]:
    """Disable a client application: its credentials are refused."""
    return _call("POST", f"{_client(project_id, client_id)}/disable", m.one(m.client))


def _enable_client(project_id: int, client_id: str) -> Request[Client]:
    """Enable a disabled client application again."""
    return _call("POST", f"{_client(project_id, client_id)}/enable", m.one(m.client))


# -- API keys -----------------------------------------------------------------------------


def _list_api_keys_page(
    project_id: int, *, limit: int | None = None, after: str | None = None
) -> Request[Page[ApiKey]]:
    """One page of a project's API keys (revoked ones too), by id."""
    return _call(
        "GET", f"{_project(project_id)}/api-keys", m.page(m.api_key), params=_query(limit, after)
    )


def _create_api_key(
    project_id: int,
    type: ApiKeyType,
    name: str | None = None,
    *,
    idempotency_key: str | None = None,
) -> Request[NewApiKey]:
    """A new API key of a project; the key (``gk_...``) is in the answer only."""
    body = _given(type=type, name=name)
    return _create(f"{_project(project_id)}/api-keys", m.one(m.new_api_key), body, idempotency_key)


def _revoke_api_key(project_id: int, key_id: int) -> Request[None]:
    """Revoke an API key, everywhere at once (``NotFound`` if already revoked)."""
    return _delete(f"{_project(project_id)}/api-keys/{_seg(key_id)}")


# -- audit events -------------------------------------------------------------------------


def _list_audit_events_page(
    project_id: int,
    *,
    user_id: int | None = None,
    action: str | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    limit: int | None = None,
    after: str | None = None,
) -> Request[Page[AuditEvent]]:
    """One page of a project's audit trail, newest first; filtered by user,
    action (``user-created``...), ``since`` (inclusive) and ``until`` (exclusive)."""
    params = _query(
        limit,
        after,
        user_id=user_id,
        action=action,
        since=None if since is None else _time(since),
        until=None if until is None else _time(until),
    )
    return _call(
        "GET", f"{_project(project_id)}/audit-events", m.page(m.audit_event), params=params
    )


# -- the clients --------------------------------------------------------------------------

_EVERY = "Every {} page after page (``limit``: the page size; ``after``: where to start)."


class _Calls:
    list_projects_page = operation(_list_projects_page)
    list_projects = paged(_list_projects_page, cursor="after", doc=_EVERY.format("project,"))
    create_project = operation(_create_project)
    get_project = operation(_get_project)
    update_project = operation(_update_project)

    list_users_page = operation(_list_users_page)
    list_users = paged(
        _list_users_page, cursor="after", doc=_EVERY.format("user of a project (filtered),")
    )
    find_user = operation(_find_user)
    create_user = operation(_create_user)
    get_user = operation(_get_user)
    update_user = operation(_update_user)
    delete_user = operation(_delete_user)
    disable_user = operation(_disable_user)
    enable_user = operation(_enable_user)
    set_password = operation(_set_password)
    reset_two_factor = operation(_reset_two_factor)
    link_steam = operation(_link_steam)
    unlink_steam = operation(_unlink_steam)
    export_user = operation(_export_user)

    list_user_sessions_page = operation(_list_user_sessions_page)
    list_user_sessions = paged(
        _list_user_sessions_page,
        cursor="after",
        doc=_EVERY.format("active session of a user, oldest first,"),
    )
    revoke_user_sessions = operation(_revoke_user_sessions)
    get_session = operation(_get_session)
    revoke_session = operation(_revoke_session)

    list_clients_page = operation(_list_clients_page)
    list_clients = paged(
        _list_clients_page, cursor="after", doc=_EVERY.format("client application,")
    )
    create_client = operation(_create_client)
    get_client = operation(_get_client)
    disable_client = operation(_disable_client)
    enable_client = operation(_enable_client)

    list_api_keys_page = operation(_list_api_keys_page)
    list_api_keys = paged(_list_api_keys_page, cursor="after", doc=_EVERY.format("API key,"))
    create_api_key = operation(_create_api_key)
    revoke_api_key = operation(_revoke_api_key)

    list_audit_events_page = operation(_list_audit_events_page)
    list_audit_events = paged(
        _list_audit_events_page,
        cursor="after",
        doc=_EVERY.format("audit event (filtered), newest first,"),
    )


def _credentials(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


class AsyncAdminClient(_Calls, AsyncSurface):
    """``async with AsyncAdminClient(url, key) as admin:`` (an operator key
    ``gko_...`` or a project admin key ``gk_...``)."""

    def __init__(
        self,
        base_url: str,
        key: str,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(base_url, _credentials(key), timeout=timeout, retry=retry, http=http)


class AdminClient(_Calls, SyncSurface):
    """``with AdminClient(url, key) as admin:`` (an operator key ``gko_...`` or a
    project admin key ``gk_...``)."""

    def __init__(
        self,
        base_url: str,
        key: str,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        super().__init__(base_url, _credentials(key), timeout=timeout, retry=retry, http=http)
