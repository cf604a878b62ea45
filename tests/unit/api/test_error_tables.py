"""Every domain error has a row in every surface's error table (a new error class
cannot reach a client as a 500 or in the wrong shape)."""

import pytest

from gatehouse.api.account_v3.errors import STATUS as V3
from gatehouse.api.admin_v1.errors import STATUS as ADMIN
from gatehouse.api.session_storage.errors import STATUS as STORAGE
from gatehouse.api.user_session_v1.errors import STATUS as V1
from gatehouse.core.errors import ErrorCode


@pytest.mark.parametrize(
    "table", [STORAGE, V1, V3, ADMIN], ids=["session_storage", "v1", "v3", "admin_v1"]
)
def test_every_error_code_has_a_row(table) -> None:
    assert set(table) == set(ErrorCode)
    assert all(400 <= row[0] <= 599 for row in table.values())


def test_admin_problems_are_rfc9457() -> None:
    import json

    from gatehouse.api._common.http import Problem
    from gatehouse.api.admin_v1.errors import render
    from gatehouse.core.errors import GatehouseError, InvalidInput, RateLimited

    for code, (status, title) in ADMIN.items():
        error = next(c for c in _leaves(GatehouseError) if c.code is code)
        exc = error(3) if error is RateLimited else error("went wrong", field="name")
        got_status, headers, body = render(exc, "/admin/v1/projects")
        data = json.loads(body)
        assert got_status == status == data["status"] and data["title"] == title
        assert data["type"] == f"urn:gatehouse:problem:{code.value}"
        assert headers["Content-Type"] == "application/problem+json"
        if status == 429:
            assert headers["Retry-After"] == "3"
        if status == 401:
            assert headers["WWW-Authenticate"].startswith("Bearer")
    status, headers, body = render(InvalidInput("bad", field="limit"), "/x")
    assert json.loads(body)["errors"] == [{"field": "limit", "message": "bad"}]
    status, headers, body = render(Problem(405, "Method not allowed", None, {"Allow": "GET"}), "/")
    assert status == 405 and headers["Allow"] == "GET" and "errors" not in json.loads(body)


def _leaves(cls: type) -> list[type]:
    out = [cls]
    for sub in cls.__subclasses__():
        out += _leaves(sub)
    return out
