"""Row → value-type mapping shared by the repositories."""

from __future__ import annotations

import functools
import operator
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


_USER_COLUMNS = (
    "id",
    "project_id",
    "username",
    "email",
    "first_name",
    "last_name",
    "gender",
    "phone",
    "access_level",
    "email_validated",
    "is_trial",
    "trial_expires_at",
    "created_at",
    "password_hash",
    "totp_secret_enc",
    "disabled_at",
)
_SESSION_COLUMNS = (
    "id",
    "project_id",
    "user_id",
    "created_at",
    "updated_at",
    "expires_at",
    "origin",
    "intent",
    "room_name",
    "factors",
    "scope",
    "renewable",
)


@functools.cache
def _columns(names: tuple[str, ...], prefix: str) -> operator.attrgetter[Any]:
    """All of ``names`` (labelled ``<prefix><name>`` in joined queries) in one C call:
    a user check maps a row on every request."""
    return operator.attrgetter(*(prefix + name for name in names))


def user_from_row(row: Any, prefix: str = "") -> User:
    """``prefix`` reads columns labelled ``<prefix><name>`` (joined queries)."""
    (
        id,
        project_id,
        username,
        email,
        first_name,
        last_name,
        gender,
        phone,
        access_level,
        email_validated,
        is_trial,
        trial_expires_at,
        created_at,
        password_hash,
        totp_secret_enc,
        disabled_at,
    ) = _columns(_USER_COLUMNS, prefix)(row)
    return User(
        id=id,
        project_id=project_id,
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        gender=gender,
        phone=phone,
        access_level=AccessLevel(access_level),
        email_validated=bool(email_validated),
        is_trial=bool(is_trial),
        trial_expires_at=trial_expires_at,
        created_at=created_at,
        has_password=password_hash is not None,
        totp_enabled=totp_secret_enc is not None,
        credential_stamp=credential_stamp(password_hash, totp_secret_enc),
        disabled_at=disabled_at,
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
    (
        id,
        project_id,
        user_id,
        created_at,
        updated_at,
        expires_at,
        origin,
        intent,
        room_name,
        factors,
        scope,
        renewable,
    ) = _columns(_SESSION_COLUMNS, prefix)(row)
    return Session(
        id,
        project_id,
        user_id,
        created_at,
        updated_at,
        expires_at,
        SessionOrigin(origin),
        intent,
        room_name,
        tuple(factors.split(",")) if factors else (),
        scope,
        bool(renewable),
    )
