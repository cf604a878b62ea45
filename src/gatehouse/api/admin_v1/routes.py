"""Admin API routes: each path and method and its operation (``ROUTES``, what the
router serves). The OpenAPI declarations are in ``docs.py``."""

from __future__ import annotations

from gatehouse.api._common.routing import Route
from gatehouse.api.admin_v1 import (
    operations_access as access,
)
from gatehouse.api.admin_v1 import (
    operations_audit as audit,
)
from gatehouse.api.admin_v1 import (
    operations_projects as projects,
)
from gatehouse.api.admin_v1 import (
    operations_users as users,
)

__all__ = ["ROUTES"]

_P = "/projects/{project_id}"
_U = _P + "/users/{user_id}"

ROUTES = [
    Route("GET", "/projects", projects.list_projects),
    Route("POST", "/projects", projects.create_project),
    Route("GET", _P, projects.get_project),
    Route("PATCH", _P, projects.update_project),
    Route("GET", _P + "/users", users.list_users),
    Route("POST", _P + "/users", users.create_user),
    Route("GET", _U, users.get_user),
    Route("PATCH", _U, users.update_user),
    Route("DELETE", _U, users.delete_user),
    Route("POST", _U + "/disable", users.disable_user),
    Route("POST", _U + "/enable", users.enable_user),
    Route("PUT", _U + "/password", users.set_password),
    Route("DELETE", _U + "/two-factor", users.reset_two_factor),
    Route("PUT", _U + "/steam", users.link_steam),
    Route("DELETE", _U + "/steam", users.unlink_steam),
    Route("GET", _U + "/export", audit.export_user),
    Route("GET", _U + "/sessions", access.list_user_sessions),
    Route("DELETE", _U + "/sessions", access.revoke_user_sessions),
    Route("GET", _P + "/sessions/{session_id}", access.get_session),
    Route("DELETE", _P + "/sessions/{session_id}", access.delete_session),
    Route("GET", _P + "/clients", access.list_clients),
    Route("POST", _P + "/clients", access.create_client),
    Route("GET", _P + "/clients/{client_id}", access.get_client),
    Route("POST", _P + "/clients/{client_id}/disable", access.disable_client),
    Route("POST", _P + "/clients/{client_id}/enable", access.enable_client),
    Route("GET", _P + "/api-keys", access.list_api_keys),
    Route("POST", _P + "/api-keys", access.create_api_key),
    Route("DELETE", _P + "/api-keys/{key_id}", access.revoke_api_key),
    Route("GET", _P + "/audit-events", audit.list_audit_events),
]
