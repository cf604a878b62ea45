"""Litestar dependency and guard (``pip install gatehouse-client[litestar]``).

    verifier = AsyncTokenVerifier(GATEHOUSE_URL)

    @get("/me", dependencies={"identity": identity_dependency(verifier)})
    async def me(identity: NamedDependency[Identity]) -> dict[str, str]:  # litestar.di
        return {"user": identity.user_id}

    app = Litestar([me], guards=[identity_guard(verifier)])   # or per route

401 (``WWW-Authenticate: Bearer``) without a valid token, 503 when Gatehouse
cannot answer. The guard stores the identity (``request.state.gatehouse``), so a
dependency after it does not check the token again.
"""

# No ``from __future__ import annotations``: Litestar reads these annotations at runtime.

from collections.abc import Awaitable, Callable
from typing import Any

try:
    from litestar import Request
    from litestar.connection import ASGIConnection
    from litestar.di import Provide
    from litestar.exceptions import (
        HTTPException,
        NotAuthorizedException,
        ServiceUnavailableException,
    )
    from litestar.handlers.base import BaseRouteHandler
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "gatehouse_client.litestar needs Litestar: pip install 'gatehouse-client[litestar]'"
    ) from exc

from gatehouse_client._auth import Denial, TokenGetter, authenticate, bearer_token
from gatehouse_client.verifier import AsyncTokenVerifier, Identity

__all__ = ["identity_dependency", "identity_guard"]

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


def _refusal(denial: Denial) -> HTTPException:
    cls = NotAuthorizedException if denial.status == 401 else ServiceUnavailableException
    return cls(
        detail=denial.message,
        headers=denial.headers or None,
        extra={"error": denial.error},
    )


def identity_dependency(
    verifier: AsyncTokenVerifier, *, token_getter: TokenGetter = bearer_token
) -> Provide:
    """``dependencies={"identity": identity_dependency(verifier)}``."""

    async def gatehouse_identity(request: Request[Any, Any, Any]) -> Identity:
        outcome = await authenticate(verifier, request.scope, token_getter)  # type: ignore[arg-type]
        if isinstance(outcome, Denial):
            raise _refusal(outcome)
        return outcome

    return Provide(gatehouse_identity)


def identity_guard(
    verifier: AsyncTokenVerifier, *, token_getter: TokenGetter = bearer_token
) -> Guard:
    """``guards=[identity_guard(verifier)]``: refuse requests without a valid token."""

    async def gatehouse_guard(
        connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
    ) -> None:
        outcome = await authenticate(verifier, connection.scope, token_getter)  # type: ignore[arg-type]
        if isinstance(outcome, Denial):
            raise _refusal(outcome)

    return gatehouse_guard
