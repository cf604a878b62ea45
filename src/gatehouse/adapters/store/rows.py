"""Row → value-type mapping shared by the repositories."""

from __future__ import annotations

from typing import Any

from gatehouse.core.models import (
    AccessLevel,
    Client,
    LimitPolicy,
    Project,
    Session,
    SessionOrigin,
    User,
)
from gatehouse.core.passwords import credential_stamp

__all__ = ["client_from_row", "project_from_row", "session_from_row", "user_from_row"]


def project_from_row(row: Any) -> Project:
    return Project(
        id=row.id,
        name=row.name,
        created_at=row.created_at,
        session_ttl_seconds=row.session_ttl_seconds,
        max_ttl_seconds=row.max_ttl_seconds,
        session_limit=row.session_limit,
        session_limit_policy=LimitPolicy(row.session_limit_policy),
        ws_url=row.ws_url,
        webrtc_url=row.webrtc_url,
        steam_app_id=row.steam_app_id,
        has_steam_web_api_key=row.steam_web_api_key_enc is not None,
        steam_auto_create=bool(row.steam_auto_create),
        password_registration=bool(row.password_registration),
    )


def user_from_row(row: Any, prefix: str = "") -> User:
    """``prefix`` reads columns labelled ``<prefix><name>`` (joined queries)."""
    c = _Columns(row, prefix)
    return User(
        id=c.id,
        project_id=c.project_id,
        username=c.username,
        email=c.email,
        first_name=c.first_name,
        last_name=c.last_name,
        gender=c.gender,
        phone=c.phone,
        access_level=AccessLevel(c.access_level),
        email_validated=bool(c.email_validated),
        is_trial=bool(c.is_trial),
        trial_expires_at=c.trial_expires_at,
        created_at=c.created_at,
        has_password=c.password_hash is not None,
        totp_enabled=c.totp_secret_enc is not None,
        credential_stamp=credential_stamp(c.password_hash, c.totp_secret_enc),
    )


def client_from_row(row: Any) -> Client:
    return Client(
        id=row.id,
        project_id=row.project_id,
        user_id=row.user_id,
        name=row.name,
        created_at=row.created_at,
        disabled=bool(row.disabled),
    )


def session_from_row(row: Any, prefix: str = "") -> Session:
    c = _Columns(row, prefix) if prefix else row
    return Session(
        id=c.id,
        project_id=c.project_id,
        user_id=c.user_id,
        created_at=c.created_at,
        updated_at=c.updated_at,
        expires_at=c.expires_at,
        origin=SessionOrigin(c.origin),
        intent=c.intent,
        room_name=c.room_name,
        factors=tuple(c.factors.split(",")) if c.factors else (),
        scope=c.scope,
        renewable=bool(c.renewable),
    )


class _Columns:
    """Attribute access to ``row.<prefix><name>``."""

    __slots__ = ("_prefix", "_row")

    def __init__(self, row: Any, prefix: str) -> None:
        self._row = row
        self._prefix = prefix

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, self._prefix + name)
