"""Account session API v3 (i3D.net ONE API-compatible): ``PRIVATE-TOKEN``, v3 error body."""

from gatehouse.api._common.routing import Surface
from gatehouse.api.account_v3.errors import PREFIX, render
from gatehouse.api.account_v3.routes import ROUTES, router

SURFACE = Surface(PREFIX, ROUTES, render)

__all__ = ["SURFACE", "router"]
