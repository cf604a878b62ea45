"""AdminClient / AsyncAdminClient (``/admin/v1``) against a real server: every
operation on success, problem+json errors as exceptions, keyset pages, and
``Idempotency-Key``: a creation retried (by the client after a 503, by the caller
after a lost connection) makes one thing. Faults are put between the client and
the real server by a transport that forwards each request and then, as scripted,
loses the answer (a 503 in its place, or a dropped connection) or refuses first."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from gatehouse_client import (
    AccessLevel,
    AdminClient,
    AdminSession,
    AsyncAdminClient,
    AsyncSessionStorageClient,
    BadRequest,
    Conflict,
    ConnectionFailed,
    FieldError,
    Forbidden,
    NewApiKey,
    NewClient,
    NotFound,
    Page,
    ProblemDetails,
    RetryPolicy,
    ServerError,
    Unauthorized,
    User,
    ValidationFailed,
)
from tests.client._support import Uniform
from tests.client.conftest import PASSWORD, Live

# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def operator_key(live: Live) -> str:
    """An operator key (every project), made the only way there is: the CLI."""
    made = live.cli("operator-key", "create", "--name", "tests", "--json")
    assert made["key"].startswith("gko_")
    return str(made["key"])


def admin_client(live: Live, flavour: str, key: str, **options: Any) -> Uniform:
    cls = AsyncAdminClient if flavour == "async" else AdminClient
    return Uniform(cls(live.base_url, key, **options))


@pytest.fixture
async def admin(live: Live, flavour: str, operator_key: str) -> AsyncIterator[Uniform]:
    """The admin client with the operator key."""
    client = admin_client(live, flavour, operator_key)
    yield client
    await client.close()


@pytest.fixture
async def project_admin(live: Live, flavour: str) -> AsyncIterator[Uniform]:
    """The admin client with the main project's admin API key (``gk_``)."""
    client = admin_client(live, flavour, live.admin_key)
    yield client
    await client.close()


# -- a transport between the client and the real server --------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    headers: httpx.Headers
    #: The status the client got (None: the connection was dropped).
    status: int | None
    #: The answer's headers as the server sent them (None: never forwarded).
    server_headers: httpx.Headers | None
    at: float


@dataclass
class Faults:
    """Each request is forwarded to the server, then handled per the next scripted
    fault (none left: passed through): ``"503"`` answers a 503 problem in place of
    the server's answer (the work was done, the answer lost), ``"drop"`` drops the
    connection instead, ``"429"`` / ``"500"`` refuse without forwarding."""

    script: list[str] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)

    def http(self, flavour: str) -> httpx.AsyncClient | httpx.Client:
        if flavour == "async":
            return httpx.AsyncClient(transport=_AsyncFaulty(self), timeout=10)
        return httpx.Client(transport=_SyncFaulty(self), timeout=10)

    def next_fault(self) -> str:
        return self.script.pop(0) if self.script else "pass"

    def record(
        self, request: httpx.Request, status: int | None, server: httpx.Headers | None
    ) -> None:
        self.seen.append(
            Seen(
                request.method,
                request.url.path,
                request.headers,
                status,
                server,
                time.monotonic(),
            )
        )

    def answer(
        self, request: httpx.Request, fault: str, forwarded: httpx.Response | None
    ) -> httpx.Response:
        server = forwarded.headers if forwarded is not None else None
        if fault == "drop":
            self.record(request, None, server)
            raise httpx.ReadError("connection reset by peer", request=request)
        if fault == "pass":
            assert forwarded is not None
            self.record(request, forwarded.status_code, server)
            headers = [
                (k, v)
                for k, v in forwarded.headers.multi_items()
                if k.lower() not in ("content-length", "content-encoding", "transfer-encoding")
            ]
            return httpx.Response(forwarded.status_code, headers=headers, content=forwarded.content)
        status, retry_after = {"503": (503, "0"), "429": (429, "1"), "500": (500, None)}[fault]
        self.record(request, status, server)
        headers = {"Content-Type": "application/problem+json"}
        if retry_after is not None:
            headers["Retry-After"] = retry_after
        problem = {
            "type": f"urn:gatehouse:problem:injected-{status}",
            "title": "Injected",
            "status": status,
            "detail": "injected by the test",
        }
        return httpx.Response(status, headers=headers, json=problem)


