"""The v3 error table covers every domain error code."""

from __future__ import annotations

from gatehouse.api.account_v3.errors import STATUS
from gatehouse.core.errors import ErrorCode


def test_every_error_code_has_a_status_and_a_v3_code() -> None:
    assert set(STATUS) == set(ErrorCode)
    assert all(400 <= status < 600 and 10000 < code < 11000 for status, code in STATUS.values())
