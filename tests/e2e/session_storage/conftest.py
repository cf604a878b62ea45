"""Fixtures of the Session Storage contract tests (on top of tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.helpers import Tenant, make_tenant

from ._helpers import Api


@pytest.fixture
def api(client, tenant: Tenant) -> Api:
    """The ``tenant``'s client application."""
    return Api(client, tenant.headers)


@pytest.fixture
async def other(services, tenant: Tenant) -> Tenant:
    """A second user of the same project, with their own client application."""
    return await make_tenant(services, project_id=tenant.project_id, name="other")


@pytest.fixture
def other_api(client, other: Tenant) -> Api:
    return Api(client, other.headers)
