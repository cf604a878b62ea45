"""What a new password must be: long enough, and not one of the passwords
attackers try first (a bundled list of the most common ones, from leaked sets).

The list is read once, on first use, from package data.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from gatehouse.core.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

__all__ = ["password_problem"]


@cache
def _common() -> frozenset[str]:
    text = resources.files("gatehouse.data").joinpath("common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def password_problem(password: str) -> str | None:
    """Why ``password`` may not be used, in words for the person choosing it; None
    when it may."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    if password.strip().lower() in _common():
        return "That password is one of the most common ones; choose one that is harder to guess."
    return None
