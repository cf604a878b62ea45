"""Account session API v3 (``/v3/session``), authenticated by ``PRIVATE-TOKEN``.

A device token (``new_device_token``) starts logged out; ``login`` (and
``login_otp`` when two-factor is on) binds a session to it; ``logout`` ends it.
A personal token (``gatehouse token create``) is always logged in. Every call but
``new_device_token`` takes ``token=`` to use another token than the client's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from gatehouse_client import _json as j
from gatehouse_client._error_bodies import account_error
from gatehouse_client._http import DEFAULT_TIMEOUT, Request, no_content
from gatehouse_client._surface import AsyncSurface, SyncSurface, operation
from gatehouse_client.retry import RetryPolicy

__all__ = [
    "AccountBillingDetails",
    "AccountClient",
    "AccountDetails",
    "AccountUser",
    "AsyncAccountClient",
    "DeviceToken",
    "LoginResult",
]

PREFIX = "/v3/session"


@dataclass(frozen=True, slots=True)
class DeviceToken:
    token: str
    #: When the token expires if it stays unused (it slides on use).
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class LoginResult:
    requires_otp: bool
    #: The end of the window for ``login_otp``; ``None`` when no OTP is required.
    expires_at: datetime | None
    otp_session_expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class AccountDetails:
    account_type: int
    first_name: str
    last_name: str
    address: str
    street_number: str
    zip_code: str
    city: str
    country_code: str
    email_address: str
    unconfirmed_email: str | None
    email_address_validated: bool
    language: int
    agree_dpa: bool
    is_allowed_flex_metal: bool


@dataclass(frozen=True, slots=True)
class AccountBillingDetails:
    first_name: str
    last_name: str
    address: str
    street_number: str
    zip_code: str
    city: str
    country_code: str
    bundle_invoices_of_same_category: int
    receive_payment_confirmations_via_email: int
    preferred_payment_method: int


@dataclass(frozen=True, slots=True)
class AccountUser:
    """``GET /v3/session/user``: the user the token is logged in as."""

    user_id: int
    user_name: str
    email: str
    first_name: str
    last_name: str
    gender: str
    phone: str
    #: 0 guest, 10 regular user, 20 management access.
    access_level: int
    validate_email: bool
    is_trial_account: bool
    trial_account_expiration_date: datetime | None
    request_ip: str
    request_ip_country: str
    request_ip_country_code: str
    details: AccountDetails
    billing_details: AccountBillingDetails


def _moment(m: Mapping[str, Any], key: str) -> datetime | None:
    """UNIX seconds, 0 meaning "not applicable"."""
    seconds = j.integer(m, key)
    return datetime.fromtimestamp(seconds, UTC) if seconds else None


def _flag(m: Mapping[str, Any], key: str) -> bool:
    return bool(j.integer(m, key))


def _details(m: Mapping[str, Any]) -> AccountDetails:
    return AccountDetails(
        account_type=j.integer(m, "accountType"),
        first_name=j.string(m, "firstName"),
        last_name=j.string(m, "lastName"),
        address=j.string(m, "address"),
        street_number=j.string(m, "streetNumber"),
        zip_code=j.string(m, "zipCode"),
        city=j.string(m, "city"),
        country_code=j.string(m, "countryCode"),
        email_address=j.string(m, "emailAddress"),
        unconfirmed_email=j.optional_str(m, "unconfirmedEmail"),
        email_address_validated=_flag(m, "emailAddressValidated"),
        language=j.integer(m, "language"),
        agree_dpa=_flag(m, "agreeDpa"),
        is_allowed_flex_metal=_flag(m, "isAllowedFlexMetal"),
    )


def _billing(m: Mapping[str, Any]) -> AccountBillingDetails:
    return AccountBillingDetails(
        first_name=j.string(m, "firstName"),
        last_name=j.string(m, "lastName"),
        address=j.string(m, "address"),
        street_number=j.string(m, "streetNumber"),
        zip_code=j.string(m, "zipCode"),
        city=j.string(m, "city"),
        country_code=j.string(m, "countryCode"),
        bundle_invoices_of_same_category=j.integer(m, "bundleInvoicesOfSameCategory"),
        receive_payment_confirmations_via_email=j.integer(m, "receivePaymentConfirmationsViaEmail"),
        preferred_payment_method=j.integer(m, "preferredPaymentMethod"),
    )


def _read_user(response: httpx.Response) -> AccountUser:
    m = j.obj(j.body_of(response))
    trial_end = j.string(m, "trialAccountExpirationDate")
    return AccountUser(
        user_id=j.integer(m, "userId"),
        user_name=j.string(m, "userName"),
        email=j.string(m, "email"),
        first_name=j.string(m, "firstName"),
        last_name=j.string(m, "lastName"),
        gender=j.string(m, "gender"),
        phone=j.string(m, "phone"),
        access_level=j.integer(m, "accessLevel"),
        validate_email=_flag(m, "validateEmail"),
        is_trial_account=_flag(m, "isTrialAccount"),
        trial_account_expiration_date=(
            j.rfc3339(m, "trialAccountExpirationDate") if trial_end else None
        ),
        request_ip=j.string(m, "requestIp"),
        request_ip_country=j.string(m, "requestIpCountry"),
        request_ip_country_code=j.string(m, "requestIpCountryCode"),
        details=_details(j.obj(m.get("details"), "details")),
        billing_details=_billing(j.obj(m.get("billingDetails"), "billingDetails")),
    )


def _read_login(response: httpx.Response) -> LoginResult:
    m = j.obj(j.body_of(response))
    return LoginResult(
        requires_otp=j.boolean(m, "requiresOtp"),
        expires_at=_moment(m, "expiresAt"),
        otp_session_expires_at=_moment(m, "otpSessionExpiresAt"),
    )


def _read_device_token(response: httpx.Response) -> DeviceToken:
    m = j.obj(j.body_of(response))
    return DeviceToken(token=j.string(m, "token"), expires_at=j.unix_time(m, "expiresAt"))


def _token(token: str | None) -> dict[str, str]:
    return {"PRIVATE-TOKEN": token} if token is not None else {}


_NO_CONTENT = frozenset({204})


def _new_device_token(*, api_key: str | None = None) -> Request[DeviceToken]:
    """A new, logged-out device token (``POST /v3/session/token``), for the default
    project or the project of a public ``api_key``."""
    return Request(
        "POST",
        f"{PREFIX}/token",
        _read_device_token,
        account_error,
        headers={"X-API-Key": api_key} if api_key is not None else {},
        credentials=False,
        success=frozenset({201}),
    )


def _login(
    user_name: str, password: str, *, remember_me: bool = False, token: str | None = None
) -> Request[LoginResult]:
    """Log the token in; with two-factor on, ``requires_otp`` and then ``login_otp``."""
    return Request(
        "POST",
        f"{PREFIX}/login",
        _read_login,
        account_error,
        json={"userName": user_name, "password": password, "rememberMe": int(remember_me)},
        headers=_token(token),
    )


def _login_otp(otp: str, *, token: str | None = None) -> Request[None]:
    """Complete a login with a 6-digit code or a recovery code."""
    return Request(
        "POST",
        f"{PREFIX}/login/otp",
        no_content,
        account_error,
        json={"otp": otp},
        headers=_token(token),
        success=_NO_CONTENT,
    )


def _user(*, token: str | None = None) -> Request[AccountUser]:
    """Who the token is logged in as (``NotFound`` when it is logged out)."""
    return Request("GET", f"{PREFIX}/user", _read_user, account_error, headers=_token(token))


def _logout(*, token: str | None = None) -> Request[None]:
    """Log out: the token's session ends (a personal token stays logged in)."""
    return Request(
        "POST",
        f"{PREFIX}/logout",
        no_content,
        account_error,
        headers=_token(token),
        success=_NO_CONTENT,
    )


class _Calls:
    new_device_token = operation(_new_device_token)
    login = operation(_login)
    login_otp = operation(_login_otp)
    user = operation(_user)
    logout = operation(_logout)


class AsyncAccountClient(_Calls, AsyncSurface):
    """``async with AsyncAccountClient(url, token) as account:`` (``token`` may be
    left out and given per call, e.g. right after ``new_device_token``)."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(base_url, _token(token), timeout=timeout, retry=retry, http=http)


class AccountClient(_Calls, SyncSurface):
    """``with AccountClient(url, token) as account:``"""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        super().__init__(base_url, _token(token), timeout=timeout, retry=retry, http=http)
