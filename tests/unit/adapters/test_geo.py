from __future__ import annotations

import iptocc
import pytest

from gatehouse.adapters import geo
from gatehouse.adapters.geo import GeoLookup

US = ("United States of America", "US")
NO_COUNTRY = ("", "")


@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        ("8.8.8.8", US),  # Google DNS, ARIN
        ("193.0.6.139", ("Netherlands", "NL")),  # RIPE NCC's own site
        ("1.1.1.1", ("Australia", "AU")),  # APNIC research block
        ("81.2.69.142", ("United Kingdom of Great Britain and Northern Ireland", "GB")),
        ("2001:4860:4860::8888", US),
        (" 8.8.8.8 ", US),
    ],
)
def test_public_addresses(ip: str, expected: tuple[str, str]) -> None:
    assert GeoLookup().country(ip) == expected


@pytest.mark.parametrize(
    "ip",
    ["::ffff:8.8.8.8", "::FFFF:8.8.8.8", "::ffff:808:808", "0:0:0:0:0:ffff:0808:0808"],
)
def test_ipv4_mapped_ipv6_is_unwrapped(ip: str) -> None:
    assert GeoLookup().country(ip) == US


@pytest.mark.parametrize(
    "ip",
    [
        "127.0.0.1",
        "::1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",  # carrier-grade NAT
        "169.254.1.1",
        "fe80::1",
        "fe80::1%eth0",
        "fd00::1",
        "0.0.0.0",
        "255.255.255.255",
        "224.0.0.1",
        "203.0.113.7",  # TEST-NET-3
        "2001:db8::1",  # documentation
        "::ffff:10.0.0.1",
        "::ffff:127.0.0.1",
    ],
)
def test_non_public_addresses_have_no_country(ip: str) -> None:
    assert GeoLookup().country(ip) == NO_COUNTRY


@pytest.mark.parametrize(
    "ip",
    [
        "",
        "garbage",
        "8.8.8",
        "8.8.8.8.8",
        "08.8.8.8",
        "8.8.8.8/32",
        "::ffff:1.2.3",
        "::ffff:x.y",
        "1" * 10_000,
        "[::1]",
        "\uff18.\uff18.\uff18.\uff18",
    ],
)
def test_unparseable_input_has_no_country(ip: str) -> None:
    assert GeoLookup().country(ip) == NO_COUNTRY


def test_iso_short_name_not_apolitical_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(iptocc, "country_code", lambda ip: "TW")
    assert GeoLookup().country("203.0.113.1") == ("Taiwan, Province of China", "TW")


def test_codes_outside_iso3166_have_no_country(monkeypatch: pytest.MonkeyPatch) -> None:
    # RIR data tags some blocks "EU" (e.g. 145.218.1.91 in iptocc 3.3.170).
    monkeypatch.setattr(iptocc, "country_code", lambda ip: "EU")
    assert GeoLookup().country("203.0.113.1") == NO_COUNTRY


def test_every_alpha2_has_a_name() -> None:
    assert all(name and code == alpha2 for alpha2, (name, code) in geo._COUNTRIES.items())