class _AsyncFaulty(httpx.AsyncBaseTransport):
    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        fault = self.faults.next_fault()
        forwarded = None
        if fault in ("pass", "503", "drop"):
            forwarded = await self.inner.handle_async_request(request)
            await forwarded.aread()
            await forwarded.aclose()
        return self.faults.answer(request, fault, forwarded)

    async def aclose(self) -> None:
        await self.inner.aclose()


class _SyncFaulty(httpx.BaseTransport):
    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        fault = self.faults.next_fault()
        forwarded = None
        if fault in ("pass", "503", "drop"):
            forwarded = self.inner.handle_request(request)
            forwarded.read()
            forwarded.close()
        return self.faults.answer(request, fault, forwarded)

    def close(self) -> None:
        self.inner.close()


async def close_http(http: httpx.AsyncClient | httpx.Client) -> None:
    if isinstance(http, httpx.AsyncClient):
        await http.aclose()
    else:
        http.close()


# -- every operation -------------------------------------------------------------------------


async def test_projects(live: Live, admin: Uniform, project_admin: Uniform) -> None:
    name = live.name("admin-project")
    made = await admin.create_project(
        name,
        session_ttl_seconds=600,
        max_ttl_seconds=7200,
        session_limit=3,
        session_limit_policy="evict_oldest",
        ws_url="wss://ws.example.com/",
        steam_app_id=480,
        steam_web_api_key="k-123",
        password_registration=False,
    )
    assert made.name == name and made.session_ttl_seconds == 600
    assert (made.max_ttl_seconds, made.session_limit) == (7200, 3)
    assert made.session_limit_policy == "evict_oldest"
    assert (made.steam_app_id, made.steam_web_api_key_set) == (480, True)
    assert made.password_registration is False and made.created_at.tzinfo is not None
    assert await admin.get_project(made.id) == made

    changed = await admin.update_project(made.id, session_limit=0, webrtc_url="https://rtc.test")
    assert (changed.session_limit, changed.webrtc_url) == (0, "https://rtc.test")
    assert changed.session_ttl_seconds == 600  # what was not sent is unchanged

    # All or nothing, per the CLI's rules: a lifetime under the session ttl.
    with pytest.raises(BadRequest) as bad:
        await admin.update_project(made.id, max_ttl_seconds=60, name="renamed")
    assert bad.value.code == "invalid-input" and bad.value.status == 400
    assert [e.field for e in bad.value.errors] == ["session_ttl_seconds"]
    assert (await admin.get_project(made.id)).name == name

    page = await admin.list_projects_page(limit=200)
    assert isinstance(page, Page) and made.id in [p.id for p in page.items]
    every = await admin.list_projects(limit=1)
    assert [p.id for p in every] == sorted(p.id for p in every)
    assert {live.project_id, made.id} <= {p.id for p in every}

    # A project key sees its own project only, and may not create one.
    assert [p.id for p in await project_admin.list_projects()] == [live.project_id]
    with pytest.raises(Forbidden) as forbidden:
        await project_admin.create_project(live.name("nope"))
    assert forbidden.value.code == "forbidden" and forbidden.value.surface == "admin-v1"


