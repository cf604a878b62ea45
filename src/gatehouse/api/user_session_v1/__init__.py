"""User Session API v1 (HiveMP-compatible): X-API-Key, camelCase, HiveMPSystemError."""

from gatehouse.api._common.routing import Surface
from gatehouse.api.user_session_v1.errors import PREFIX, render
from gatehouse.api.user_session_v1.routes import ROUTES, router

SURFACE = Surface(PREFIX, ROUTES, render)

__all__ = ["SURFACE", "router"]
