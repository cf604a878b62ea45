"""FastAPI dependency (``pip install gatehouse-client[fastapi]``).

    verifier = AsyncTokenVerifier(GATEHOUSE_URL)
    CurrentIdentity = Annotated[Identity, Depends(identity_dependency(verifier))]

    @app.get("/me")
    async def me(identity: CurrentIdentity) -> dict[str, str]:
        return {"user": identity.user_id}

401 (``WWW-Authenticate: Bearer``) without a valid token, 503 when Gatehouse
cannot answer. Behind ``GatehouseMiddleware`` it reuses the middleware's identity.
"""

# No ``from __future__ import annotations``: FastAPI reads these annotations at runtime.

from collections.abc import Awaitable, Callable

try:
    from fastapi import HTTPException, Request
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "gatehouse_client.fastapi needs FastAPI: pip install 'gatehouse-client[fastapi]'"
    ) from exc

from gatehouse_client._auth import Denial, TokenGetter, authenticate, bearer_token
from gatehouse_client.verifier import AsyncTokenVerifier, Identity

__all__ = ["identity_dependency"]


def identity_dependency(
    verifier: AsyncTokenVerifier, *, token_getter: TokenGetter = bearer_token
) -> Callable[[Request], Awaitable[Identity]]:
    """A dependency that answers the request's ``Identity`` (or refuses it)."""

    async def gatehouse_identity(request: Request) -> Identity:
        outcome = await authenticate(verifier, request.scope, token_getter)
        if isinstance(outcome, Denial):
            raise HTTPException(
                outcome.status,
                detail={"error": outcome.error, "message": outcome.message},
                headers=outcome.headers or None,
            )
        return outcome

    return gatehouse_identity
