"""The account pages' route table (docs/account-pages.md)."""

from __future__ import annotations

from gatehouse.api._common.routing import Route
from gatehouse.api.account_pages import operations as op

__all__ = ["ROUTES"]

_P = "/{project_id}"

ROUTES = [
    Route("GET", "/static/gatehouse.css", op.stylesheet),
    Route("GET", _P, op.overview),
    Route("GET", _P + "/sign-in", op.sign_in_form),
    Route("POST", _P + "/sign-in", op.sign_in),
    Route("GET", _P + "/sign-in/code", op.code_form),
    Route("POST", _P + "/sign-in/code", op.code),
    Route("POST", _P + "/sign-out", op.sign_out),
    Route("GET", _P + "/sessions", op.sessions),
    Route("POST", _P + "/sessions/end", op.end_session),
    Route("POST", _P + "/sessions/end-others", op.end_other_sessions),
    Route("GET", _P + "/activity", op.activity),
    Route("GET", _P + "/two-factor", op.two_factor),
    Route("POST", _P + "/two-factor/setup", op.two_factor_setup),
    Route("POST", _P + "/two-factor/enable", op.two_factor_enable),
    Route("POST", _P + "/two-factor/recovery-codes", op.recovery_codes),
    Route("POST", _P + "/two-factor/disable", op.two_factor_disable),
    Route("GET", _P + "/password", op.password_form),
    Route("POST", _P + "/password", op.change_password),
    Route("GET", _P + "/forgot-password", op.forgot_form),
    Route("POST", _P + "/forgot-password", op.forgot),
    Route("GET", _P + "/reset-password", op.reset_form),
    Route("POST", _P + "/reset-password", op.reset),
    Route("GET", _P + "/email", op.email_form),
    Route("POST", _P + "/email", op.change_email),
    Route("GET", _P + "/email/confirm", op.confirm_email_form),
    Route("POST", _P + "/email/confirm", op.confirm_email),
]
