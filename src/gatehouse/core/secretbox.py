"""Authenticated encryption of small secrets at rest (TOTP seeds, Steam web API keys).

    token = "v1." + base64url_unpadded(nonce[12] || AES-256-GCM ciphertext || tag[16])

The AES key is derived from the master key with HKDF-SHA256, so the master
key can be shared with other derivations (other ``info`` labels) without
reuse. Random 96-bit nonces are safe for far more seals than a user table
will ever see (NIST's 2**32 limit per key).

``context`` (optional) is bound as AES-GCM associated data: a seed sealed for
``"totp:user:42"`` does not open as another user's, so ciphertexts cannot be
swapped between rows. Pure apart from ``os.urandom``.
"""

from __future__ import annotations

import base64
import binascii
import os
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["MIN_MASTER_KEY_BYTES", "SecretBox"]

MIN_MASTER_KEY_BYTES: Final = 32
_INFO: Final = b"gatehouse secretbox v1"
_PREFIX: Final = "v1."
_NONCE_BYTES: Final = 12
_TAG_BYTES: Final = 16
# A Steam key or TOTP seed is < 100 bytes; refuse to decode anything huge.
_MAX_TOKEN_CHARS: Final = 16 * 1024


class SecretBox:
    """Seal and open short strings with a key derived from ``master_key``."""

    __slots__ = ("_aead",)

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) < MIN_MASTER_KEY_BYTES:
            raise ValueError(f"master key must be at least {MIN_MASTER_KEY_BYTES} bytes")
        subkey = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
            master_key
        )
        self._aead = AESGCM(subkey)

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"

    def seal(self, plaintext: str, *, context: str = "") -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
        return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")

    def open(self, token: str, *, context: str = "") -> str:
        """Return the plaintext; ``ValueError`` if the token is malformed, tampered
        with, sealed under another key or for another context."""
        if not token.startswith(_PREFIX) or len(token) > _MAX_TOKEN_CHARS:
            raise ValueError("not a v1 secretbox token")
        body = token[len(_PREFIX) :]
        try:
            # b64decode ignores stray characters unless validate=True; we want strict.
            raw = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("malformed secretbox token") from None
        # Non-canonical spellings (stray low bits in the last character) decode to
        # the same bytes; refuse them so one sealed value has exactly one token.
        canonical = base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
        if len(raw) < _NONCE_BYTES + _TAG_BYTES or canonical != body:
            raise ValueError("malformed secretbox token")
        nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
        try:
            plaintext = self._aead.decrypt(nonce, sealed, context.encode("utf-8"))
        except InvalidTag:
            raise ValueError("secretbox token failed authentication") from None
        return plaintext.decode("utf-8")
