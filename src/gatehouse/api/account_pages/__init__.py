"""The players' account pages (server-rendered HTML, no script): docs/account-pages.md."""

from gatehouse.api._common.routing import Surface
from gatehouse.api.account_pages.errors import PREFIX, render
from gatehouse.api.account_pages.routes import ROUTES

SURFACE = Surface(PREFIX, ROUTES, render)

__all__ = ["SURFACE"]
