"""The User Session API v1's one door (``Services.authentication``): who is calling
(``api_callers.py``), the progressive sign-in (``progressive_sign_in.py``) and
session access (``session_access.py``), under the method names its routes call."""

from __future__ import annotations

from gatehouse.services.api_callers import ApiCallers
from gatehouse.services.progressive_sign_in import ProgressiveSignIn
from gatehouse.services.session_access import SessionAccess

__all__ = ["AuthenticationService"]


class AuthenticationService:
    """Holds its parts' own bound methods, not wrappers around them: the token
    check (``resolve_api_key``, ``get_session``) pays no extra call."""

    __slots__ = ("authenticate", "end_session", "get_session", "renew_session", "resolve_api_key")

    def __init__(
        self, *, callers: ApiCallers, sign_in: ProgressiveSignIn, access: SessionAccess
    ) -> None:
        self.resolve_api_key = callers.resolve_api_key
        self.authenticate = sign_in.authenticate
        self.get_session = access.get_session
        self.renew_session = access.renew_session
        self.end_session = access.end_session
