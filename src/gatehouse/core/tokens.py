"""Bearer secrets: random out, keyed hash stored, constant-time comparison.

Every secret Gatehouse issues (session tokens, API keys, client secrets,
account tokens) is ``<prefix><43 urlsafe chars>`` and is stored only as
HMAC-SHA256 under the instance key, so a database dump reveals none of them.
The prefix names the kind of secret, which lets secret scanners spot leaks and
lets a surface route a presented credential without a second lookup.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = [
    "ACCOUNT_TOKEN_PREFIX",
    "API_KEY_PREFIX",
    "CLIENT_SECRET_PREFIX",
    "MAX_SECRET_LENGTH",
    "OPERATOR_KEY_PREFIX",
    "SESSION_TOKEN_PREFIX",
    "TokenHasher",
    "constant_time_equals",
]

SESSION_TOKEN_PREFIX = "gs_"
API_KEY_PREFIX = "gk_"
CLIENT_SECRET_PREFIX = "gc_"
ACCOUNT_TOKEN_PREFIX = "gt_"
#: Instance-wide admin API keys (made only by the CLI).
OPERATOR_KEY_PREFIX = "gko_"

#: Anything longer is not one of ours; refusing it early bounds the work done
#: for junk credentials.
MAX_SECRET_LENGTH = 128


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class TokenHasher:
    """Mints secrets and computes their stored form under one instance key."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the instance key must be at least 32 bytes")
        self._key = key

    def new(self, prefix: str) -> tuple[str, str]:
        """A fresh secret and its stored hash."""
        secret = prefix + secrets.token_urlsafe(32)
        return secret, self.hash(secret)

    def hash(self, secret: str) -> str:
        return hmac.new(self._key, secret.encode(), hashlib.sha256).hexdigest()

    def matches(self, secret: str, stored_hash: str) -> bool:
        return hmac.compare_digest(self.hash(secret), stored_hash)

    def derive(self, purpose: bytes) -> bytes:
        """An independent subkey for another use (cursor signing, encryption)."""
        return hmac.new(self._key, b"gatehouse derive:" + purpose, hashlib.sha256).digest()
