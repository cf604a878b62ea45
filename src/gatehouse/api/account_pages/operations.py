"""The account pages: each function answers one method of one page. They read
the form, call one service, and render a template or redirect; every rule lives
in the services (self_service, credentials, account_mail)."""

from __future__ import annotations

import contextlib
import time
from functools import cache
from importlib import resources
from typing import Final
from urllib.parse import quote

from gatehouse.api._common.http import Call, Reply
from gatehouse.api.account_pages.page import (
    COOKIE_DEVICE,
    COOKIE_PENDING,
    COOKIE_SESSION,
    Page,
)
from gatehouse.api.account_pages.qr import qr_svg
from gatehouse.api.account_pages.views import activity_rows, session_rows
from gatehouse.core import totp
from gatehouse.core.errors import (
    AccountDisabled,
    Conflict,
    GatehouseError,
    InvalidCredentials,
    InvalidInput,
    InvalidOneTimePassword,
    RateLimited,
    SessionNotFound,
)
from gatehouse.core.models import Session
from gatehouse.services.account_mail import LinkExpired
from gatehouse.services.credentials import TRUSTED_DEVICE_SECONDS
from gatehouse.services.self_service import PENDING_SECONDS, PendingSignInExpired, SignedIn

_US: Final = 1_000_000
#: How long a proposed authenticator secret waits for its first code.
SETUP_SECONDS: Final = 15 * 60
_WRONG_LOGIN: Final = "That username or email and password do not match an account."
_WRONG_CODE: Final = "That code is not right, or it was already used."
_WRONG_PASSWORD: Final = "Your current password is not right."
_DISABLED: Final = "This account is switched off. Contact the game's support."


def _problem(exc: GatehouseError) -> tuple[int, str, list[tuple[bytes, bytes]]]:
    """A service's refusal as (status, message for the person, headers)."""
    if isinstance(exc, RateLimited):
        retry = [(b"retry-after", str(exc.retry_after).encode())]
        return 429, f"Too many attempts. Try again in {exc.retry_after} seconds.", retry
    if isinstance(exc, InvalidOneTimePassword):
        return 400, _WRONG_CODE, []
    if isinstance(exc, Conflict):
        return 409, exc.message, []
    if isinstance(exc, AccountDisabled):
        return 403, _DISABLED, []
    return 400, exc.message, []


def _failed(
    page: Page, template: str, exc: GatehouseError, message: str = "", **values: object
) -> Reply:
    status, text, headers = _problem(exc)
    reply = page.render(template, status, error=message or text, **values)
    reply.headers.extend(headers)
    return reply


