"""What a HiveMP sign-in call carries and what it answers (no HTTP).

``SignInRequest`` is checked against its limits here, before anything is read;
the flow itself (``progressive_sign_in.py``) answers a ``SignInOutcome`` (a session,
or the prompts to show) or raises ``AuthenticationFailed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from gatehouse.adapters.providers.steam import MAX_TICKET_HEX_LENGTH
from gatehouse.core.errors import GatehouseError, InvalidInput
from gatehouse.core.models import Project
from gatehouse.core.passwords import is_prehash
from gatehouse.services.sessions import IssuedSession

__all__ = [
    "MAX_CODE_LENGTH",
    "MAX_DEVICE_ID_LENGTH",
    "MAX_DEVICE_NAME_LENGTH",
    "MAX_EMAIL_LENGTH",
    "MAX_STEAM_TICKETS",
    "ROLE_ADMIN",
    "ROLE_USER",
    "TICKETS_FIELD",
    "AuthenticationFailed",
    "Prompts",
    "SignInOutcome",
    "SignInRequest",
    "validate",
]

#: One ticket names one Steam account; more than a few per request is no game's
#: need, only a way to multiply calls to Steam.
MAX_STEAM_TICKETS: Final = 4
MAX_EMAIL_LENGTH: Final = 320
MAX_CODE_LENGTH: Final = 64
MAX_DEVICE_ID_LENGTH: Final = 256
MAX_DEVICE_NAME_LENGTH: Final = 200
ROLE_USER: Final = "builtin:user"
ROLE_ADMIN: Final = "builtin:admin"
#: The wire field that errors about Steam tickets point at.
TICKETS_FIELD: Final = "tokens.steamTokens"


@dataclass(frozen=True, slots=True)
class SignInRequest:
    email: str | None = None
    password_hash: str | None = None
    marketing_opt_in: bool | None = None
    prompt_for_project: bool = False
    project_id: str | None = None
    requested_role: str | None = None
    steam_tickets: tuple[str, ...] = ()
    two_factor_code: str | None = None
    device_identifier: str | None = None
    device_name: str | None = None
    trust_device: bool = False
    confirm_link: bool = False


@dataclass(slots=True)
class Prompts:
    email_address: bool = False
    password: bool = False
    marketing_opt_in: bool = False
    two_factor: bool = False


@dataclass(frozen=True, slots=True)
class SignInOutcome:
    intent: str | None
    prompts: Prompts = field(default_factory=Prompts)
    issued: IssuedSession | None = None
    available_projects: list[Project] | None = None


class AuthenticationFailed(Exception):
    """A flow step failed; ``prompts`` are what the game should keep asking for."""

    def __init__(self, error: GatehouseError, prompts: Prompts) -> None:
        super().__init__(error.message)
        self.error = error
        self.prompts = prompts


def validate(req: SignInRequest) -> None:
    """The request's own limits, checked before anything is read or counted: an
    oversized or malformed field never reaches Steam, the database or a throttle."""
    if req.email is not None and (
        len(req.email) > MAX_EMAIL_LENGTH or (req.email and "@" not in req.email)
    ):
        raise InvalidInput("emailAddress must be an email address", field="emailAddress")
    if req.password_hash is not None and req.password_hash and not is_prehash(req.password_hash):
        raise InvalidInput("passwordHash must be 64 lowercase hex characters", field="passwordHash")
    if len(req.steam_tickets) > MAX_STEAM_TICKETS:
        raise InvalidInput(
            f"At most {MAX_STEAM_TICKETS} Steam tickets per request", field=TICKETS_FIELD
        )
    for ticket in req.steam_tickets:
        if not ticket or len(ticket) > MAX_TICKET_HEX_LENGTH:
            raise InvalidInput("Steam ticket is empty or too long", field=TICKETS_FIELD)
        try:
            bytes.fromhex(ticket)
        except ValueError:
            raise InvalidInput("Steam ticket must be hexadecimal", field=TICKETS_FIELD) from None
    if req.two_factor_code is not None and len(req.two_factor_code) > MAX_CODE_LENGTH:
        raise InvalidInput("twoFactorCode is too long", field="twoFactor.twoFactorCode")
    if req.device_identifier is not None and len(req.device_identifier) > MAX_DEVICE_ID_LENGTH:
        raise InvalidInput("deviceIdentifier is too long", field="twoFactor.deviceIdentifier")
    if req.device_name is not None and len(req.device_name) > MAX_DEVICE_NAME_LENGTH:
        raise InvalidInput(
            "deviceIdentifierFriendlyName is too long",
            field="twoFactor.deviceIdentifierFriendlyName",
        )
    if req.requested_role not in (None, ROLE_USER, ROLE_ADMIN):
        raise InvalidInput(
            f"requestedRole must be {ROLE_USER!r} or {ROLE_ADMIN!r}", field="requestedRole"
        )
    if req.project_id is not None and not (
        req.project_id.isascii() and req.project_id.isdigit() and len(req.project_id) <= 18
    ):
        raise InvalidInput("projectId must be a project id", field="projectId")
