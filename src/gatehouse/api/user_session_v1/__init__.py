"""User Session API v1 (HiveMP-compatible): X-API-Key, camelCase, HiveMPSystemError."""

from gatehouse.api.user_session_v1.errors import PREFIX, renderer
from gatehouse.api.user_session_v1.fast import FAST_ROUTES
from gatehouse.api.user_session_v1.routes import router

__all__ = ["FAST_ROUTES", "PREFIX", "renderer", "router"]
