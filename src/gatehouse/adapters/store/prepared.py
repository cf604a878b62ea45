"""Hot-path statements, compiled once and run straight on either backend's driver.

``conn`` below is what ``Database.read()``/``write()`` handed out: a
``LoopConnection`` on SQLite, a ``PgConnection`` on PostgreSQL (both typed as the
``AsyncConnection`` subset). One ``isinstance`` picks the driver: no extra await
or call between a repository and the driver on the token-check path.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any, cast

from sqlalchemy import Executable
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from gatehouse.adapters.store.postgres import PgCompiled, PgConnection, refuse_nul, wrap_rows
from gatehouse.adapters.store.sqlite import LoopConnection

__all__ = ["Prepared", "first", "rows", "run"]


class Prepared:
    """A hot-path statement compiled once. On SQLite it runs straight on the driver
    cursor: SQLAlchemy's per-execute bookkeeping (~200 µs here) is most of the
    cost of a primary-key read or a one-row update that SQLite itself does in
    ~20 µs. On PostgreSQL it is compiled once more, for asyncpg."""

    __slots__ = ("_defaults", "_order", "_pg", "_row", "_sql", "stmt")

    def __init__(self, stmt: Executable) -> None:
        self.stmt = stmt
        compiled = stmt.compile(dialect=sqlite_dialect())  # type: ignore[attr-defined]
        self._sql = compiled.string
        self._order = tuple(compiled.positiontup or ())
        # Parameters the dialect adds itself (SQLite's ``OFFSET ?`` after a LIMIT).
        self._defaults = {k: v for k, v in compiled.params.items() if v is not None}
        self._row: Any = None
        self._pg: PgCompiled | None = None

    @property
    def pg(self) -> PgCompiled:
        if self._pg is None:
            self._pg = PgCompiled(self.stmt)
        return self._pg

    def _execute(self, raw: Any, params: dict[str, Any]) -> Any:
        if self._defaults:
            params = {**self._defaults, **params}
        values = tuple(params[name] for name in self._order)
        refuse_nul(values)
        return raw.execute(self._sql, values)

    def _wrap(self, cursor: Any, values: Any) -> Any:
        if self._row is None:
            names = [d[0] for d in cursor.description]
            self._row = namedtuple("Row", names, rename=True)  # type: ignore[misc]
        return self._row._make(values)

    def first_sqlite(self, raw: Any, params: dict[str, Any]) -> Any:
        cursor = self._execute(raw, params)
        try:
            values = cursor.fetchone()
            return None if values is None else self._wrap(cursor, values)
        finally:
            cursor.close()

    def all_sqlite(self, raw: Any, params: dict[str, Any]) -> list[Any]:
        cursor = self._execute(raw, params)
        try:
            return [self._wrap(cursor, values) for values in cursor.fetchall()]
        finally:
            cursor.close()

    def run_sqlite(self, raw: Any, params: dict[str, Any]) -> int:
        cursor = self._execute(raw, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()


async def first(conn: AsyncConnection, prepared: Prepared, params: dict[str, Any]) -> Any:
    """The first row of a prepared SELECT (attribute access by column name), or None."""
    if isinstance(conn, LoopConnection):
        return prepared.first_sqlite(conn.raw, params)
    found = await cast(PgConnection, conn).fetch(prepared.pg, params)
    return wrap_rows(found[:1])[0] if found else None


async def rows(conn: AsyncConnection, prepared: Prepared, params: dict[str, Any]) -> list[Any]:
    if isinstance(conn, LoopConnection):
        return prepared.all_sqlite(conn.raw, params)
    return wrap_rows(await cast(PgConnection, conn).fetch(prepared.pg, params))


async def run(conn: AsyncConnection, prepared: Prepared, params: dict[str, Any]) -> int:
    """Execute a prepared INSERT/UPDATE/DELETE; the number of rows it touched."""
    if isinstance(conn, LoopConnection):
        return prepared.run_sqlite(conn.raw, params)
    pg = cast(PgConnection, conn)
    if prepared.pg.returns_rows:  # an INSERT with the implicit RETURNING of its key
        return len(await pg.fetch(prepared.pg, params))
    return await pg.command(prepared.pg, params)
