"""A PostgreSQL database of a test's own, for tests that migrate step by step."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

from tests.conftest import IN_CI, PG_ADMIN_URL


@asynccontextmanager
async def scratch_postgres(prefix: str) -> AsyncIterator[str]:
    """The URL of a new, empty database, dropped afterwards. Unreachable server:
    the test fails under ``CI=true`` and is skipped loudly otherwise."""
    try:
        admin = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI=true: {exc!r}")
        pytest.skip(f"!!! PostgreSQL unreachable: {exc!r}")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
