"""The plumbing of server-rendered pages, free of any page's rules: cookies,
CSRF tokens, form bodies, the security headers every page carries."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from http.cookies import SimpleCookie
from typing import Final
from urllib.parse import parse_qsl

__all__ = [
    "PAGE_HEADERS",
    "CsrfTokens",
    "clear_cookie",
    "parse_cookies",
    "parse_form",
    "same_origin",
    "set_cookie",
]

#: No script at all, styles only from our own stylesheet, forms only to us, never
#: framed. The QR code is inline SVG (part of the document, not a resource).
CSP: Final = (
    "default-src 'none'; style-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS: Final[list[tuple[bytes, bytes]]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    # Reset and confirmation links carry their secret in the query string.
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]
MAX_FORM_FIELDS: Final = 20


def parse_cookies(header: str) -> dict[str, str]:
    """The ``Cookie`` header's values by name (malformed parts are ignored)."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # http.cookies raises CookieError and others on junk
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def set_cookie(
    name: str, value: str, *, path: str, secure: bool, max_age: int | None = None
) -> bytes:
    """A ``Set-Cookie`` value: never readable by script, never sent cross-site."""
    parts = [f"{name}={value}", f"Path={path}", "HttpOnly", "SameSite=Strict"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if secure:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")


def clear_cookie(name: str, *, path: str, secure: bool) -> bytes:
    return set_cookie(name, "", path=path, secure=secure, max_age=0)


def parse_form(body: bytes) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body; the last value of a repeated
    field wins, and more than ``MAX_FORM_FIELDS`` fields is junk."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise ValueError("the form is not UTF-8") from None
    if len(pairs) > MAX_FORM_FIELDS:
        raise ValueError("too many fields")
    return dict(pairs)


class CsrfTokens:
    """A form's token is bound to what the browser holds: its page session once
    signed in, else its pre-sign-in cookie. A forged post from elsewhere cannot
    read either (HttpOnly, SameSite=Strict), so it cannot make the token."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        self._key = key

    def token(self, binding: str) -> str:
        return hmac.new(self._key, binding.encode(), hashlib.sha256).hexdigest()

    def valid(self, binding: str, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(self.token(binding), given)


def same_origin(headers: Mapping[str, str]) -> bool:
    """Defence in depth beside the token: a browser that says where a post comes
    from must say it comes from here. ``Sec-Fetch-Site`` is the browser's own
    word; without it, an ``Origin`` other than ours is refused. (``Origin: null``
    says nothing: browsers send it for our own forms under ``no-referrer``.)"""
    site = headers.get("sec-fetch-site", "")
    if site:
        return site in ("same-origin", "none")
    origin = headers.get("origin", "")
    if origin and origin != "null":
        return origin.split("://", 1)[-1] == headers.get("host", "")
    return True
