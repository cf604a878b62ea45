from __future__ import annotations

import base64
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatehouse.core.secretbox import SecretBox

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


@given(st.text(max_size=200))
def test_round_trip(plaintext: str) -> None:
    box = SecretBox(KEY)
    assert box.open(box.seal(plaintext)) == plaintext


def test_token_is_compact_ascii_and_randomised() -> None:
    box = SecretBox(KEY)
    a, b = box.seal("JBSWY3DPEHPK3PXP"), box.seal("JBSWY3DPEHPK3PXP")
    assert a != b  # fresh nonce each time
    assert re.fullmatch(r"v1\.[A-Za-z0-9_-]+", a)
    # 12-byte nonce + 16 plaintext bytes + 16-byte tag
    assert len(base64.urlsafe_b64decode(a[3:] + "=" * (-len(a[3:]) % 4))) == 44


def test_same_master_key_opens_across_instances() -> None:
    assert SecretBox(KEY).open(SecretBox(KEY).seal("steam-key")) == "steam-key"


def test_different_key_fails() -> None:
    token = SecretBox(KEY).seal("steam-key")
    with pytest.raises(ValueError, match="authentication"):
        SecretBox(OTHER_KEY).open(token)


@given(data=st.data())
def test_any_single_character_change_is_detected(data: st.DataObject) -> None:
    box = SecretBox(KEY)
    token = box.seal("totp seed")
    i = data.draw(st.integers(0, len(token) - 1))
    replacement = data.draw(st.sampled_from("AZaz09-_.v1=+/ "))
    tampered = token[:i] + replacement + token[i + 1 :]
    if tampered == token:
        return
    with pytest.raises(ValueError):
        box.open(tampered)


def test_truncated_and_extended_tokens_fail() -> None:
    box = SecretBox(KEY)
    token = box.seal("x")
    for bad in (token[:-1], token[:-4], token + "A", token + "AAAA", token[:10]):
        with pytest.raises(ValueError):
            box.open(bad)


@pytest.mark.parametrize("token", ["", "v1.", "v2.AAAA", "v1.!!!!", "garbage", "v1." + "A" * 20000])
def test_malformed_tokens(token: str) -> None:
    with pytest.raises(ValueError):
        SecretBox(KEY).open(token)


def test_context_binds_ciphertext() -> None:
    box = SecretBox(KEY)
    token = box.seal("seed", context="totp:user:42")
    assert box.open(token, context="totp:user:42") == "seed"
    with pytest.raises(ValueError):
        box.open(token, context="totp:user:43")
    with pytest.raises(ValueError):
        box.open(token)


def test_short_master_key_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        SecretBox(b"k" * 31)


def test_repr_hides_key() -> None:
    assert KEY.hex() not in repr(SecretBox(KEY))