async def test_a_user_from_creation_to_deletion(live: Live, admin: Uniform) -> None:
    p = live.project_id
    username = live.name("bought")
    email = f"{username}@example.com"
    user: User = await admin.create_user(
        p, username, email=email, first_name="Ann", access_level=AccessLevel.MANAGEMENT
    )
    assert (user.project_id, user.username, user.email, user.first_name) == (
        p,
        username,
        email,
        "Ann",
    )
    assert user.access_level == 20 and user.has_password is False
    assert user.disabled is False and user.disabled_at is None
    assert await admin.get_user(p, user.id) == user
    assert await admin.find_user(p, username=username) == user
    assert await admin.find_user(p, email=email.upper()) == user  # any spelling
    assert await admin.find_user(p, username=live.name("nobody")) is None
    assert [u.id for u in await admin.list_users(p, email=email)] == [user.id]

    changed = await admin.update_user(
        p, user.id, email=f"new-{email}", email_validated=True, last_name="Lee", access_level=10
    )
    assert (changed.email, changed.email_validated) == (f"new-{email}", True)
    assert (changed.first_name, changed.last_name, changed.access_level) == ("Ann", "Lee", 10)

    disabled = await admin.disable_user(p, user.id)
    assert disabled.disabled and disabled.disabled_at is not None
    assert not (await admin.enable_user(p, user.id)).disabled

    done = await admin.set_password(p, user.id, PASSWORD)
    assert (done.user_id, done.sessions_ended) == (user.id, 0)
    assert (await admin.get_user(p, user.id)).has_password

    _, steam_id = live.steam_account()
    link = await admin.link_steam(p, user.id, steam_id)
    assert (link.user_id, link.steam_id) == (user.id, steam_id)
    assert (await admin.find_user(p, steam_id=steam_id)).id == user.id
    await admin.unlink_steam(p, user.id)
    with pytest.raises(NotFound):
        await admin.unlink_steam(p, user.id)
    assert await admin.find_user(p, steam_id=steam_id) is None

    await admin.delete_user(p, user.id)
    with pytest.raises(NotFound) as gone:
        await admin.get_user(p, user.id)
    assert gone.value.code == "user-not-found" and gone.value.title == "User not found"
    with pytest.raises(ValueError, match="find_user needs"):
        await admin.find_user(p)


async def test_two_factor_is_reset(live: Live, admin: Uniform) -> None:
    player = live.player(totp=True)
    assert (await admin.get_user(live.project_id, player.id)).two_factor_enabled
    await admin.reset_two_factor(live.project_id, player.id)
    assert not (await admin.get_user(live.project_id, player.id)).two_factor_enabled


async def _sessions_of(live: Live, client: NewClient, count: int) -> list[str]:
    """``count`` sessions of the client's user, started through Session Storage."""
    async with AsyncSessionStorageClient(
        live.base_url, client.client_id, client.client_secret
    ) as ss:
        return [(await ss.create_session(intent=f"match-{i}")).id for i in range(count)]


async def test_clients_and_sessions(live: Live, admin: Uniform) -> None:
    """A support ticket: find the player, look at their sessions, end them."""
    p = live.project_id
    user = await admin.create_user(p, live.name("support"), password=PASSWORD)
    made: NewClient = await admin.create_client(p, user.id, "launcher")
    assert made.client_secret and made.user_id == user.id and made.name == "launcher"
    assert (made.project_id, made.disabled) == (p, False)
    plain = await admin.get_client(p, made.client_id)
    assert plain.client_id == made.client_id and not hasattr(plain, "client_secret")
    assert [c.client_id for c in await admin.list_clients(p, user_id=user.id)] == [made.client_id]
    page = await admin.list_clients_page(p, user_id=user.id, limit=1)
    assert [c.client_id for c in page.items] == [made.client_id] and page.next_page_token is None

    started = await _sessions_of(live, made, 3)
    first = await admin.list_user_sessions_page(p, user.id, limit=2)
    assert [s.id for s in first.items] == started[:2] and first.next_page_token
    rest = await admin.list_user_sessions_page(p, user.id, limit=2, after=first.next_page_token)
    assert [s.id for s in rest.items] == started[2:] and rest.next_page_token is None
    every = await admin.list_user_sessions(p, user.id, limit=2)
    assert [s.id for s in every] == started

    one: AdminSession = await admin.get_session(p, started[0])
    assert (one.user_id, one.project_id, one.intent) == (user.id, p, "match-0")
    assert one.origin and one.ip == "127.0.0.1" and one.expires_at > one.created_at
    assert isinstance(one.factors, tuple) and isinstance(one.renewable, bool)
    await admin.revoke_session(p, started[0])
    with pytest.raises(NotFound) as gone:
        await admin.get_session(p, started[0])
    assert gone.value.code == "session-not-found"
    assert await admin.revoke_user_sessions(p, user.id) == 2
    assert await admin.list_user_sessions(p, user.id) == []

    assert (await admin.disable_client(p, made.client_id)).disabled
    with pytest.raises(Forbidden):
        await _sessions_of(live, made, 1)
    assert not (await admin.enable_client(p, made.client_id)).disabled
    assert len(await _sessions_of(live, made, 1)) == 1


