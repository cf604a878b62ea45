"""Session Storage operations: check the credentials, call one service, encode.

Each function is the one implementation of its endpoint (``routes.py`` maps the
paths to them and documents them).
"""

from __future__ import annotations

from gatehouse.api._common.http import Call, Reply, json_reply
from gatehouse.api.session_storage.schemas import (
    NewSessionEnvelope,
    NewSessionOut,
    NewSessionRequest,
    SessionEnvelope,
    SessionListEnvelope,
    SessionTtlRequest,
    session_out,
    token_session_envelope,
)
from gatehouse.core.clock import rfc3339
from gatehouse.core.errors import InvalidCredentials, InvalidInput
from gatehouse.core.models import Client, SessionOrigin
from gatehouse.services.sessions import DEFAULT_PAGE_SIZE

__all__ = [
    "bearer_token",
    "create_session",
    "delete_session",
    "get_session",
    "list_sessions",
    "update_session",
    "whoami",
]

_NO_CONTENT = Reply(204)


async def _client(call: Call) -> Client:
    """The client application of the ClientID + ClientSecret headers (names are
    case-insensitive: the official SDKs send ``ClientId``)."""
    client: Client = await call.services.projects.authenticate_client(
        call.header(b"clientid"), call.header(b"clientsecret"), caller=call.caller
    )
    return client


def bearer_token(values: list[str]) -> str | None:
    """The token of exactly one ``Authorization: Bearer <token>`` header, else None."""
    if len(values) != 1:
        return None
    scheme, _, token = values[0].partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token


async def whoami(call: Call) -> Reply:
    token = bearer_token(call.headers(b"authorization"))
    if token is None:
        raise InvalidCredentials("Send exactly one 'Authorization: Bearer <token>' header")
    resolved = await call.services.sessions.authenticate_bearer(token, caller=call.caller)
    return json_reply(token_session_envelope(resolved.session, str(resolved.role)))


async def list_sessions(call: Call) -> Reply:
    client = await _client(call)
    page_size = call.query_int("page_size")
    page = await call.services.sessions.page(
        client.user_id,
        page_size=DEFAULT_PAGE_SIZE if page_size is None else page_size,
        page_token=call.query_value("page_token") or None,
    )
    data = [session_out(s) for s in page.sessions]
    return json_reply(SessionListEnvelope(data=data, next_page_token=page.next_token))


async def get_session(call: Call) -> Reply:
    client = await _client(call)
    session = await call.services.sessions.get_owned(client.user_id, call.params["session_id"])
    return json_reply(SessionEnvelope(data=session_out(session)))


async def delete_session(call: Call) -> Reply:
    client = await _client(call)
    await call.services.sessions.revoke_owned(
        client.user_id, call.params["session_id"], origin=SessionOrigin.STORAGE
    )
    return _NO_CONTENT


async def update_session(call: Call) -> Reply:
    """``ttl_seconds`` in the query wins over the body's."""
    client = await _client(call)
    ttl = call.query_int("ttl_seconds")
    body: SessionTtlRequest | None = await call.json_as(SessionTtlRequest)
    if ttl is None and body is not None and body.data is not None:
        ttl = body.data.ttl_seconds
    if ttl is None:
        raise InvalidInput("ttl_seconds is required", field="ttl_seconds")
    services = call.services
    project = await services.projects.get(client.project_id)
    await services.sessions.set_ttl(client.user_id, call.params["session_id"], ttl, project)
    return _NO_CONTENT


async def create_session(call: Call) -> Reply:
    client = await _client(call)
    body: NewSessionRequest | None = await call.json_as(NewSessionRequest)
    data = body.data if body is not None else None
    services = call.services
    project = await services.projects.get(client.project_id)
    issued = await services.sessions.start(
        project=project,
        user_id=client.user_id,
        origin=SessionOrigin.STORAGE,
        ttl_seconds=data.ttl_seconds if data else None,
        intent=data.intent if data else None,
        subscriber_count=data.subscriber_count if data else 0,
        client_id=client.id,
        ip=call.caller,
        user_agent=call.user_agent,
    )
    s = issued.session
    out = NewSessionOut(
        id=s.id,
        created_at=rfc3339(s.created_at),
        updated_at=rfc3339(s.updated_at),
        expires_at=rfc3339(s.expires_at),
        intent=s.intent,
        publisher=issued.publisher,
        subscriber=list(issued.subscribers),
        ws_url=project.ws_url,
        webrtc_url=project.webrtc_url,
        webrtc_room_name=s.room_name,
    )
    return json_reply(NewSessionEnvelope(data=out), 201)
