"""What makes a project's settings usable, judged on the whole project.

A change is checked against the project it would produce, not field by field:
``max_ttl_seconds = 1`` is a fine number but leaves the default session lifetime
longer than the longest allowed, and every session start would then fail.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from gatehouse.core.errors import InvalidInput
from gatehouse.core.models import Project

__all__ = ["MAX_NAME_LENGTH", "MAX_SESSION_LIMIT", "MAX_TTL_SECONDS", "check_project"]

MAX_NAME_LENGTH = 200
MAX_TTL_SECONDS = 10 * 365 * 86_400
#: 0 means no limit.
MAX_SESSION_LIMIT = 100_000
MAX_URL_LENGTH = 2000
_URL_SCHEMES = ("http://", "https://", "ws://", "wss://")


def check_project(project: Project) -> None:
    """Raise ``InvalidInput`` naming the first rule ``project`` breaks."""
    if not 1 <= len(project.name.strip()) <= MAX_NAME_LENGTH:
        raise InvalidInput(f"name must be 1 to {MAX_NAME_LENGTH} characters", field="name")
    for key in ("session_ttl_seconds", "max_ttl_seconds"):
        if not 1 <= getattr(project, key) <= MAX_TTL_SECONDS:
            raise InvalidInput(f"{key} must be between 1 and {MAX_TTL_SECONDS}", field=key)
    if project.session_ttl_seconds > project.max_ttl_seconds:
        raise InvalidInput(
            f"session_ttl_seconds ({project.session_ttl_seconds}) must not exceed "
            f"max_ttl_seconds ({project.max_ttl_seconds})",
            field="session_ttl_seconds",
        )
    if not 0 <= project.session_limit <= MAX_SESSION_LIMIT:
        raise InvalidInput(
            f"session limit must be between 0 (no limit) and {MAX_SESSION_LIMIT}",
            field="session_limit",
        )
    for key in ("ws_url", "webrtc_url"):
        url: str = getattr(project, key)
        if url and not _usable_url(url):
            raise InvalidInput(f"{key} must be an http(s):// or ws(s):// URL", field=key)
    if project.steam_app_id is not None and not 0 < project.steam_app_id < 2**32:
        raise InvalidInput("steam app id must be a positive integer", field="steam_app_id")


def _usable_url(url: str) -> bool:
    """A scheme clients can dial, a host, and nothing a client would choke on."""
    if len(url) > MAX_URL_LENGTH or not url.startswith(_URL_SCHEMES):
        return False
    if not url.isprintable() or any(c.isspace() for c in url):
        return False
    try:
        return bool(urlsplit(url).hostname)
    except ValueError:  # a malformed port or IPv6 literal
        return False
