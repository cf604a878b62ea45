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


def user_from_row(row: Any) -> User:
    return User(
        id=row.id,
        project_id=row.project_id,
        username=row.username,
        email=row.email,
        first_name=row.first_name,
        last_name=row.last_name,
        gender=row.gender,
        phone=row.phone,
        access_level=AccessLevel(row.access_level),
        email_validated=bool(row.email_validated),
        is_trial=bool(row.is_trial),
        trial_expires_at=row.trial_expires_at,
        created_at=row.created_at,
        has_password=row.password_hash is not None,
        totp_enabled=row.totp_secret_enc is not None,
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


def session_from_row(row: Any) -> Session:
    return Session(
        id=row.id,
        project_id=row.project_id,
        user_id=row.user_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        expires_at=row.expires_at,
        origin=SessionOrigin(row.origin),
        intent=row.intent,
        room_name=row.room_name,
        factors=tuple(row.factors.split(",")) if row.factors else (),
        scope=row.scope,
    )
