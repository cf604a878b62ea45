"""The OpenAPI document and the router serve the same endpoints: every documented
operation of a surface is one the router answers, and nothing is served that the
document does not describe."""

from __future__ import annotations

from gatehouse.api import account_v3, admin_v1, session_storage, user_session_v1
from gatehouse.app import create_app

SURFACES = [
    session_storage.SURFACE,
    account_v3.SURFACE,
    user_session_v1.SURFACE,
    admin_v1.SURFACE,
]


async def test_the_document_and_the_route_table_name_the_same_operations(
    settings, services
) -> None:
    document = create_app(settings, services).openapi_schema.to_schema()
    documented = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "put", "post", "delete", "patch"}
        and any(path.startswith(s.prefix + "/") for s in SURFACES)
    }
    served = {
        (route.method, surface.prefix + route.template)
        for surface in SURFACES
        for route in surface.routes
    }
    assert documented == served
    assert len(served) == 15 + 29