def _sign_in_cookie(page: Page, signed_in: SignedIn) -> None:
    left = (signed_in.session.expires_at // _US) - int(time.time())
    page.set(COOKIE_SESSION, signed_in.token, max_age=max(left, 1))
    page.clear(COOKIE_PENDING)
    if signed_in.device:
        page.set(COOKIE_DEVICE, signed_in.device, max_age=TRUSTED_DEVICE_SECONDS)


def _mail(call: Call) -> bool:
    return bool(call.services.account_mail.available)


# -- signing in and out ----------------------------------------------------------------


async def overview(call: Call) -> Reply:
    page = await Page.open(call)
    if page.user is None:
        return page.signed_out()
    sessions = await call.services.self_service.sessions(page.user)
    return page.render("overview.html", session_count=len(sessions))


async def sign_in_form(call: Call) -> Reply:
    page = await Page.open(call)
    if page.user is not None:
        return page.redirect("/")
    return page.render("sign_in.html", mail=_mail(call), login="")


async def sign_in(call: Call) -> Reply:
    page = await Page.open(call)
    form = await page.form()
    login = form.get("login", "")
    try:
        step = await call.services.self_service.sign_in(
            page.project,
            login,
            form.get("password", ""),
            device=page.cookies.get(COOKIE_DEVICE),
            caller=call.caller,
            user_agent=call.user_agent,
        )
    except (InvalidCredentials, InvalidInput) as exc:
        return _failed(page, "sign_in.html", exc, _WRONG_LOGIN, mail=_mail(call), login=login)
    except (RateLimited, AccountDisabled) as exc:
        return _failed(page, "sign_in.html", exc, mail=_mail(call), login=login)
    if isinstance(step, SignedIn):
        _sign_in_cookie(page, step)
        return page.redirect("/")
    page.set(COOKIE_PENDING, step.secret, max_age=PENDING_SECONDS)
    return page.redirect("/sign-in/code")


async def code_form(call: Call) -> Reply:
    page = await Page.open(call)
    if page.user is not None:
        return page.redirect("/")
    if not page.cookies.get(COOKIE_PENDING):
        return page.redirect("/sign-in")
    return page.render("code.html")


async def code(call: Call) -> Reply:
    page = await Page.open(call)
    form = await page.form()
    pending = page.cookies.get(COOKIE_PENDING, "")
    try:
        signed_in = await call.services.self_service.second_step(
            page.project,
            pending,
            form.get("code", ""),
            trust_browser=form.get("trust_browser") == "1",
            caller=call.caller,
            user_agent=call.user_agent,
        )
    except PendingSignInExpired as exc:
        page.clear(COOKIE_PENDING)
        return page.render("sign_in.html", 400, error=exc.message, mail=_mail(call), login="")
    except (InvalidOneTimePassword, InvalidInput, RateLimited, AccountDisabled) as exc:
        return _failed(page, "code.html", exc)
    _sign_in_cookie(page, signed_in)
    return page.redirect("/")


async def sign_out(call: Call) -> Reply:
    page = await Page.open(call)
    if page.session is None:
        return page.signed_out()
    await page.form()
    with contextlib.suppress(SessionNotFound):  # ended elsewhere meanwhile
        await call.services.self_service.sign_out(page.session, caller=call.caller)
    page.clear(COOKIE_SESSION)
    return page.redirect("/sign-in")


# -- sessions and activity ------------------------------------------------------------


def _countries(call: Call, addresses: set[str]) -> dict[str, str]:
    return {ip: call.services.geo.country(ip)[0] for ip in addresses if ip}


async def sessions(call: Call) -> Reply:
    page = await Page.open(call)
    if page.user is None or page.session is None:
        return page.signed_out()
    return await _sessions_page(page)


async def _sessions_page(page: Page, status: int = 200, notice: str = "") -> Reply:
    assert page.user is not None and page.session is not None
    details = await page.services.self_service.sessions(page.user)
    countries = _countries(page.call, {d.ip for d in details})
    rows = session_rows(details, page.session.id, countries)
    return page.render("sessions.html", status, rows=rows, notice=notice)


async def end_session(call: Call) -> Reply:
    page = await Page.open(call)
    if page.user is None or page.session is None:
        return page.signed_out()
    form = await page.form()
    target = form.get("session_id", "")
    with contextlib.suppress(SessionNotFound):  # already ended: the list shows what is left
        await call.services.self_service.end_session(page.user, target, caller=call.caller)
    if target == page.session.id:
        page.clear(COOKIE_SESSION)
        return page.redirect("/sign-in")
    return page.redirect("/sessions")


async def end_other_sessions(call: Call) -> Reply:
    page = await Page.open(call)
    if page.user is None or page.session is None:
        return page.signed_out()
    await page.form()
    await call.services.self_service.end_others(page.user, page.session, caller=call.caller)
    return page.redirect("/sessions")


async def activity(call: Call) -> Reply:
    page = await Page.open(call)
    if page.user is None:
        return page.signed_out()
    events = await call.services.self_service.activity(page.user)
    rows = activity_rows(events, _countries(call, {e.ip for e in events}))
    return page.render("activity.html", rows=rows)


# -- two-factor ----------------------------------------------------------------------


async def two_factor(call: Call) -> Reply:
    page = await Page.open(call)
    if page.user is None:
        return page.signed_out()
    return page.render("two_factor.html", notice="")


def _seal_setup(page: Page, secret: str, session: Session) -> str:
    expires = int(time.time()) + SETUP_SECONDS
    return str(
        page.services.secretbox.seal(f"{secret}|{expires}", context=f"totp-setup:{session.id}")
    )


def _open_setup(page: Page, sealed: str, session: Session) -> str | None:
    try:
        plain = page.services.secretbox.open(sealed, context=f"totp-setup:{session.id}")
    except Exception:  # tampered, from another session, or not ours at all
        return None
    secret, _, expires = plain.partition("|")
    return secret if expires.isdigit() and int(expires) > time.time() else None


def _setup_page(page: Page, secret: str, sealed: str, status: int = 200, error: str = "") -> Reply:
    assert page.user is not None
    uri = totp.provisioning_uri(
        secret,
        (page.user.email or page.user.username).replace(":", " "),
        page.project.name.replace(":", " "),
    )
    return page.render(
        "two_factor_setup.html", status, secret=secret, setup=sealed, qr=qr_svg(uri), error=error
    )


async def two_factor_setup(call: Call) -> Reply:
    page = await Page.open(call)
    if page.user is None or page.session is None:
        return page.signed_out()
    await page.form()
    secret = totp.new_secret()
    return _setup_page(page, secret, _seal_setup(page, secret, page.session))


def _codes_page(page: Page, codes: list[str], heading: str) -> Reply:
    text = "\r\n".join(codes) + "\r\n"
    return page.render(
        "recovery_codes.html",
        codes=codes,
        heading=heading,
        download="data:text/plain;charset=utf-8," + quote(text),
    )


async def two_factor_enable(call: Call) -> Reply:
    page = await Page.open(call)
    if page.user is None or page.session is None:
        return page.signed_out()
    form = await page.form()
    sealed = form.get("setup", "")
    secret = _open_setup(page, sealed, page.session)
    if secret is None:
        return page.render(
            "two_factor.html", 400, notice="", error="The set-up expired; start it again."
        )
    try:
        codes = await call.services.credentials.confirm_totp(
            page.user, secret, form.get("code", ""), caller=call.caller, keep=page.session.id
        )
    except (InvalidOneTimePassword, RateLimited) as exc:
        status, message, headers = _problem(exc)
        reply = _setup_page(page, secret, sealed, status, message)
        reply.headers.extend(headers)
        return reply
    return _codes_page(page, codes, "Two-factor is on")


async def recovery_codes(call: Call) -> Reply:
    page = await Page.open(call)
    if page.user is None or page.session is None:
        return page.signed_out()
    form = await page.form()
    try:
        codes = await call.services.credentials.regenerate_recovery_codes(
            page.user,
            form.get("code", ""),
            caller=call.caller,
            keep=page.session.id,
            origin="pages",
        )
    except (InvalidOneTimePassword, RateLimited) as exc:
        return _failed(page, "two_factor.html", exc, notice="")
    return _codes_page(page, codes, "New recovery codes")


async def two_factor_disable(call: Call) -> Reply:
    page = await Page.open(call)
    if page.user is None or page.session is None:
        return page.signed_out()
    form = await page.form()
    try:
        await call.services.credentials.turn_off_totp(
            page.user,
            form.get("code", ""),
            caller=call.caller,
            keep=page.session.id,
            origin="pages",
        )
    except (InvalidOneTimePassword, RateLimited) as exc:
        return _failed(page, "two_factor.html", exc, notice="")
    return page.redirect("/two-factor")


# -- password and email ----------------------------------------------------------------


async def password_form(call: Call) -> Reply:
    page = await Page.open(call)
    if page.user is None:
        return page.signed_out()
    return page.render("password.html", notice="")


async def change_password(call: Call) -> Reply:
    page = await Page.open(call)
    if page.user is None or page.session is None:
        return page.signed_out()
    form = await page.form()
    try:
        ended = await call.services.credentials.change_password(
            page.user,
            current=form.get("current_password", ""),
            new=form.get("new_password", ""),
            caller=call.caller,
            keep=page.session.id,
            origin="pages",
        )
    except InvalidCredentials as exc:
        return _failed(page, "password.html", exc, _WRONG_PASSWORD, notice="")
    except (InvalidInput, RateLimited) as exc:
        return _failed(page, "password.html", exc, notice="")
    others = f" {ended} other session{'s' if ended != 1 else ''} ended." if ended else ""
    return page.render("password.html", notice=f"Your password was changed.{others}")


async def forgot_form(call: Call) -> Reply:
    page = await Page.open(call)
    return page.render("forgot.html", mail=_mail(call), notice="")


async def forgot(call: Call) -> Reply:
    page = await Page.open(call)
    form = await page.form()
    if not _mail(call):
        return page.render("forgot.html", 503, mail=False, notice="")
    try:
        await call.services.account_mail.request_reset(
            page.project, form.get("email", ""), caller=call.caller
        )
    except (InvalidInput, RateLimited) as exc:
        return _failed(page, "forgot.html", exc, mail=True, notice="")
    return page.render(
        "forgot.html",
        mail=True,
        notice=(
            "If an account uses that address, we have sent it a link to choose a new "
            "password. The link works once, for 30 minutes."
        ),
    )


async def reset_form(call: Call) -> Reply:
    page = await Page.open(call)
    token = call.query_value("token") or ""
    try:
        await call.services.account_mail.check_reset(page.project, token, caller=call.caller)
    except (LinkExpired, RateLimited) as exc:
        return _failed(page, "link_expired.html", exc, what="password reset")
    return page.render("reset.html", token=token)


async def reset(call: Call) -> Reply:
    page = await Page.open(call)
    form = await page.form()
    token = form.get("token", "")
    try:
        await call.services.account_mail.reset_password(
            page.project, token, form.get("new_password", ""), caller=call.caller
        )
    except (LinkExpired, RateLimited) as exc:
        return _failed(page, "link_expired.html", exc, what="password reset")
    except InvalidInput as exc:
        return _failed(page, "reset.html", exc, token=token)
    # Every session ended, this browser's too.
    page.clear(COOKIE_SESSION)
    page.user = page.session = None
    return page.render("reset_done.html")


async def email_form(call: Call) -> Reply:
    page = await Page.open(call)
    if page.user is None:
        return page.signed_out()
    return page.render("email.html", mail=_mail(call), notice="")


async def change_email(call: Call) -> Reply:
    page = await Page.open(call)
    if page.user is None:
        return page.signed_out()
    form = await page.form()
    if not _mail(call):
        return page.render("email.html", 503, mail=False, notice="")
    try:
        address = await call.services.account_mail.request_email_change(
            page.project,
            page.user,
            form.get("new_email", ""),
            form.get("current_password", ""),
            caller=call.caller,
        )
    except InvalidCredentials as exc:
        return _failed(page, "email.html", exc, _WRONG_PASSWORD, mail=True, notice="")
    except (InvalidInput, RateLimited) as exc:
        return _failed(page, "email.html", exc, mail=True, notice="")
    return page.render(
        "email.html",
        mail=True,
        notice=(
            f"We sent a confirmation link to {address}. The address becomes yours when "
            "you open it (within 30 minutes)."
        ),
    )


async def confirm_email_form(call: Call) -> Reply:
    page = await Page.open(call)
    token = call.query_value("token") or ""
    try:
        address = await call.services.account_mail.pending_address(
            page.project, token, caller=call.caller
        )
    except (LinkExpired, RateLimited) as exc:
        return _failed(page, "link_expired.html", exc, what="confirmation")
    return page.render("email_confirm.html", token=token, address=address, done=False)


async def confirm_email(call: Call) -> Reply:
    page = await Page.open(call)
    form = await page.form()
    try:
        address = await call.services.account_mail.confirm_email(
            page.project, form.get("token", ""), caller=call.caller
        )
    except (LinkExpired, RateLimited) as exc:
        return _failed(page, "link_expired.html", exc, what="confirmation")
    except Conflict as exc:
        return _failed(page, "link_expired.html", exc, what="confirmation")
    if page.user is not None:  # the signed-in player sees the new address
        page.user = await call.services.accounts.get_user(page.user.id)
    return page.render("email_confirm.html", token="", address=address, done=True)


# -- the stylesheet -------------------------------------------------------------------


@cache
def _stylesheet() -> bytes:
    return (
        resources.files("gatehouse.api.account_pages").joinpath("static/gatehouse.css").read_bytes()
    )


async def stylesheet(call: Call) -> Reply:
    return Reply(
        200,
        _stylesheet(),
        [(b"cache-control", b"public, max-age=3600"), (b"x-content-type-options", b"nosniff")],
        content_type=b"text/css; charset=utf-8",
    )
