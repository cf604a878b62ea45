"""The caller's address, believing ``X-Forwarded-For`` only from trusted proxies."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence
from typing import Any

__all__ = ["client_address"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8192)
def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        addr = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def client_address(scope: dict[str, Any], trusted: Sequence[Network]) -> str:
    """Walk ``X-Forwarded-For`` from the right while the hop is a trusted proxy."""
    peer = scope.get("client")
    peer_host = peer[0] if peer else ""
    current = _parse(peer_host)
    if current is None:
        return peer_host
    if not trusted or not any(current in net for net in trusted):
        return str(current)
    forwarded: list[str] = []
    for name, value in scope.get("headers", ()):
        if name == b"x-forwarded-for":
            forwarded.extend(value.decode("latin-1").split(","))
    for hop in reversed(forwarded):
        addr = _parse(hop)
        if addr is None:
            break
        current = addr
        if not any(addr in net for net in trusted):
            break
    return str(current)
