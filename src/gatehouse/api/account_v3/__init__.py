"""Account session API v3 (i3D.net ONE API-compatible): ``PRIVATE-TOKEN``, v3 error body."""

from gatehouse.api.account_v3.errors import PREFIX, renderer
from gatehouse.api.account_v3.fast import FAST_ROUTES
from gatehouse.api.account_v3.routes import router

__all__ = ["FAST_ROUTES", "PREFIX", "renderer", "router"]
