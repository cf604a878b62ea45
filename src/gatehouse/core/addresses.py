"""Who counts as one caller for per-address limits."""

from __future__ import annotations

import functools
import ipaddress

__all__ = ["caller_group"]


@functools.lru_cache(maxsize=16_384)
def caller_group(address: str, ipv6_prefix: int = 64) -> str:
    """The throttling identity of a caller address: an IPv4 address as it is, an
    IPv6 address by its network of ``ipv6_prefix`` bits (one subscriber usually
    holds a whole /64, so 2^64 addresses must not mean 2^64 budgets). Anything
    unparsable is its own group."""
    try:
        addr = ipaddress.ip_address(address.strip())
    except ValueError:
        return address
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return str(addr.ipv4_mapped)
        return str(ipaddress.IPv6Network((addr, ipv6_prefix), strict=False))
    return str(addr)
