"""Wire types of the account API v3 (camelCase, UNIX seconds), and the request
validation that names every offending property."""

from __future__ import annotations

import re
from typing import Annotated, Any, Final, Literal

import msgspec

from gatehouse.adapters.geo import GeoLookup
from gatehouse.core.clock import rfc3339
from gatehouse.core.models import User

__all__ = [
    "AccountBillingDetails",
    "AccountDetails",
    "AccountErrorBody",
    "AccountErrorItem",
    "LoginIn",
    "NewToken",
    "SessionAuthReq",
    "SessionLogin",
    "SessionLoginOtp",
    "SessionUser",
    "parse_login",
    "parse_otp",
    "session_user_out",
]

MAX_USERNAME: Final = 255
MAX_PASSWORD: Final = 1024
_OTP: Final = re.compile(r"[0-9]{6}\Z")
_RECOVERY: Final = re.compile(r"[A-Za-z0-9]{5}-[A-Za-z0-9]{5}\Z")


class AccountErrorItem(msgspec.Struct):
    property: str
    message: str


class AccountErrorBody(msgspec.Struct):
    errorCode: int
    errorMessage: str
    errors: list[AccountErrorItem]


class NewToken(msgspec.Struct):
    """Our extension: a fresh, logged-out device token."""

    token: str
    expiresAt: int


class SessionAuthReq(msgspec.Struct):
    requiresOtp: bool
    expiresAt: int
    otpSessionExpiresAt: int


class AccountDetails(msgspec.Struct):
    accountType: int
    firstName: str
    lastName: str
    address: str
    streetNumber: str
    zipCode: str
    city: str
    countryCode: str
    emailAddress: str
    unconfirmedEmail: None
    emailAddressValidated: int
    language: int
    agreeDpa: int
    isAllowedFlexMetal: int


class AccountBillingDetails(msgspec.Struct):
    firstName: str
    lastName: str
    address: str
    streetNumber: str
    zipCode: str
    city: str
    countryCode: str
    bundleInvoicesOfSameCategory: int
    receivePaymentConfirmationsViaEmail: int
    preferredPaymentMethod: int


class SessionUser(msgspec.Struct):
    userId: int
    userName: str
    email: str
    firstName: str
    lastName: str
    gender: str
    phone: str
    accessLevel: int
    validateEmail: int
    isTrialAccount: int
    trialAccountExpirationDate: str
    requestIp: str
    requestIpCountry: str
    requestIpCountryCode: str
    details: AccountDetails
    billingDetails: AccountBillingDetails


class SessionLogin(msgspec.Struct):
    """Log in; ``rememberMe`` 1 selects the project's long session lifetime."""

    userName: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
    rememberMe: Literal[0, 1] = 0


class SessionLoginOtp(msgspec.Struct):
    """The one-time password: 6 digits, or a recovery code ``xxxxx-xxxxx``."""

    otp: Annotated[str, msgspec.Meta(pattern=r"^([0-9]{6}|[A-Za-z0-9]{5}-[A-Za-z0-9]{5})$")]


class LoginIn(msgspec.Struct):
    userName: str
    password: str
    rememberMe: int


# -- validation (every offending property is reported, not only the first) -----------

BLANK: Final = "This value should not be blank."
MISSING: Final = "This field is missing."
NOT_STRING: Final = "This value should be of type string."


def _string(body: dict[str, Any], key: str, limit: int, problems: list[tuple[str, str]]) -> str:
    if key not in body or body[key] is None:
        problems.append((key, MISSING if key not in body else BLANK))
        return ""
    value = body[key]
    if not isinstance(value, str):
        problems.append((key, NOT_STRING))
        return ""
    if value == "":
        problems.append((key, BLANK))
    elif len(value) > limit:
        problems.append(
            (key, f"This value is too long. It should have {limit} characters or less.")
        )
    return value


def parse_login(body: dict[str, Any]) -> tuple[LoginIn | None, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    user_name = _string(body, "userName", MAX_USERNAME, problems)
    password = _string(body, "password", MAX_PASSWORD, problems)
    remember = body.get("rememberMe")
    if remember is None:
        remember = 0
    elif isinstance(remember, bool) or not isinstance(remember, int) or remember not in (0, 1):
        problems.append(("rememberMe", "This value should be either 0 or 1."))
    if problems:
        return None, problems
    return LoginIn(user_name, password, int(remember)), []


def parse_otp(body: dict[str, Any]) -> tuple[str | None, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    value = _string(body, "otp", 64, problems)
    if problems:
        return None, problems
    if not (_OTP.match(value) or _RECOVERY.match(value)):
        message = "This value should be exactly 6 digits (or a recovery code xxxxx-xxxxx)."
        return None, [("otp", message)]
    return value, []


_NO_BILLING: Final = AccountBillingDetails(
    firstName="",
    lastName="",
    address="",
    streetNumber="",
    zipCode="",
    city="",
    countryCode="",
    bundleInvoicesOfSameCategory=0,
    receivePaymentConfirmationsViaEmail=0,
    preferredPaymentMethod=0,
)


def session_user_out(user: User, ip: str, geo: GeoLookup) -> SessionUser:
    """The full ``SessionUser`` of a logged-in user seen from ``ip``."""
    country, country_code = geo.country(ip)
    trial_date = ""
    if user.is_trial and user.trial_expires_at is not None:
        trial_date = rfc3339(user.trial_expires_at)
    return SessionUser(
        userId=user.id,
        userName=user.username,
        email=user.email,
        firstName=user.first_name,
        lastName=user.last_name,
        gender=user.gender,
        phone=user.phone,
        accessLevel=int(user.access_level),
        validateEmail=int(user.email_validated),
        isTrialAccount=int(user.is_trial),
        trialAccountExpirationDate=trial_date,
        requestIp=ip,
        requestIpCountry=country,
        requestIpCountryCode=country_code,
        details=AccountDetails(
            accountType=0,
            firstName=user.first_name,
            lastName=user.last_name,
            address="",
            streetNumber="",
            zipCode="",
            city="",
            countryCode="",
            emailAddress=user.email,
            unconfirmedEmail=None,
            emailAddressValidated=int(user.email_validated),
            language=0,
            agreeDpa=0,
            isAllowedFlexMetal=0,
        ),
        billingDetails=_NO_BILLING,
    )
