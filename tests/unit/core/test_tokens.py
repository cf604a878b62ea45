from __future__ import annotations

import hashlib
import hmac
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatehouse.core.tokens import (
    ACCOUNT_TOKEN_PREFIX,
    API_KEY_PREFIX,
    CLIENT_SECRET_PREFIX,
    MAX_SECRET_LENGTH,
    SESSION_TOKEN_PREFIX,
    TokenHasher,
    constant_time_equals,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
PREFIXES = [SESSION_TOKEN_PREFIX, API_KEY_PREFIX, CLIENT_SECRET_PREFIX, ACCOUNT_TOKEN_PREFIX]


def test_prefixes_are_distinct() -> None:
    assert len(set(PREFIXES)) == len(PREFIXES)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_new_secret_carries_prefix_and_its_hash(prefix: str) -> None:
    hasher = TokenHasher(KEY)
    secret, stored = hasher.new(prefix)
    assert re.fullmatch(re.escape(prefix) + r"[A-Za-z0-9_-]{43}", secret)
    assert len(secret) <= MAX_SECRET_LENGTH
    assert stored == hasher.hash(secret)
    assert re.fullmatch(r"[0-9a-f]{64}", stored)


def test_new_secrets_are_unique() -> None:
    hasher = TokenHasher(KEY)
    minted = [hasher.new(SESSION_TOKEN_PREFIX) for _ in range(500)]
    assert len({s for s, _ in minted}) == 500
    assert len({h for _, h in minted}) == 500


def test_hash_is_hmac_sha256_under_the_key() -> None:
    expected = hmac.new(KEY, b"gs_example", hashlib.sha256).hexdigest()
    assert TokenHasher(KEY).hash("gs_example") == expected


@given(st.text(max_size=MAX_SECRET_LENGTH))
def test_hash_is_deterministic_per_key_and_differs_across_keys(secret: str) -> None:
    secret = secret.encode("utf-8", "replace").decode()  # no lone surrogates on the wire
    assert TokenHasher(KEY).hash(secret) == TokenHasher(KEY).hash(secret)
    assert TokenHasher(KEY).hash(secret) != TokenHasher(OTHER_KEY).hash(secret)


def test_matches() -> None:
    hasher = TokenHasher(KEY)
    secret, stored = hasher.new(API_KEY_PREFIX)
    assert hasher.matches(secret, stored)
    assert not hasher.matches(secret + "x", stored)
    assert not hasher.matches(secret[:-1], stored)
    assert not hasher.matches("", stored)
    assert not hasher.matches(secret, stored.upper())
    assert not TokenHasher(OTHER_KEY).matches(secret, stored)


@pytest.mark.parametrize("key", [b"", b"k", b"k" * 31])
def test_short_keys_are_refused(key: bytes) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        TokenHasher(key)


@pytest.mark.parametrize("size", [32, 33, 64])
def test_keys_of_32_bytes_or_more_are_accepted(size: int) -> None:
    TokenHasher(b"k" * size)


def test_derive_gives_independent_subkeys() -> None:
    hasher = TokenHasher(KEY)
    cursor, secretbox = hasher.derive(b"cursor"), hasher.derive(b"secretbox")
    assert len(cursor) == len(secretbox) == 32
    assert cursor != secretbox
    assert cursor != KEY
    assert hasher.derive(b"cursor") == cursor  # stable across calls and restarts
    assert TokenHasher(KEY).derive(b"cursor") == cursor
    assert TokenHasher(OTHER_KEY).derive(b"cursor") != cursor


@given(st.lists(st.binary(max_size=32), min_size=2, max_size=8, unique=True))
def test_derive_is_injective_over_purposes(purposes: list[bytes]) -> None:
    hasher = TokenHasher(KEY)
    assert len({hasher.derive(p) for p in purposes}) == len(purposes)


def test_constant_time_equals() -> None:
    assert constant_time_equals("abc", "abc")
    assert constant_time_equals("", "")
    assert constant_time_equals("é", "é")
    assert not constant_time_equals("abc", "abd")
    assert not constant_time_equals("abc", "ab")
