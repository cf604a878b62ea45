"""The password format every surface agrees on.

HiveMP games send ``passwordHash`` = lowercase hex SHA-256 of UTF-8 ``"HiveMPv1" +
password``; the core stores argon2id over that string. Every other way in (account
v3 login, the CLI) computes the same prehash from the plaintext first, so one
password works on every surface.
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["MAX_PASSWORD_LENGTH", "MIN_PASSWORD_LENGTH", "is_prehash", "prehash"]

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
_PREHASH = re.compile(r"[0-9a-f]{64}")


def prehash(password: str) -> str:
    return hashlib.sha256(("HiveMPv1" + password).encode("utf-8")).hexdigest()


def is_prehash(value: str) -> bool:
    return _PREHASH.fullmatch(value) is not None
