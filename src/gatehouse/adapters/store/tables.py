"""All tables, one MetaData. Times are integer microseconds since the epoch (UTC).

Secrets appear only as ``*_hash`` (HMAC-SHA256 hex under the instance key) or
``*_enc`` (AES-GCM under a key derived from it).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

__all__ = [
    "access_tokens",
    "api_keys",
    "audit_events",
    "clients",
    "email_links",
    "external_identities",
    "idempotency_keys",
    "metadata",
    "operator_keys",
    "pending_sign_ins",
    "project_admins",
    "projects",
    "recovery_codes",
    "session_tokens",
    "sessions",
    "trusted_devices",
    "users",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-increments an ``INTEGER PRIMARY KEY``.
Id = BigInteger().with_variant(Integer(), "sqlite")
Time = BigInteger

projects = Table(
    "projects",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("created_at", Time, nullable=False),
    Column("session_ttl_seconds", Integer, nullable=False),
    Column("max_ttl_seconds", Integer, nullable=False),
    Column("session_limit", Integer, nullable=False),
    Column("session_limit_policy", String(16), nullable=False),
    Column("ws_url", String(2000), nullable=False, server_default=""),
    Column("webrtc_url", String(2000), nullable=False, server_default=""),
    Column("steam_app_id", BigInteger, nullable=True),
    Column("steam_web_api_key_enc", Text, nullable=True),
    Column("steam_auto_create", Boolean, nullable=False, server_default="1"),
    Column("password_registration", Boolean, nullable=False, server_default="0"),
)

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("username", String(255), nullable=False),
    Column("email", String(320), nullable=False, server_default=""),
    Column("first_name", String(255), nullable=False, server_default=""),
    Column("last_name", String(255), nullable=False, server_default=""),
    Column("gender", String(32), nullable=False, server_default=""),
    Column("phone", String(64), nullable=False, server_default=""),
    Column("access_level", Integer, nullable=False, server_default="10"),
    Column("email_validated", Boolean, nullable=False, server_default="0"),
    Column("is_trial", Boolean, nullable=False, server_default="0"),
    Column("trial_expires_at", Time, nullable=True),
    Column("marketing_opt_in", Boolean, nullable=True),
    Column("password_hash", Text, nullable=True),
    Column("totp_secret_enc", Text, nullable=True),
    Column("totp_last_step", BigInteger, nullable=True),
    # Set while an operator has switched the account off (migration 0007).
    Column("disabled_at", Time, nullable=True),
    Column("created_at", Time, nullable=False),
    Column("updated_at", Time, nullable=False),
    UniqueConstraint("project_id", "username", name="uq_users_project_username"),
    Index("ix_users_project_email", "project_id", "email"),
    # Emails are stored normalised (core/identifiers.py), so this makes an address
    # unique within a project whatever its case or spaces (migration 0004).
    Index(
        "uq_users_project_email",
        "project_id",
        "email",
        unique=True,
        sqlite_where=text("email <> ''"),
        postgresql_where=text("email <> ''"),
    ),
)

project_admins = Table(
    "project_admins",
    metadata,
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_project_admins_user", "user_id"),
)

external_identities = Table(
    "external_identities",
    metadata,
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("provider", String(32), primary_key=True),
    Column("subject", String(255), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", Time, nullable=False),
    UniqueConstraint("user_id", "provider", name="uq_external_identities_user_provider"),
)

recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("used_at", Time, nullable=True),
    Index("ix_recovery_codes_user", "user_id"),
)

clients = Table(
    "clients",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False, server_default=""),
    Column("secret_hash", String(64), nullable=False),
    Column("disabled", Boolean, nullable=False, server_default="0"),
    Column("created_at", Time, nullable=False),
    Index("ix_clients_user", "user_id"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("key_type", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False, server_default=""),
    Column("created_at", Time, nullable=False),
    Column("revoked_at", Time, nullable=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(48), primary_key=True),
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", Time, nullable=False),
    Column("updated_at", Time, nullable=False),
    Column("expires_at", Time, nullable=False),
    Column("last_seen_at", Time, nullable=True),
    Column("origin", String(16), nullable=False),
    Column("intent", String(200), nullable=True),
    Column("room_name", String(64), nullable=False),
    Column("factors", String(128), nullable=False, server_default=""),
    Column("scope", String(16), nullable=False, server_default="user"),
    Column("client_id", String(64), nullable=True),
    Column("ip", String(45), nullable=False, server_default=""),
    Column("user_agent", String(512), nullable=False, server_default=""),
    # Issued as renewable by its holder (HiveMP sign-in; core/renewal.py, migration 0005).
    Column("renewable", Boolean, nullable=False, server_default="0"),
    # Keyset listing (oldest first).
    Index("ix_sessions_user_created", "user_id", "created_at", "id"),
    # The per-user limit count (a range on the user's own entries, whatever the
    # planner's statistics say about how users share the table).
    Index("ix_sessions_user_expires", "user_id", "expires_at"),
    # The sweeper.
    Index("ix_sessions_expires", "expires_at"),
)

session_tokens = Table(
    "session_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("session_id", ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("role", String(16), nullable=False),
)

access_tokens = Table(
    "access_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
    Column("session_id", ForeignKey("sessions.id", ondelete="SET NULL"), nullable=True, index=True),
    Column("created_at", Time, nullable=False),
    Column("expires_at", Time, nullable=True),
)

pending_sign_ins = Table(
    "pending_sign_ins",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", Time, nullable=False),
    Column("expires_at", Time, nullable=False, index=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("data", Text, nullable=False, server_default="{}"),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", Time, nullable=False),
    Column("project_id", BigInteger, nullable=True),
    Column("user_id", BigInteger, nullable=True),
    Column("session_id", String(48), nullable=True),
    Column("action", String(32), nullable=False),
    Column("origin", String(16), nullable=False, server_default=""),
    Column("detail", String(500), nullable=False, server_default=""),
    # The caller's address, where one made the event (migration 0006).
    Column("ip", String(45), nullable=False, server_default=""),
    # Who made the change: ``operator-key:<id>``, ``api-key:<id>``, ``cli`` (0007).
    Column("actor", String(64), nullable=False, server_default=""),
    Index("ix_audit_events_user_at", "user_id", "at"),
    Index("ix_audit_events_project_at", "project_id", "at"),
)

# Single-use links sent by mail (password reset, email confirmation): only the
# link's HMAC is stored; ``email`` is the address a confirmation link confirms.
email_links = Table(
    "email_links",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("purpose", String(16), nullable=False),
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("email", String(320), nullable=False, server_default=""),
    Column("created_at", Time, nullable=False),
    Column("expires_at", Time, nullable=False, index=True),
    Index("ix_email_links_user", "user_id", "purpose"),
)

# HiveMP "trust this device": the device identifier is stored only as an HMAC
# (keyed by the instance key, bound to the user), never in the clear.
trusted_devices = Table(
    "trusted_devices",
    metadata,
    Column("device_hash", String(64), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False, server_default=""),
    Column("created_at", Time, nullable=False),
    Column("expires_at", Time, nullable=False),
    Index("ix_trusted_devices_user", "user_id"),
)

# Instance-wide keys of the admin API (``gko_``), made only by the CLI; only the
# key's HMAC is stored.
operator_keys = Table(
    "operator_keys",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, server_default=""),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", Time, nullable=False),
    Column("revoked_at", Time, nullable=True),
)

# The admin API's Idempotency-Key records: (owner, key) -> the request's
# fingerprint and, once answered, the answer (its body sealed); kept 24 hours.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("owner", String(64), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer, nullable=True),
    Column("body", Text, nullable=True),
    Column("created_at", Time, nullable=False),
    Column("expires_at", Time, nullable=False, index=True),
)
