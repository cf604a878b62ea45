"""Session Storage API (Palabra.ai-compatible): ClientID + ClientSecret, ``{"ok": …}``."""

from gatehouse.api._common.routing import Surface
from gatehouse.api.session_storage.errors import PREFIX, render
from gatehouse.api.session_storage.routes import ROUTES, router

SURFACE = Surface(PREFIX, ROUTES, render)

__all__ = ["SURFACE", "router"]
