"""Apply Alembic migrations through the application's own engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from gatehouse.adapters.store.engine import Database

__all__ = ["MigrationRefused", "alembic_config", "migrate"]

_HERE = Path(__file__).parent / "migrations"


class MigrationRefused(RuntimeError):
    """A migration found data it will not change on its own (the message says
    what and how to fix it); its transaction is rolled back, nothing changed."""


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


#: Any constant: instances starting at once on one PostgreSQL queue on this lock.
_MIGRATION_LOCK = 0x6761_7465


async def migrate(db: Database) -> None:
    """Bring the schema to the newest revision (idempotent). On PostgreSQL a
    transaction-scoped advisory lock makes concurrent starts take turns; SQLite's
    ``BEGIN IMMEDIATE`` does the same there."""
    async with db.migration() as conn:
        if not db.is_sqlite:
            await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        await conn.run_sync(_upgrade)
