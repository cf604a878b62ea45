"""Logins and emails: one canonical form for storage, lookup and throttle keys."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatehouse.core.identifiers import normalize_email, normalize_login, normalize_username


def wide(text: str) -> str:
    """``text`` in full-width forms (U+FF01 ...), a look-alike NFKC folds back."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.mark.parametrize(
    "raw",
    [
        "dave@example.org",
        " DAVE@Example.org ",
        "\tDave@EXAMPLE.ORG\n",
        wide("dave@example.org"),  # full-width look-alike
        "\u00a0dave@example.org\u2003",  # no-break and em spaces around
    ],
)
def test_spellings_of_one_email_are_one_email(raw: str) -> None:
    assert normalize_email(raw) == "dave@example.org"


def test_user_names_keep_their_case_but_fold_look_alikes() -> None:
    assert normalize_username(" Dave ") == "Dave"
    assert normalize_username("Dave") != normalize_username("dave")
    assert normalize_username(wide("dave")) == "dave"
    assert normalize_username("\ufb01sh") == "fish"  # the ligature is two letters


def test_login_follows_the_lookup_it_is_for() -> None:
    assert normalize_login(" Dave@X.org ", by="email") == "dave@x.org"
    assert normalize_login(" Dave ", by="username") == "Dave"


@given(st.text())
def test_normalising_twice_changes_nothing(value: str) -> None:
    for normalize in (normalize_email, normalize_username):
        once = normalize(value)
        assert normalize(once) == once
        assert once == once.strip()


@given(st.text(), st.text(alphabet=" \t\n\u00a0\u2003", max_size=3))
def test_surrounding_whitespace_never_matters(value: str, pad: str) -> None:
    assert normalize_email(pad + value + pad) == normalize_email(value)
    assert normalize_username(pad + value + pad) == normalize_username(value)


@given(st.text(alphabet=string.ascii_letters + string.digits + "@.+-_"))
def test_case_never_matters_for_emails(value: str) -> None:
    assert normalize_email(value.upper()) == normalize_email(value.lower())
