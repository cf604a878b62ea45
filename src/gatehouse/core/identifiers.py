"""Logins and emails in their one canonical form, used for storage, lookup,
uniqueness and throttle keys alike, so that one caller is one caller.

* **Email**: surrounding whitespace removed, NFKC (full-width and other
  compatibility forms fold to their plain letters), case-folded. Two emails
  that differ only in case, width or surrounding spaces are the same address.
* **User name**: surrounding whitespace removed and NFKC, but case kept: user
  names are case-sensitive (``Dave`` and ``dave`` are two accounts), as the
  v3 ``userName`` has always been matched exactly. NFKC still makes look-alikes
  such as ``dave`` in full-width letters (U+FF44 …) the same name as ``dave``.

Both are idempotent (normalising a normalised value changes nothing).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

__all__ = ["normalize_email", "normalize_login", "normalize_username"]

#: Enough rounds to reach the fixed point for any input (compatibility forms
#: can expose leading spaces, case-folding can leave non-NFKC text).
_ROUNDS = 4


def _fixed_point(value: str, step: Callable[[str], str]) -> str:
    for _ in range(_ROUNDS):
        nxt = step(value)
        if nxt == value:
            return value
        value = nxt
    return value


def _email_step(value: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold()).strip()


def _username_step(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def normalize_email(value: str) -> str:
    """The canonical form of an email address ("" stays "")."""
    return _fixed_point(value.strip(), _email_step)


def normalize_username(value: str) -> str:
    """The canonical form of a user name (case kept)."""
    return _fixed_point(value.strip(), _username_step)


def normalize_login(value: str, *, by: str) -> str:
    """A login as the lookup ``by`` ("email" or "username") would see it."""
    return normalize_email(value) if by == "email" else normalize_username(value)
