from __future__ import annotations

import re
import string

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gatehouse.core.cursors import Cursor, CursorCodec, InvalidCursor

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
SCOPE = "42"
B64URL = string.ascii_letters + string.digits + "-_"

codec = CursorCodec(KEY)

# Bounded so every token stays under the decoder's 512-character cap (a \uXXXX
# escape pair is 12 JSON bytes per character); see test_long_ids_round_trip.
ids = st.text(max_size=20)
created_ats = st.integers(min_value=0, max_value=2**63 - 1)
cursors = st.builds(Cursor, created_ats, ids)
session_like = Cursor(1_772_366_400_000_000, "7.0a1b2c3d.4e5f6a7b")


def token_where(predicate: object) -> str:
    """The first token of a deterministic series of cursors that satisfies ``predicate``."""
    for n in range(10_000):
        token = codec.encode(Cursor(n, f"7.{n:08x}.0a1b2c3d"), scope=SCOPE)
        if predicate(token):  # type: ignore[operator]
            return token
    raise AssertionError("no such token in the series")  # pragma: no cover


def refused(token: str, *, scope: str = SCOPE, key: bytes = KEY) -> bool:
    try:
        CursorCodec(key).decode(token, scope=scope)
    except InvalidCursor:
        return True
    return False


@given(cursors)
def test_round_trip(cursor: Cursor) -> None:
    assert codec.decode(codec.encode(cursor, scope=SCOPE), scope=SCOPE) == cursor


@given(cursors, st.text(max_size=30))
def test_round_trip_under_any_scope(cursor: Cursor, scope: str) -> None:
    scope = scope.encode("utf-8", "replace").decode()  # scopes are user ids: no lone surrogates
    assert codec.decode(codec.encode(cursor, scope=scope), scope=scope) == cursor


@given(cursors)
def test_tokens_are_unpadded_base64url_ascii(cursor: Cursor) -> None:
    token = codec.encode(cursor, scope=SCOPE)
    assert token.isascii()
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert len(token) % 4 != 1  # a length no unpadded base64 can have


@pytest.mark.xfail(
    strict=True,
    reason="BUG: CursorCodec.encode mints tokens longer than the 512 characters decode "
    "accepts (ids over ~350 ASCII or ~30 escaped characters); unreachable with session "
    "ids (<= 37 chars) but encode should refuse what decode refuses",
)
def test_long_ids_round_trip() -> None:
    cursor = Cursor(0, "x" * 400)
    assert codec.decode(codec.encode(cursor, scope=SCOPE), scope=SCOPE) == cursor


def test_refused_under_another_scope() -> None:
    token = codec.encode(session_like, scope="42")
    for scope in ("43", "4", "420", "", "42\x00"):
        assert refused(token, scope=scope)


def test_refused_under_another_key() -> None:
    token = codec.encode(session_like, scope=SCOPE)
    assert refused(token, key=OTHER_KEY)


@given(cursors, st.text(min_size=1, max_size=10))
def test_scope_binding_property(cursor: Cursor, other: str) -> None:
    token = codec.encode(cursor, scope=SCOPE)
    other = other.encode("utf-8", "replace").decode()
    if other != SCOPE:
        assert refused(token, scope=other)


@given(cursors, st.data())
def test_substituting_a_base64url_character_is_refused(cursor: Cursor, data: st.DataObject) -> None:
    # Every character but the last carries 6 bits of payload or tag, so any change
    # within the alphabet changes the decoded bytes.
    token = codec.encode(cursor, scope=SCOPE)
    i = data.draw(st.integers(0, len(token) - 2), label="position")
    replacement = data.draw(st.sampled_from(B64URL.replace(token[i], "")), label="replacement")
    assert refused(token[:i] + replacement + token[i + 1 :])


@given(cursors, st.data())
def test_truncation_is_refused(cursor: Cursor, data: st.DataObject) -> None:
    token = codec.encode(cursor, scope=SCOPE)
    cut = data.draw(st.integers(0, len(token) - 1), label="kept")
    assert refused(token[:cut])


@given(cursors, st.text(alphabet=B64URL, min_size=1, max_size=8))
def test_extension_with_base64url_characters_is_refused(cursor: Cursor, extra: str) -> None:
    assert refused(codec.encode(cursor, scope=SCOPE) + extra)


# The decoder is lenient (base64.urlsafe_b64decode without validation), so some
# edits of a token decode to the very same bytes and are accepted. The decoded
# cursor is unchanged, so nothing is forged, but the documented promise "any edit is
# detected" and a single canonical spelling per token do not hold.
LENIENT = "BUG: CursorCodec.decode accepts edited tokens that decode to the same bytes"


@pytest.mark.xfail(strict=True, reason=f"{LENIENT}: '=' padding appended")
def test_padding_appended_is_refused() -> None:
    token = codec.encode(session_like, scope=SCOPE)
    assert refused(token + "=")


@pytest.mark.xfail(strict=True, reason=f"{LENIENT}: '-'/'_' swapped for '+'/'/'")
@pytest.mark.parametrize(("ours", "standard"), [("-", "+"), ("_", "/")])
def test_standard_alphabet_spelling_is_refused(ours: str, standard: str) -> None:
    token = token_where(lambda t: ours in t[:-1])
    assert refused(token.replace(ours, standard, 1))


@pytest.mark.xfail(strict=True, reason=f"{LENIENT}: unused low bits of the last character")
def test_unused_bits_of_last_character_are_refused() -> None:
    # 55 characters carry 41 bytes + 2 spare bits; flipping only those keeps the bytes.
    token = token_where(lambda t: len(t) % 4 == 3)
    last = B64URL.index(token[-1])
    assert refused(token[:-1] + B64URL[last ^ 0b01])


@pytest.mark.xfail(strict=True, reason=f"{LENIENT}: a non-alphabet character inserted")
@pytest.mark.parametrize("junk", ["!", ".", " ", "\n", "\x00"])
def test_inserted_junk_is_refused(junk: str) -> None:
    # With a length divisible by 4 the decoder pads with '===' and then drops the junk.
    token = token_where(lambda t: len(t) % 4 == 0)
    assert refused(token[:10] + junk + token[10:])


@pytest.mark.xfail(strict=True, reason=LENIENT)
@given(
    cursors,
    st.integers(min_value=0),
    st.characters(max_codepoint=127),
    st.sampled_from(["replace", "insert"]),
)
@example(session_like, 10**6, "=", "insert")  # appends '=': fails on every run
def test_any_single_character_edit_is_refused(
    cursor: Cursor, position: int, char: str, how: str
) -> None:
    token = codec.encode(cursor, scope=SCOPE)
    i = min(position, len(token))
    if how == "replace":
        edited = token[:i] + char + token[i + 1 :]
    else:
        edited = token[:i] + char + token[i:]
    if edited != token:
        assert refused(edited)


@given(st.text(max_size=600))
def test_garbage_text_only_raises_invalid_cursor(garbage: str) -> None:
    with pytest.raises(InvalidCursor):
        codec.decode(garbage, scope=SCOPE)


@given(st.text(alphabet=B64URL + "=+/", max_size=200))
def test_garbage_base64_only_raises_invalid_cursor(garbage: str) -> None:
    with pytest.raises(InvalidCursor):
        codec.decode(garbage, scope=SCOPE)


@pytest.mark.parametrize(
    "token", ["", "A", "AAAA", "====", "!!!!", "é" * 8, "A" * 513, "W1siIl0", "null"]
)
def test_malformed_tokens_are_refused(token: str) -> None:
    assert refused(token)
