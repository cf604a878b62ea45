"""User Session API v1 (``/v1``; HiveMP-compatible), authenticated by ``X-API-Key``.

The key is a typed project key (``gk_...``: public in game clients, server or
admin in back-ends) or a session's own ``api_key``. Every call takes ``api_key=``
to use another key than the client's for that call.
"""

from __future__ import annotations

from collections.abc import Iterable

import httpx

from gatehouse_client._error_bodies import hivemp_error
from gatehouse_client._http import DEFAULT_TIMEOUT, Request, no_content
from gatehouse_client._surface import AsyncSurface, SyncSurface, operation
from gatehouse_client.renewal import (
    MIN_INTERVAL,
    AsyncRenewingSession,
    ErrorCallback,
    RenewingSession,
)
from gatehouse_client.retry import RetryPolicy
from gatehouse_client.sign_in import AsyncSignIn, SignIn, SignInState
from gatehouse_client.user_session_models import (
    ROLE_ADMIN,
    ROLE_USER,
    AuthenticatedSession,
    AuthenticationRequest,
    AuthenticationResponse,
    UserSession,
    hivemp_password_hash,
    read_authentication_response,
    read_user_session,
)

__all__ = ["AsyncUserSessionClient", "UserSessionClient"]

PREFIX = "/v1"


def _key(api_key: str | None) -> dict[str, str]:
    return {"X-API-Key": api_key} if api_key is not None else {}


def _session_id(session_id: str | None) -> dict[str, str]:
    return {"id": session_id} if session_id is not None else {}


def _authenticate(
    request: AuthenticationRequest, *, api_key: str | None = None
) -> Request[AuthenticationResponse]:
    """One ``PUT /v1/authenticate`` (``sign_in`` drives the whole flow)."""
    return Request(
        "PUT",
        f"{PREFIX}/authenticate",
        read_authentication_response,
        hivemp_error,
        json=request.to_wire(),
        headers=_key(api_key),
    )


def _get_session(
    session_id: str | None = None, *, api_key: str | None = None
) -> Request[UserSession]:
    """A session (``GET /v1/session``); without an id, the one whose ``api_key`` is
    the key."""
    return Request(
        "GET",
        f"{PREFIX}/session",
        read_user_session,
        hivemp_error,
        params=_session_id(session_id),
        headers=_key(api_key),
    )


def _renew_session(
    session_id: str | None = None, *, api_key: str | None = None
) -> Request[UserSession]:
    """Renew a session (``POST /v1/session``): it expires an hour from now, never
    past its project's maximum lifetime."""
    return Request(
        "POST",
        f"{PREFIX}/session",
        read_user_session,
        hivemp_error,
        params=_session_id(session_id),
        headers=_key(api_key),
    )


def _delete_session(session_id: str | None = None, *, api_key: str | None = None) -> Request[None]:
    """End a session (``DELETE /v1/session``): its ``api_key`` stops working at once."""
    return Request(
        "DELETE",
        f"{PREFIX}/session",
        no_content,
        hivemp_error,
        params=_session_id(session_id),
        headers=_key(api_key),
    )


class _Calls:
    authenticate = operation(_authenticate)
    get_session = operation(_get_session)
    renew_session = operation(_renew_session)
    delete_session = operation(_delete_session)


def _sign_in_state(
    *,
    email: str | None,
    password: str | None,
    password_hash: str | None,
    steam_tickets: Iterable[str | bytes],
    admin: bool | None,
    prompt_for_project: bool,
    project_id: str | int | None,
    device_identifier: str | None,
    device_name: str | None,
) -> SignInState:
    if password is not None:
        password_hash = hivemp_password_hash(password)
    role = None if admin is None else (ROLE_ADMIN if admin else ROLE_USER)
    return SignInState(
        AuthenticationRequest(
            email_address=email,
            password_hash=password_hash,
            steam_tickets=tuple(t.hex() if isinstance(t, bytes) else t for t in steam_tickets),
            requested_role=role,
            prompt_for_project=prompt_for_project or None,
            project_id=None if project_id is None else str(project_id),
            device_identifier=device_identifier,
            device_identifier_friendly_name=device_name,
        )
    )


def _renewal_key(session: UserSession, api_key: str | None) -> str | None:
    if api_key is not None:
        return api_key
    return session.api_key if isinstance(session, AuthenticatedSession) else None


class AsyncUserSessionClient(_Calls, AsyncSurface):
    """``async with AsyncUserSessionClient(url, api_key) as hive:``"""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(base_url, _key(api_key), timeout=timeout, retry=retry, http=http)

    def sign_in(
        self,
        *,
        email: str | None = None,
        password: str | None = None,
        password_hash: str | None = None,
        steam_tickets: Iterable[str | bytes] = (),
        admin: bool | None = None,
        prompt_for_project: bool = False,
        project_id: str | int | None = None,
        device_identifier: str | None = None,
        device_name: str | None = None,
    ) -> AsyncSignIn:
        """The progressive sign-in, starting from what the game already has
        (``async for prompt in flow``; see ``gatehouse_client.sign_in``).
        ``admin=True`` asks for an admin session (``builtin:admin``)."""
        state = _sign_in_state(
            email=email,
            password=password,
            password_hash=password_hash,
            steam_tickets=steam_tickets,
            admin=admin,
            prompt_for_project=prompt_for_project,
            project_id=project_id,
            device_identifier=device_identifier,
            device_name=device_name,
        )
        return AsyncSignIn(self.authenticate, state)

    def keep_renewed(
        self,
        session: UserSession,
        *,
        api_key: str | None = None,
        on_error: ErrorCallback | None = None,
        min_interval: float = MIN_INTERVAL,
    ) -> AsyncRenewingSession:
        """Renew ``session`` at half its life in the background, while ``async with``
        runs. Renews with the session's own ``api_key`` (from sign-in) unless
        ``api_key`` is given; else with the client's key."""
        key = _renewal_key(session, api_key)
        return AsyncRenewingSession(
            lambda: self.renew_session(session.id, api_key=key),
            session,
            on_error=on_error,
            min_interval=min_interval,
        )


class UserSessionClient(_Calls, SyncSurface):
    """``with UserSessionClient(url, api_key) as hive:``"""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        super().__init__(base_url, _key(api_key), timeout=timeout, retry=retry, http=http)

    def sign_in(
        self,
        *,
        email: str | None = None,
        password: str | None = None,
        password_hash: str | None = None,
        steam_tickets: Iterable[str | bytes] = (),
        admin: bool | None = None,
        prompt_for_project: bool = False,
        project_id: str | int | None = None,
        device_identifier: str | None = None,
        device_name: str | None = None,
    ) -> SignIn:
        """The progressive sign-in (``for prompt in flow``; see
        ``gatehouse_client.sign_in``)."""
        state = _sign_in_state(
            email=email,
            password=password,
            password_hash=password_hash,
            steam_tickets=steam_tickets,
            admin=admin,
            prompt_for_project=prompt_for_project,
            project_id=project_id,
            device_identifier=device_identifier,
            device_name=device_name,
        )
        return SignIn(self.authenticate, state)

    def keep_renewed(
        self,
        session: UserSession,
        *,
        api_key: str | None = None,
        on_error: ErrorCallback | None = None,
        min_interval: float = MIN_INTERVAL,
    ) -> RenewingSession:
        """Renew ``session`` at half its life: call ``renew_if_due()`` from your loop,
        or use ``with`` for a background thread."""
        key = _renewal_key(session, api_key)
        return RenewingSession(
            lambda: self.renew_session(session.id, api_key=key),
            session,
            on_error=on_error,
            min_interval=min_interval,
        )
