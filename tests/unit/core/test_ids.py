from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatehouse.core.ids import is_session_id, new_client_id, new_room_name, new_session_id

HEX = "0123456789abcdef"
MAX_USER_ID = 2**63 - 1  # BIGINT; 19 digits, so a session id is at most 37 characters


def reference(value: str) -> bool:
    """The format spelled out without a regular expression."""
    parts = value.split(".")
    if len(parts) != 3:
        return False
    user, a, b = parts
    return (
        1 <= len(user) <= 19
        and all(c in "0123456789" for c in user)
        and len(a) == len(b) == 8
        and all(c in HEX for c in a + b)
    )


@pytest.mark.parametrize("user_id", [0, 1, 42, 10**9, MAX_USER_ID])
def test_new_session_id_format(user_id: int) -> None:
    value = new_session_id(user_id)
    assert re.fullmatch(rf"{user_id}\.[0-9a-f]{{8}}\.[0-9a-f]{{8}}", value)
    assert is_session_id(value)
    assert len(value) <= 37


def test_new_session_ids_are_unique() -> None:
    assert len({new_session_id(7) for _ in range(500)}) == 500


@given(st.integers(0, MAX_USER_ID))
def test_every_minted_session_id_is_accepted(user_id: int) -> None:
    assert is_session_id(new_session_id(user_id))


@pytest.mark.parametrize(
    "value",
    [
        "",
        "7",
        "7.0a1b2c3d",
        "7.0A1B2C3D.4e5f6a7b",  # uppercase hex
        "7.0a1b2c3d.4E5f6a7b",
        "7.0a1b2c3.4e5f6a7b",  # 7 hex
        "7.0a1b2c3d0.4e5f6a7b",  # 9 hex
        "7.0a1b2c3d.4e5f6a7",
        ".0a1b2c3d.4e5f6a7b",  # no user part
        "7..0a1b2c3d.4e5f6a7b",
        "7.0a1b2c3d.4e5f6a7b.",
        "7.0a1b2c3d.4e5f6a7b.00",  # extra dot
        "7.0a1b2c3d..4e5f6a7b",
        "-7.0a1b2c3d.4e5f6a7b",
        "+7.0a1b2c3d.4e5f6a7b",
        " 7.0a1b2c3d.4e5f6a7b",
        "7.0a1b2c3d.4e5f6a7b\n",
        "\N{FULLWIDTH DIGIT SEVEN}.0a1b2c3d.4e5f6a7b",
        "\N{ARABIC-INDIC DIGIT ONE}.0a1b2c3d.4e5f6a7b",
        "7.0a1b2c3d.4e5f6a7g",
        "7.0a1b2c3d.\N{FULLWIDTH DIGIT FOUR}e5f6a7b",
        "1" * 20 + ".0a1b2c3d.4e5f6a7b",  # 20-digit user: 38 characters
        "7_0a1b2c3d_4e5f6a7b",
    ],
)
def test_is_session_id_rejects(value: str) -> None:
    assert not is_session_id(value)


def test_is_session_id_accepts_the_longest() -> None:
    value = "9" * 19 + ".0a1b2c3d.4e5f6a7b"
    assert len(value) == 37
    assert is_session_id(value)


session_ids = st.builds(
    lambda user, a, b: f"{user}.{a}.{b}",
    st.integers(0, MAX_USER_ID),
    st.text(HEX, min_size=8, max_size=8),
    st.text(HEX, min_size=8, max_size=8),
)
near_misses = st.one_of(
    session_ids.map(str.upper),
    st.builds(
        lambda user, a, b: f"{user}.{a}.{b}",
        st.text(st.characters(categories=["Nd"]), min_size=1, max_size=21),
        st.text(HEX + "ABCDEFgx", min_size=6, max_size=10),
        st.text(HEX + "ABCDEF.", min_size=6, max_size=10),
    ),
    st.tuples(session_ids, st.integers(0, 36), st.characters()).map(
        lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :]
    ),
    st.tuples(session_ids, st.integers(0, 36)).map(lambda t: t[0][: t[1]] + t[0][t[1] + 1 :]),
)


@given(st.one_of(session_ids, near_misses, st.text(max_size=45)))
def test_is_session_id_matches_the_format_exactly(value: str) -> None:
    assert is_session_id(value) == reference(value)


def test_client_id_and_room_name() -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", new_client_id())
    assert re.fullmatch(r"room-[0-9a-f]{24}", new_room_name())
    assert new_client_id() != new_client_id()
    assert new_room_name() != new_room_name()
