"""The access-policy table of SCHEMAS.md section C, row by row."""

from __future__ import annotations

import pytest

from gatehouse.core.access_policy import (
    POLICY,
    Access,
    CallerKind,
    Endpoint,
    allowed,
    check_session_access,
)
from gatehouse.core.errors import Forbidden, SessionNotFound

PUBLIC, USER, SERVER, ADMIN = (
    CallerKind.PUBLIC,
    CallerKind.USER_SESSION,
    CallerKind.SERVER,
    CallerKind.ADMIN,
)
SESSION_ENDPOINTS = [Endpoint.SESSION_GET, Endpoint.SESSION_RENEW, Endpoint.SESSION_DELETE]

EXPECTED = {
    Endpoint.AUTHENTICATE: {
        PUBLIC: Access.PROJECT,
        USER: Access.DENY,
        SERVER: Access.PROJECT,
        ADMIN: Access.PROJECT,
    },
    **{
        e: {PUBLIC: Access.DENY, USER: Access.OWN, SERVER: Access.PROJECT, ADMIN: Access.PROJECT}
        for e in SESSION_ENDPOINTS
    },
}


def test_table_is_exactly_the_spec() -> None:
    assert POLICY == EXPECTED
    assert all(set(row) == set(CallerKind) for row in POLICY.values())
    assert set(POLICY) == set(Endpoint)


@pytest.mark.parametrize(("endpoint", "caller"), [(e, c) for e in Endpoint for c in CallerKind])
def test_allowed_matches_each_cell(endpoint: Endpoint, caller: CallerKind) -> None:
    if EXPECTED[endpoint][caller] is Access.DENY:
        with pytest.raises(Forbidden):
            allowed(endpoint, caller)
    else:
        assert allowed(endpoint, caller) is EXPECTED[endpoint][caller]


def check(
    endpoint: Endpoint, caller: CallerKind, *, own: str | None, target: str, project: int | None
) -> None:
    check_session_access(
        endpoint,
        caller,
        caller_project_id=1,
        caller_session_id=own,
        target_session_id=target,
        target_project_id=project,
    )


@pytest.mark.parametrize("endpoint", SESSION_ENDPOINTS)
def test_public_never_reaches_a_session(endpoint: Endpoint) -> None:
    with pytest.raises(Forbidden):
        check(endpoint, PUBLIC, own=None, target="s", project=1)


@pytest.mark.parametrize("endpoint", SESSION_ENDPOINTS)
def test_user_session_own_only(endpoint: Endpoint) -> None:
    check(endpoint, USER, own="a", target="a", project=None)
    with pytest.raises(Forbidden):
        check(endpoint, USER, own="a", target="b", project=1)
    with pytest.raises(Forbidden):
        check(endpoint, USER, own=None, target="b", project=1)


@pytest.mark.parametrize("endpoint", SESSION_ENDPOINTS)
@pytest.mark.parametrize("caller", [SERVER, ADMIN])
def test_server_and_admin_any_of_their_project(endpoint: Endpoint, caller: CallerKind) -> None:
    check(endpoint, caller, own=None, target="x", project=1)
    check(endpoint, caller, own="mine", target="x", project=1)
    with pytest.raises(SessionNotFound):
        check(endpoint, caller, own=None, target="x", project=2)
    with pytest.raises(SessionNotFound):
        check(endpoint, caller, own=None, target="x", project=None)
