"""Operations endpoints: liveness, readiness, API documentation."""

from gatehouse.api.ops.routes import renderer, router

__all__ = ["renderer", "router"]
