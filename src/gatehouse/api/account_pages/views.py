"""What the pages show, in words: surfaces, events, browsers, places. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from gatehouse.core.models import AuditEvent, SessionDetail

__all__ = ["ACTIVITY_ACTIONS", "ActivityRow", "SessionRow", "activity_rows", "session_rows"]

SURFACES: Final = {
    "storage": "Session Storage API",
    "hivemp": "Game sign-in (User Session API)",
    "account": "Account API",
    "cli": "Command line",
    "pages": "Account pages",
    "password-change": "Password change",
    "password-reset": "Password reset",
    "totp-reset": "Two-factor change",
    "sweeper": "Expiry",
}
#: What the activity page lists (renewals and lifetime changes are left out).
ACTIVITY_ACTIONS: Final = {
    "created": "Signed in",
    "sign-in-failed": "Failed sign-in",
    "revoked": "Session ended",
    "evicted": "Session ended (too many sessions)",
    "password-changed": "Password changed",
    "two-factor-on": "Two-factor turned on",
    "two-factor-off": "Two-factor turned off",
    "recovery-codes-new": "New recovery codes",
    "email-confirmed": "Email address confirmed",
}
_FACTORS: Final = {"password": "wrong password", "second-factor": "wrong code"}


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: str
    surface: str
    device: str
    ip: str
    country: str
    created_at: int
    last_used_at: int
    expires_at: int
    this_browser: bool


@dataclass(frozen=True, slots=True)
class ActivityRow:
    at: int
    event: str
    surface: str
    ip: str
    country: str


def surface(origin: str) -> str:
    return SURFACES.get(origin, origin or "—")


def device(user_agent: str) -> str:
    """A short name for a user agent (the whole string is in the title)."""
    if not user_agent:
        return "Unknown device"
    for name in ("Edg/", "Firefox/", "Chrome/", "Safari/"):
        if name in user_agent:
            browser = {"Edg/": "Edge", "Firefox/": "Firefox", "Chrome/": "Chrome"}.get(
                name, "Safari"
            )
            for system in ("Android", "iPhone", "iPad", "Windows", "Mac OS X", "Linux"):
                if system in user_agent:
                    return f"{browser} on {system.replace('Mac OS X', 'macOS')}"
            return browser
    return user_agent[:60]


def session_rows(
    details: list[SessionDetail], current: str, countries: dict[str, str]
) -> list[SessionRow]:
    return [
        SessionRow(
            id=d.session.id,
            surface=surface(str(d.session.origin)),
            device=device(d.user_agent),
            ip=d.ip,
            country=countries.get(d.ip, ""),
            created_at=d.session.created_at,
            last_used_at=d.last_used_at,
            expires_at=d.session.expires_at,
            this_browser=d.session.id == current,
        )
        for d in details
    ]


def activity_rows(events: list[AuditEvent], countries: dict[str, str]) -> list[ActivityRow]:
    rows = []
    for e in events:
        event = ACTIVITY_ACTIONS.get(e.action)
        if event is None:
            continue
        if e.action == "sign-in-failed" and e.detail in _FACTORS:
            event = f"{event} ({_FACTORS[e.detail]})"
        rows.append(ActivityRow(e.at, event, surface(e.origin), e.ip, countries.get(e.ip, "")))
    return rows
