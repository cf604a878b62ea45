"""SQLite: commits no longer checkpoint on the event loop; ``Database.checkpoint``
folds the WAL into the database file from a worker thread."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import insert

from gatehouse.adapters.store.engine import Database
from gatehouse.adapters.store.migrate import migrate
from gatehouse.adapters.store.tables import audit_events


def rows_in_main_file(db_file: Path, copy: Path) -> int:
    """Rows visible in the database file alone (the WAL left out)."""
    shutil.copy(db_file, copy)
    conn = sqlite3.connect(copy)
    try:
        return int(conn.execute("SELECT count(*) FROM audit_events").fetchone()[0])
    finally:
        conn.close()


async def test_writes_reach_the_database_file_only_through_checkpoint(tmp_path: Path) -> None:
    db_file = tmp_path / "g.sqlite3"
    db = Database(f"sqlite:///{db_file}")
    try:
        await migrate(db)
        await db.checkpoint()
        for i in range(2000):  # far past the 1,000-page automatic checkpoint
            async with db.write() as conn:
                await conn.execute(insert(audit_events).values(at=i, action="x", detail="y" * 200))
        assert rows_in_main_file(db_file, tmp_path / "before.sqlite3") == 0
        await db.checkpoint()
        assert rows_in_main_file(db_file, tmp_path / "after.sqlite3") == 2000
    finally:
        await db.dispose()
