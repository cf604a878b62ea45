"""A tiny FastAPI game back-end. No ``from __future__ import annotations`` here:
FastAPI reads the handlers' annotations at runtime, as in a user's app."""

from typing import Annotated

from fastapi import Depends, FastAPI, Request

from gatehouse_client import AsyncTokenVerifier, Identity
from gatehouse_client.fastapi import identity_dependency


def make_app(verifier: AsyncTokenVerifier) -> FastAPI:
    current_identity = Annotated[Identity, Depends(identity_dependency(verifier))]
    app = FastAPI()

    @app.get("/me")
    async def me(identity: current_identity) -> dict[str, str | None]:  # type: ignore[valid-type]
        return {"user": identity.user_id, "session": identity.session_id}  # type: ignore[attr-defined]

    @app.get("/state")
    async def state(request: Request, identity: current_identity) -> dict[str, bool]:  # type: ignore[valid-type]
        return {"same": request.state.gatehouse is identity}

    return app
