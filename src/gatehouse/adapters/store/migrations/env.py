"""Alembic environment. Normally driven by ``gatehouse migrate`` (see migrate.py),
which hands in a live connection; ``sqlalchemy.url`` is the fallback for
developers running alembic's own commands (e.g. autogenerate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from gatehouse.adapters.store.tables import metadata

config = context.config


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,  # SQLite can only ALTER through table copies
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)
