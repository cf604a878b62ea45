from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatehouse.core.passwords import is_prehash, prehash


def hivemp(password: str) -> str:
    """The HiveMP v1 definition: lowercase hex SHA-256 of UTF-8 ``"HiveMPv1" + password``."""
    digest = hashlib.sha256()
    digest.update(b"HiveMPv1")
    digest.update(password.encode("utf-8"))
    return digest.hexdigest()


@pytest.mark.parametrize(
    "password",
    [
        "",
        "hunter22",
        "correct horse battery staple",
        "pässwörd",
        "密码密码密码",
        "🔑🔑 key",
        "a" * 1024,
    ],
)
def test_prehash_matches_the_hivemp_definition(password: str) -> None:
    assert prehash(password) == hivemp(password)


def test_prehash_known_value() -> None:
    # Independently: sha256(b"HiveMPv1password").
    assert prehash("password") == hashlib.sha256(b"HiveMPv1password").hexdigest()
    assert prehash("pässwörd") == hashlib.sha256("HiveMPv1pässwörd".encode()).hexdigest()


def test_prehash_is_not_a_plain_sha256() -> None:
    assert prehash("password") != hashlib.sha256(b"password").hexdigest()


@given(st.text(st.characters(exclude_categories=["Cs"]), max_size=64))
def test_prehash_is_always_a_prehash(password: str) -> None:
    value = prehash(password)
    assert is_prehash(value)
    assert value == hivemp(password)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "0" * 63,
        "0" * 65,
        "A" * 64,  # uppercase hex
        "g" * 64,
        "0" * 63 + "\n",
        "0" * 64 + "\n",
        " " + "0" * 63,
        "\N{FULLWIDTH DIGIT ZERO}" * 64,
        "password",
    ],
)
def test_is_prehash_rejects(value: str) -> None:
    assert not is_prehash(value)


@pytest.mark.parametrize("value", ["0" * 64, "abcdef0123456789" * 4, prehash("x")])
def test_is_prehash_accepts(value: str) -> None:
    assert is_prehash(value)
