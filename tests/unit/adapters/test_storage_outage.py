"""What counts as the database being away or busy (503 with Retry-After), and
what is a bug (500)."""

from __future__ import annotations

import sqlite3

import asyncpg

from gatehouse.adapters.store.engine import is_storage_outage


def test_sqlite_lock_timeouts_are_an_outage() -> None:
    assert is_storage_outage(sqlite3.OperationalError("database is locked"))
    assert is_storage_outage(sqlite3.OperationalError("database is busy"))


def test_other_sqlite_errors_are_bugs() -> None:
    assert not is_storage_outage(sqlite3.OperationalError('near "SELEC": syntax error'))


def test_a_postgres_database_refusing_connections_is_an_outage() -> None:
    assert is_storage_outage(asyncpg.exceptions.ObjectNotInPrerequisiteStateError("55000"))
    assert is_storage_outage(ConnectionRefusedError())
    assert not is_storage_outage(ValueError("a bug"))
