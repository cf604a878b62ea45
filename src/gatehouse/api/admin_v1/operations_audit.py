"""The audit trail of a project, and a user's personal-data export."""

from __future__ import annotations

from datetime import UTC, datetime

from gatehouse.adapters.store.admin import AuditFilter
from gatehouse.api._common.http import Call, Reply, json_reply
from gatehouse.api.admin_v1.common import admin, page_args, page_reply, project_of, user_of
from gatehouse.api.admin_v1.schemas import (
    IdentityOut,
    TrustedDeviceOut,
    UserExportOut,
    audit_out,
    client_out,
    session_out,
    user_out,
)
from gatehouse.core.clock import rfc3339
from gatehouse.core.errors import InvalidInput
from gatehouse.services.operator_keys import AdminCaller

__all__ = ["export_user", "list_audit_events"]

_US = 1_000_000


def _time(call: Call, name: str) -> int | None:
    """An ISO 8601 time of the query (no offset: UTC) as microseconds."""
    raw = call.query_value(name)
    if raw is None or raw == "":
        return None
    try:
        at = datetime.fromisoformat(raw.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{name} must be an ISO 8601 time", field=name) from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    try:
        return int(at.timestamp() * _US)
    except (OverflowError, ValueError):  # pragma: no cover - years 1-9999 all fit
        raise InvalidInput(f"{name} is out of range", field=name) from None


@admin
async def list_audit_events(call: Call, caller: AdminCaller) -> Reply:
    project = await project_of(call, caller)
    found = AuditFilter(
        user_id=call.query_int("user_id"),
        action=call.query_value("action") or None,
        since=_time(call, "since"),
        until=_time(call, "until"),
    )
    listing = await call.services.admin_directory.audit_events(project.id, found, **page_args(call))
    return page_reply([audit_out(e) for e in listing.items], listing.next)


@admin
async def export_user(call: Call, caller: AdminCaller) -> Reply:
    project, user = await user_of(call, caller)
    data = await call.services.admin_users.export(project.id, user.id)
    body = UserExportOut(
        exported_at=rfc3339(call.services.clock.now_us()),
        user=user_out(data.user),
        linked_identities=[
            IdentityOut(provider=i.provider, subject=i.subject, linked_at=rfc3339(i.created_at))
            for i in data.identities
        ],
        sessions=[session_out(d) for d in data.sessions],
        trusted_devices=[
            TrustedDeviceOut(
                name=d.name, trusted_at=rfc3339(d.created_at), expires_at=rfc3339(d.expires_at)
            )
            for d in data.devices
        ],
        clients=[client_out(c) for c in data.clients],
        audit_events=[audit_out(e) for e in data.events],
    )
    return json_reply(body)
