"""New passwords: long enough and not among the ones attackers try first."""

from __future__ import annotations

import pytest

from gatehouse.core.password_policy import password_problem
from gatehouse.core.passwords import MIN_PASSWORD_LENGTH


@pytest.mark.parametrize("common", ["password123", "qwertyuiop", "PASSWORD1", " iloveyou1 "])
def test_the_most_common_passwords_are_refused_in_words(common: str) -> None:
    problem = password_problem(common)
    assert problem is not None and "common" in problem


def test_a_short_password_is_refused_with_the_minimum() -> None:
    problem = password_problem("a" * (MIN_PASSWORD_LENGTH - 1))
    assert problem is not None and str(MIN_PASSWORD_LENGTH) in problem


def test_an_uncommon_long_enough_password_is_accepted() -> None:
    assert password_problem("violet kestrel 77 lanterns") is None
    assert password_problem("x" * MIN_PASSWORD_LENGTH + "Q7!") is None


def test_the_bundled_list_is_large() -> None:
    from gatehouse.core.password_policy import _common

    assert len(_common()) > 10_000
