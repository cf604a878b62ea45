"""TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps) and recovery codes. Pure.

``verify`` returns the time step a code matched, never just ``True``: the
caller stores it as the user's "last used step" with an atomic
compare-and-set (``UPDATE ... WHERE last_used_step IS NULL OR last_used_step
< :step``) and refuses the code if no row changed. Any code whose step is not
after the last used one is refused here too, so a code cannot be replayed,
nor can an older code be used after a newer one.

Recovery codes are 10 symbols of Crockford base32 (50 bits), shown as
``xxxxx-xxxxx``; ``normalize_recovery_code`` gives the one canonical form to
hash and compare.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from datetime import datetime
from typing import Final

import pyotp

from gatehouse.core.errors import InvalidOneTimePassword

__all__ = [
    "DIGITS",
    "RECOVERY_CODE_BITS",
    "STEP_SECONDS",
    "new_recovery_codes",
    "new_secret",
    "normalize_recovery_code",
    "provisioning_uri",
    "time_step",
    "verify",
]

DIGITS: Final = 6
STEP_SECONDS: Final = 30
_SECRET_BYTES: Final = 20  # 160 bits, RFC 4226's recommended HMAC-SHA1 key size

# Crockford base32: no i, l, o, u; read-back confusables map onto 0 and 1.
_ALPHABET: Final = "0123456789abcdefghjkmnpqrstvwxyz"
_CONFUSABLES: Final = str.maketrans({"o": "0", "i": "1", "l": "1"})
_GROUP: Final = 5
_RECOVERY_LENGTH: Final = 2 * _GROUP
RECOVERY_CODE_BITS: Final = 5 * _RECOVERY_LENGTH  # 50


def new_secret() -> str:
    """A fresh random TOTP seed: 160 bits as 32 unpadded base32 characters."""
    return base64.b32encode(secrets.token_bytes(_SECRET_BYTES)).decode("ascii")


def provisioning_uri(secret: str, account_name: str, issuer: str) -> str:
    """The ``otpauth://totp/...`` URI an authenticator app scans as a QR code."""
    # ':' separates issuer from account in the label; apps split on the first one.
    if ":" in issuer or ":" in account_name:
        raise ValueError("issuer and account name must not contain ':'")
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=issuer)


def time_step(at: datetime) -> int:
    """The RFC 6238 counter for an aware datetime."""
    if at.tzinfo is None or at.utcoffset() is None:
        # A naive datetime would be read as local time: wrong step on most servers.
        raise ValueError("at must be timezone-aware")
    return int(at.timestamp()) // STEP_SECONDS


def _is_code_shape(code: str) -> bool:
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def verify(
    secret: str,
    code: str,
    *,
    at: datetime,
    last_used_step: int | None,
    drift_steps: int = 1,
) -> int | None:
    """Return the time step ``code`` is valid for, or None.

    Accepts steps ``now - drift_steps .. now + drift_steps`` that are after
    ``last_used_step``. Every candidate is computed and compared in constant
    time, so timing says nothing about which step (if any) matched.
    """
    if drift_steps < 0:
        raise ValueError("drift_steps must be >= 0")
    if not _is_code_shape(code):
        return None
    now = time_step(at)
    hotp = pyotp.HOTP(secret, digits=DIGITS)
    given = code.encode("ascii")
    matched: int | None = None
    for step in range(now - drift_steps, now + drift_steps + 1):
        if step < 0:
            continue
        expected = hotp.at(step).encode("ascii")
        fresh = last_used_step is None or step > last_used_step
        # Latest match wins: marks the most steps as used (a collision is ~1e-6).
        if hmac.compare_digest(expected, given) and fresh:
            matched = step
    return matched


def new_recovery_codes(n: int = 10) -> list[str]:
    """``n`` distinct fresh codes like ``7k2qm-x9d0f`` (50 random bits each)."""
    if n < 1:
        raise ValueError("n must be >= 1")
    codes: list[str] = []
    while len(codes) < n:
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        code = f"{raw[:_GROUP]}-{raw[_GROUP:]}"
        if code not in codes:
            codes.append(code)
    return codes


def normalize_recovery_code(s: str) -> str:
    """Canonical ``xxxxx-xxxxx`` form of what a user typed, for hashing.

    Case, spaces, hyphens and the confusables o/i/l are forgiven. Raises
    ``InvalidOneTimePassword`` when the text cannot be a recovery code.
    """
    if len(s) > 64:  # bound the work on hostile input
        raise InvalidOneTimePassword()
    raw = "".join(s.split()).replace("-", "").lower().translate(_CONFUSABLES)
    if len(raw) != _RECOVERY_LENGTH or any(c not in _ALPHABET for c in raw):
        raise InvalidOneTimePassword()
    return f"{raw[:_GROUP]}-{raw[_GROUP:]}"
