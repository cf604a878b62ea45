"""Every domain error has a row in every surface's error table (a new error class
cannot reach a client as a 500 or in the wrong shape)."""

import pytest

from gatehouse.api.account_v3.errors import STATUS as V3
from gatehouse.api.session_storage.errors import STATUS as STORAGE
from gatehouse.api.user_session_v1.errors import STATUS as V1
from gatehouse.core.errors import ErrorCode


@pytest.mark.parametrize("table", [STORAGE, V1, V3], ids=["session_storage", "v1", "v3"])
def test_every_error_code_has_a_row(table) -> None:
    assert set(table) == set(ErrorCode)
    assert all(400 <= row[0] <= 599 for row in table.values())
