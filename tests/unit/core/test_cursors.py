from __future__ import annotations

import re
import string
from collections.abc import Callable

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gatehouse.core.cursors import MAX_TOKEN_LENGTH, Cursor, CursorCodec, InvalidCursor

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
SCOPE = "42"
B64URL = string.ascii_letters + string.digits + "-_"

codec = CursorCodec(KEY)

# Bounded so every token stays under the decoder's cap (MAX_TOKEN_LENGTH); see
# test_encode_refuses_what_decode_would_refuse.
ids = st.text(max_size=20)
created_ats = st.integers(min_value=0, max_value=2**63 - 1)
cursors = st.builds(Cursor, created_ats, ids)
session_like = Cursor(1_772_366_400_000_000, "7.0a1b2c3d.4e5f6a7b")


def token_where(predicate: Callable[[str], bool]) -> str:
    """The first token of a deterministic series of cursors that satisfies ``predicate``."""
    for n in range(10_000):
        token = codec.encode(Cursor(n, f"7.{n:08x}.0a1b2c3d"), scope=SCOPE)
        if predicate(token):
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


@pytest.mark.parametrize("cursor_id", ["x" * 400, "é" * 300, "\U0001f3ae" * 200])
def test_long_ids_round_trip(cursor_id: str) -> None:
    cursor = Cursor(2**63 - 1, cursor_id)
    assert codec.decode(codec.encode(cursor, scope=SCOPE), scope=SCOPE) == cursor


def test_encode_refuses_what_decode_would_refuse() -> None:
    """Every token encode mints is one decode accepts: an id too long is refused
    up front instead of producing an unusable next_page_token."""
    with pytest.raises(InvalidCursor, match="too long"):
        codec.encode(Cursor(0, "x" * 2000), scope=SCOPE)
    longest = codec.encode(Cursor(0, "x" * 1000), scope=SCOPE)
    assert len(longest) <= MAX_TOKEN_LENGTH
    assert refused("A" * (MAX_TOKEN_LENGTH + 1))


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


# Edits that a lenient base64 decoder (urlsafe_b64decode without validation) maps
# back to the very same bytes: each must still be refused, so that a token has one
# spelling and "any edit is detected" holds literally.


def _append_padding() -> tuple[str, str]:
    token = codec.encode(session_like, scope=SCOPE)
    return token, token + "="


def _standard_alphabet(ours: str, standard: str) -> tuple[str, str]:
    token = token_where(lambda t: ours in t[:-1])
    return token, token.replace(ours, standard, 1)


def _spare_bits_of_last_character() -> tuple[str, str]:
    # A length of 4n+3 carries 2 spare bits in the last character; flip one of them.
    token = token_where(lambda t: len(t) % 4 == 3)
    return token, token[:-1] + B64URL[B64URL.index(token[-1]) ^ 0b01]


def _junk_inserted(junk: str) -> tuple[str, str]:
    # A length of 4n gets '===' appended by the decoder, which then drops the junk.
    token = token_where(lambda t: len(t) % 4 == 0)
    return token, token[:10] + junk + token[10:]


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(_append_padding, id="padding-appended"),
        pytest.param(lambda: _standard_alphabet("-", "+"), id="minus-as-plus"),
        pytest.param(lambda: _standard_alphabet("_", "/"), id="underscore-as-slash"),
        pytest.param(_spare_bits_of_last_character, id="spare-bits"),
        pytest.param(lambda: _junk_inserted("!"), id="bang-inserted"),
        pytest.param(lambda: _junk_inserted("\n"), id="newline-inserted"),
    ],
)
def test_non_canonical_spellings_are_refused(make: Callable[[], tuple[str, str]]) -> None:
    token, edited = make()
    assert edited != token
    assert refused(edited)


@given(
    cursors,
    st.integers(min_value=0),
    st.characters(max_codepoint=127),
    st.sampled_from(["replace", "insert"]),
)
@example(session_like, 10**6, "=", "insert")  # appends '=': always tried
def test_any_single_character_edit_is_refused(
    cursor: Cursor, position: int, char: str, how: str
) -> None:
    token = codec.encode(cursor, scope=SCOPE)
    i = min(position, len(token))
    tail = token[i + 1 :] if how == "replace" else token[i:]
    edited = token[:i] + char + tail
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