async def test_api_keys(live: Live, admin: Uniform, flavour: str) -> None:
    p = live.project()
    made: NewApiKey = await admin.create_api_key(p, "admin", "backend")
    assert made.key.startswith("gk_") and (made.type, made.name) == ("admin", "backend")
    assert made.project_id == p and made.revoked_at is None
    listed = await admin.list_api_keys(p, limit=1)
    assert [k.id for k in listed] == [made.id] and not hasattr(listed[0], "key")

    # The new key is an admin key of that project, and of that project only.
    theirs = admin_client(live, flavour, made.key)
    try:
        assert [x.id for x in await theirs.list_projects()] == [p]
        with pytest.raises(NotFound) as elsewhere:
            await theirs.get_project(live.project_id)
        assert elsewhere.value.code == "project-not-found"
        await admin.revoke_api_key(p, made.id)
        with pytest.raises(Unauthorized) as revoked:
            await theirs.get_project(p)
        assert revoked.value.code == "invalid-credentials"
    finally:
        await theirs.close()
    with pytest.raises(NotFound):
        await admin.revoke_api_key(p, made.id)
    assert (await admin.list_api_keys_page(p)).items[0].revoked_at is not None


async def test_audit_events(live: Live, admin: Uniform, operator_key: str) -> None:
    p = live.project_id
    user = await admin.create_user(p, live.name("audited"))
    await admin.disable_user(p, user.id)
    events = await admin.list_audit_events(p, user_id=user.id)
    assert [e.action for e in events] == ["user-disabled", "user-created"]  # newest first
    assert all(e.origin == "admin" and e.actor.startswith("operator-key:") for e in events)
    assert all(e.user_id == user.id and e.project_id == p for e in events)
    assert operator_key not in repr(events)
    created = await admin.list_audit_events_page(p, user_id=user.id, action="user-created")
    assert [e.action for e in created.items] == ["user-created"]

    before = user.created_at - timedelta(seconds=1)
    since = await admin.list_audit_events(p, user_id=user.id, since=before)
    assert {e.action for e in since} == {"user-created", "user-disabled"}
    assert await admin.list_audit_events(p, user_id=user.id, until=before) == []
    later = datetime.now(UTC) + timedelta(hours=1)
    assert await admin.list_audit_events(p, user_id=user.id, since=later) == []
    naive = await admin.list_audit_events(p, user_id=user.id, since=before.replace(tzinfo=None))
    assert len(naive) == 2  # a time without an offset is UTC
    with pytest.raises(BadRequest) as bad:
        await admin.list_audit_events_page(p, since="soon")
    assert bad.value.errors == (FieldError("since", bad.value.detail or ""),)


async def test_a_players_data_is_exported_then_deleted(live: Live, admin: Uniform) -> None:
    p = live.project_id
    user = await admin.create_user(p, live.name("leaving"), email="leaving@example.org")
    _, steam_id = live.steam_account()
    await admin.link_steam(p, user.id, steam_id)
    made = await admin.create_client(p, user.id, "pc")
    started = await _sessions_of(live, made, 1)

    export = await admin.export_user(p, user.id)
    assert export.user == await admin.get_user(p, user.id)
    assert [(i.provider, i.subject) for i in export.linked_identities] == [("steam", steam_id)]
    assert [s.id for s in export.sessions] == started and export.sessions[0].ip == "127.0.0.1"
    assert [c.client_id for c in export.clients] == [made.client_id]
    assert made.client_secret not in repr(export)
    assert export.trusted_devices == ()
    actions = [e.action for e in export.audit_events]
    assert actions[0] == "user-created" and "steam-linked" in actions  # oldest first
    assert export.exported_at.tzinfo is not None

    await admin.delete_user(p, user.id)
    with pytest.raises(NotFound):
        await admin.export_user(p, user.id)
    with pytest.raises(NotFound):
        await admin.list_user_sessions_page(p, user.id)
    trail = await admin.list_audit_events(p, user_id=user.id)
    assert trail[0].action == "user-deleted"  # the record of what was done stays


# -- errors ----------------------------------------------------------------------------------


