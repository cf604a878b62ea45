"""ASGI middleware: every request (HTTP and WebSocket) must carry a valid token.

    app = GatehouseMiddleware(app, AsyncTokenVerifier(GATEHOUSE_URL),
                              exempt_paths=["/healthz", "/docs/"])

The identity goes into ``scope["gatehouse"]`` and ``scope["state"]["gatehouse"]``
(``request.state.gatehouse``). Without a token, or with one that is unknown,
expired or revoked: 401 with a JSON body and ``WWW-Authenticate: Bearer``;
when Gatehouse cannot answer: 503. A WebSocket is closed (1008) before accept.
An exempt path is one listed exactly, or under a listed entry that ends in "/".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from gatehouse_client._auth import Denial, TokenGetter, authenticate, bearer_token, header_token
from gatehouse_client.verifier import AsyncTokenVerifier

__all__ = ["GatehouseMiddleware", "bearer_token", "header_token"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: WebSocket close code "policy violation".
_WS_POLICY_VIOLATION = 1008


class GatehouseMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        verifier: AsyncTokenVerifier,
        *,
        exempt_paths: Iterable[str] = (),
        token_getter: TokenGetter = bearer_token,
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.token_getter = token_getter
        paths = list(exempt_paths)
        self._exact = frozenset(p for p in paths if not p.endswith("/"))
        self._prefixes = tuple(p for p in paths if p.endswith("/"))

    def exempt(self, path: str) -> bool:
        return path in self._exact or path.startswith(self._prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.exempt(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        outcome = await authenticate(self.verifier, scope, self.token_getter)
        if isinstance(outcome, Denial):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": _WS_POLICY_VIOLATION})
            else:
                await _refuse(send, outcome)
            return
        await self.app(scope, receive, send)


async def _refuse(send: Send, denial: Denial) -> None:
    body = denial.body()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in denial.headers.items()),
    ]
    await send({"type": "http.response.start", "status": denial.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
