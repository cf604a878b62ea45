"""What the ASGI middleware and the FastAPI / Litestar dependencies share: find the
token in a request's ASGI scope, verify it, and either put the identity in the
scope or say how to refuse (framework-free)."""

from __future__ import annotations

import json
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from gatehouse_client.errors import GatehouseError, InvalidToken
from gatehouse_client.verifier import AsyncTokenVerifier, Identity

__all__ = ["SCOPE_KEY", "Denial", "TokenGetter", "authenticate", "bearer_token", "header_token"]

Scope = MutableMapping[str, Any]
#: Finds the token in an ASGI scope (``None``: there is none).
TokenGetter = Callable[[Scope], str | None]

#: Where the identity is put: ``scope["gatehouse"]`` and ``scope["state"]["gatehouse"]``
#: (``request.state.gatehouse`` in Starlette, FastAPI and Litestar).
SCOPE_KEY = "gatehouse"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def bearer_token(scope: Scope) -> str | None:
    """The token of ``Authorization: Bearer <token>`` (the default)."""
    value = _header(scope, b"authorization")
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def header_token(name: str) -> TokenGetter:
    """A getter for a token sent in its own header, e.g. ``header_token("X-API-Key")``
    or ``header_token("PRIVATE-TOKEN")``."""
    wanted = name.lower().encode("latin-1")

    def get(scope: Scope) -> str | None:
        value = _header(scope, wanted)
        if value is None:
            return None
        return value.strip() or None

    return get


@dataclass(frozen=True, slots=True)
class Denial:
    """How to refuse a request: 401 without a valid token, 503 when Gatehouse
    could not say."""

    status: int
    error: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> bytes:
        return json.dumps({"error": self.error, "message": self.message}).encode()


def _bearer_challenge(error: str | None = None) -> dict[str, str]:
    value = "Bearer" if error is None else f'Bearer error="{error}"'
    return {"WWW-Authenticate": value}


def stored(scope: Scope) -> Identity | None:
    found = scope.get(SCOPE_KEY)
    return found if isinstance(found, Identity) else None


def store(scope: Scope, identity: Identity) -> None:
    scope[SCOPE_KEY] = identity
    state = scope.get("state")
    if not isinstance(state, MutableMapping):
        state = scope["state"] = {}
    state[SCOPE_KEY] = identity


async def authenticate(
    verifier: AsyncTokenVerifier, scope: Scope, token_getter: TokenGetter = bearer_token
) -> Identity | Denial:
    """The request's identity (stored in its scope), or how to refuse it."""
    already = stored(scope)
    if already is not None:
        return already
    token = token_getter(scope)
    if token is None:
        return Denial(401, "missing_token", "A token is required", _bearer_challenge())
    try:
        identity = await verifier.verify(token)
    except InvalidToken:
        return Denial(
            401,
            "invalid_token",
            "The token is unknown, expired or revoked",
            _bearer_challenge("invalid_token"),
        )
    except GatehouseError as error:
        headers = {}
        if error.retry_after is not None:
            headers["Retry-After"] = str(max(1, round(error.retry_after)))
        return Denial(503, "verifier_unavailable", "The token could not be checked", headers)
    store(scope, identity)
    return identity
