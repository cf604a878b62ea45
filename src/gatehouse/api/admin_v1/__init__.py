"""Admin API (``/admin/v1``): operator and project admin keys, problem+json errors,
keyset pages, ``Idempotency-Key`` on creations; docs/surfaces/admin-v1.md."""

from gatehouse.api._common.routing import Surface
from gatehouse.api.admin_v1.docs import router
from gatehouse.api.admin_v1.errors import PREFIX, render
from gatehouse.api.admin_v1.routes import ROUTES

SURFACE = Surface(PREFIX, ROUTES, render)

__all__ = ["SURFACE", "router"]
