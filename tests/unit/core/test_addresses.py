from __future__ import annotations

import pytest

from gatehouse.core.addresses import caller_group


@pytest.mark.parametrize(
    ("address", "group"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.1", "198.51.100.1"),  # IPv4-mapped: the IPv4 caller
        ("not an address", "not an address"),
        ("", ""),
    ],
)
def test_ipv6_callers_are_grouped_by_their_64(address: str, group: str) -> None:
    assert caller_group(address) == group


def test_the_prefix_is_a_setting() -> None:
    assert caller_group("2001:db8:1:2::1", 48) == "2001:db8:1::/48"
    assert caller_group("2001:db8:1:2::1", 128) == "2001:db8:1:2::1/128"
    assert caller_group("2001:db8:1:2::1", 56) != caller_group("2001:db8:1:300::1", 56)