async def test_problems_are_exceptions(
    live: Live, admin: Uniform, project_admin: Uniform, flavour: str
) -> None:
    p = live.project_id
    taken = live.name("taken")
    await admin.create_user(p, taken)
    with pytest.raises(Conflict) as conflict:
        await admin.create_user(p, taken)
    error = conflict.value
    assert (error.status, error.code, error.surface) == (409, "conflict", "admin-v1")
    body = error.body
    assert isinstance(body, ProblemDetails)
    assert body.type == "urn:gatehouse:problem:conflict" and body.status == 409
    assert error.title == body.title == "Conflict"
    assert error.detail == body.detail == error.message and error.detail
    assert "admin-v1 HTTP 409, code conflict" in str(error)

    # A project key and another project, or a user of another project: 404.
    other = live.project()
    stranger = live.player(project_id=other)
    with pytest.raises(NotFound) as hidden:
        await project_admin.get_project(other)
    assert hidden.value.code == "project-not-found"
    with pytest.raises(NotFound):
        await project_admin.create_user(other, live.name("sneaky"))
    with pytest.raises(NotFound) as not_here:
        await project_admin.get_user(p, stranger.id)
    assert not_here.value.code == "user-not-found"

    with pytest.raises(BadRequest) as limit:
        await admin.list_users_page(p, limit=0)
    assert limit.value.code == "invalid-input" and limit.value.errors[0].field == "limit"
    cursor = (await admin.list_users_page(p, limit=1)).next_page_token
    with pytest.raises(BadRequest) as foreign:
        await admin.list_users_page(other, after=cursor)
    assert foreign.value.errors[0].field == "after"

    wrong = admin_client(live, flavour, "gko_" + "x" * 43)
    try:
        with pytest.raises(Unauthorized) as refused:
            await wrong.list_projects_page()
        assert refused.value.code == "invalid-credentials"
    finally:
        await wrong.close()


async def test_an_idempotency_key_with_another_request_is_422(live: Live, admin: Uniform) -> None:
    key = f"order-{live.name('k')}"
    await admin.create_user(live.project_id, live.name("first"), idempotency_key=key)
    with pytest.raises(ValidationFailed) as reused:
        await admin.create_user(live.project_id, live.name("second"), idempotency_key=key)
    assert reused.value.code == "idempotency-key-reused" and reused.value.status == 422
    assert reused.value.errors[0].field == "Idempotency-Key"


# -- pages -----------------------------------------------------------------------------------


async def test_pages(live: Live, admin: Uniform, operator_key: str, flavour: str) -> None:
    p = (await admin.create_project(live.name("paged"))).id
    made = [(await admin.create_user(p, f"u{i}")).id for i in range(5)]
    first = await admin.list_users_page(p, limit=2)
    assert [u.id for u in first.items] == made[:2] and first.next_page_token
    walked, page = list(first.items), first
    while page.next_page_token is not None:
        page = await admin.list_users_page(p, limit=2, after=page.next_page_token)
        walked += page.items
    assert [u.id for u in walked] == made

    faults = Faults()
    http = faults.http(flavour)
    counted = admin_client(live, flavour, operator_key, http=http)
    try:
        assert [u.id for u in await counted.list_users(p, limit=2)] == made
        assert [(s.method, s.status) for s in faults.seen] == [("GET", 200)] * 3
        # the walk may start from a cursor
        assert [u.id for u in await counted.list_users(p, after=first.next_page_token)] == made[2:]
    finally:
        await counted.close()
        await close_http(http)


# -- Idempotency-Key and retries ----------------------------------------------------------------


def _keys(faults: Faults) -> list[str | None]:
    return [s.headers.get("idempotency-key") for s in faults.seen]


async def test_each_create_call_has_a_key_of_its_own(
    live: Live, operator_key: str, flavour: str
) -> None:
    faults = Faults()
    http = faults.http(flavour)
    admin = admin_client(live, flavour, operator_key, http=http)
    try:
        await admin.create_user(live.project_id, live.name("k"))
        await admin.create_user(live.project_id, live.name("k"))
        await admin.get_project(live.project_id)
        one, two, none = _keys(faults)
        assert one and two and one != two and none is None
        assert faults.seen[0].server_headers is not None
        assert "idempotent-replayed" not in faults.seen[0].server_headers
    finally:
        await admin.close()
        await close_http(http)


