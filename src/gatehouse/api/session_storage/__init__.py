"""Session Storage API (Palabra.ai-compatible): ClientID + ClientSecret, ``{"ok": …}``."""

from gatehouse.api.session_storage.errors import PREFIX, renderer
from gatehouse.api.session_storage.fast import FAST_ROUTES
from gatehouse.api.session_storage.routes import router

__all__ = ["FAST_ROUTES", "PREFIX", "renderer", "router"]
