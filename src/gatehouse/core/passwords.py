"""The password format every surface agrees on.

HiveMP games send ``passwordHash`` = lowercase hex SHA-256 of UTF-8 ``"HiveMPv1" +
password``; the core stores argon2id over that string. Every other way in (account
v3 login, the CLI) computes the same prehash from the plaintext first, so one
password works on every surface.
"""

from __future__ import annotations

import hashlib
import hmac
import re

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "credential_stamp",
    "is_prehash",
    "prehash",
    "same_stamp",
]

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
_PREHASH = re.compile(r"[0-9a-f]{64}")


def prehash(password: str) -> str:
    return hashlib.sha256(("HiveMPv1" + password).encode("utf-8")).hexdigest()


def is_prehash(value: str) -> bool:
    return _PREHASH.fullmatch(value) is not None


def credential_stamp(password_hash: str | None, totp_secret_enc: str | None) -> str:
    """Changes whenever the password or the second factor does. A sign-in carries
    the stamp of the credentials it verified, and its session may start only while
    the stored stamp is still the same (services/sessions.py), so a sign-in that
    verified an old password cannot outlive the change that replaced it."""
    material = f"{password_hash or ''}\x00{totp_secret_enc or ''}".encode()
    return hashlib.sha256(material).hexdigest()[:32]


def same_stamp(a: str | None, b: str | None) -> bool:
    """Stamps derive from secrets: compared in constant time."""
    return a is not None and b is not None and hmac.compare_digest(a, b)