async def test_a_creation_answered_503_is_retried_with_its_key_and_made_once(
    live: Live, operator_key: str, flavour: str
) -> None:
    """The server made the client application, but the answer was lost (a 503 came
    instead): the client retries with the same Idempotency-Key and gets the first
    answer, secret included; there is one client application."""
    user = live.player()
    faults = Faults(script=["503"])
    http = faults.http(flavour)
    admin = admin_client(live, flavour, operator_key, http=http)
    try:
        made = await admin.create_client(live.project_id, user.id, "retried")
        assert [s.status for s in faults.seen] == [503, 201]
        first, retry = _keys(faults)
        assert first is not None and first == retry
        assert faults.seen[0].server_headers is not None
        assert faults.seen[0].server_headers.get("idempotent-replayed") is None
        assert faults.seen[1].server_headers is not None
        assert faults.seen[1].server_headers["idempotent-replayed"] == "true"
        listed = await admin.list_clients(live.project_id, user_id=user.id)
        assert [c.client_id for c in listed if c.name == "retried"] == [made.client_id]
        # the secret replayed is the one that works
        assert len(await _sessions_of(live, made, 1)) == 1
    finally:
        await admin.close()
        await close_http(http)


async def test_a_dropped_creation_repeated_with_its_key_is_made_once(
    live: Live, operator_key: str, flavour: str
) -> None:
    """The connection drops after the server made the user: the client does not
    repeat it on its own; the caller repeats the call with the same explicit key
    and gets the replay, and there is one user."""
    faults = Faults(script=["drop"])
    http = faults.http(flavour)
    admin = admin_client(live, flavour, operator_key, http=http)
    username = live.name("purchase")
    key = f"order-{username}"
    try:
        with pytest.raises(ConnectionFailed):
            await admin.create_user(
                live.project_id, username, email=f"{username}@x.org", idempotency_key=key
            )
        assert len(faults.seen) == 1 and faults.seen[0].status is None
        again = await admin.create_user(
            live.project_id, username, email=f"{username}@x.org", idempotency_key=key
        )
        assert _keys(faults) == [key, key]
        assert faults.seen[1].server_headers is not None
        assert faults.seen[1].server_headers["idempotent-replayed"] == "true"
        assert again.username == username
        assert [u.id for u in await admin.list_users(live.project_id, username=username)] == [
            again.id
        ]
        # and once more, as a plain repeat: the same answer again
        assert (
            await admin.create_user(
                live.project_id, username, email=f"{username}@x.org", idempotency_key=key
            )
            == again
        )
    finally:
        await admin.close()
        await close_http(http)


async def test_only_429_and_503_are_retried(live: Live, operator_key: str, flavour: str) -> None:
    faults = Faults(script=["429"])
    http = faults.http(flavour)
    admin = admin_client(live, flavour, operator_key, http=http)
    try:
        assert (await admin.get_project(live.project_id)).id == live.project_id
        assert [s.status for s in faults.seen] == [429, 200]
        assert faults.seen[1].at - faults.seen[0].at >= 1.0  # Retry-After: 1

        faults.seen.clear()
        faults.script.append("500")
        with pytest.raises(ServerError) as failed:
            await admin.get_project(live.project_id)
        assert failed.value.code == "injected-500" and [s.status for s in faults.seen] == [500]

        faults.seen.clear()
        taken = live.name("once")
        await admin.create_user(live.project_id, taken)
        with pytest.raises(Conflict):
            await admin.create_user(live.project_id, taken)
        assert [s.status for s in faults.seen] == [201, 409]
    finally:
        await admin.close()
        await close_http(http)

    # a 503 beyond the retry budget is raised, with its Retry-After
    faults = Faults(script=["503", "503"])
    http = faults.http(flavour)
    admin = admin_client(live, flavour, operator_key, http=http, retry=RetryPolicy(max_attempts=2))
    try:
        with pytest.raises(ServerError) as unavailable:
            await admin.create_user(live.project_id, live.name("given-up"))
        assert unavailable.value.status == 503 and unavailable.value.retry_after == 0
        assert len(faults.seen) == 2 and len(set(_keys(faults))) == 1
    finally:
        await admin.close()
        await close_http(http)
