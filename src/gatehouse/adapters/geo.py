"""Offline IP address -> country, from iptocc's bundled RIR delegation data.

iptocc answers ``None`` for private, loopback, reserved and unparseable
addresses (and for the IPv4-mapped form ``::ffff:a.b.c.d``), so the common
path is a single native lookup (~0.1 µs). Only when an IPv6 address that may
be IPv4-mapped gets no answer do we unwrap it and ask again.

Names are the ISO 3166-1 English short names as ``iso3166`` spells them
(``Country.name``, e.g. "United States of America", "Taiwan, Province of
China"), not its ``apolitical_name``. Codes iptocc knows but ISO 3166-1 does
not (RIR data has "EU" blocks) count as no country.
"""

from __future__ import annotations

import ipaddress
from typing import Final

import iptocc
import iso3166

__all__ = ["GeoLookup"]

_NO_COUNTRY: Final = ("", "")
# Built once: alpha-2 -> (short name, alpha-2).
_COUNTRIES: Final[dict[str, tuple[str, str]]] = {
    c.alpha2: (c.name, c.alpha2) for c in iso3166.countries
}
_MAX_ADDRESS_CHARS: Final = 64  # longest IPv6 text with a scope id is well under this


class GeoLookup:
    """``country(ip)`` -> (ISO 3166 English short name, alpha-2), or ("", "")."""

    __slots__ = ()

    def country(self, ip: str) -> tuple[str, str]:
        if len(ip) > _MAX_ADDRESS_CHARS:
            return _NO_COUNTRY
        ip = ip.strip()
        code = iptocc.country_code(ip)
        # Every textual form of a mapped address contains "ffff"; skip parsing the rest.
        if code is None and ":" in ip and "ffff" in ip.lower():
            mapped = _mapped_ipv4(ip)
            if mapped is not None:
                code = iptocc.country_code(mapped)
        if code is None:
            return _NO_COUNTRY
        return _COUNTRIES.get(code, _NO_COUNTRY)


def _mapped_ipv4(ip: str) -> str | None:
    """``::ffff:8.8.8.8`` / ``::ffff:808:808`` -> ``8.8.8.8``; else None."""
    head, _, tail = ip.rpartition(":")
    if head.lower() == "::ffff" and "." in tail:
        return tail  # the usual spelling from dual-stack sockets: no parse needed
    try:
        address = ipaddress.IPv6Address(ip)
    except ValueError:
        return None
    mapped = address.ipv4_mapped
    return None if mapped is None else str(mapped)
