"""Signing in to an account with two-factor: a TOTP code or a recovery code after
the password, "trust this browser" skipping the code next time, until a credential
changes."""

from __future__ import annotations

from ._pages import alert, enter_code, form_with, path_of, sign_in, sign_out, submit
from ._support import Player, Server


def cookie_names(page) -> set[str]:
    return {c["name"] for c in page.context.cookies()}


def test_the_code_step_takes_a_totp_code(
    server: Server, page, two_factor_player: Player, check
) -> None:
    p = two_factor_player
    answer = sign_in(page, server, p.username, p.password)
    assert answer.status == 303
    assert path_of(page, server) == "sign-in/code"
    assert "gatehouse_session" not in cookie_names(page), "signed in before the code"
    page.goto(server.account(""))
    assert path_of(page, server) == "sign-in", "the overview opened with the password alone"
    page.goto(server.account("sign-in/code"))
    check(page, "sign-in-code")

    refused = enter_code(page, p.wrong_code())
    assert refused.status == 400
    assert alert(page)
    assert path_of(page, server) == "sign-in/code"

    answer = enter_code(page, p.code())
    assert answer.status == 303
    assert path_of(page, server) == ""
    assert "gatehouse_session" in cookie_names(page)


def test_the_code_step_takes_a_recovery_code_once(
    server: Server, page, two_factor_player: Player
) -> None:
    p = two_factor_player
    sign_in(page, server, p.username, p.password)
    answer = enter_code(page, p.recovery_codes[0])
    assert answer.status == 303
    assert path_of(page, server) == ""

    sign_out(page)
    sign_in(page, server, p.username, p.password)
    assert path_of(page, server) == "sign-in/code"
    used = enter_code(page, p.recovery_codes[0])
    assert used.status == 400, "a recovery code worked twice"
    assert alert(page)
    enter_code(page, p.recovery_codes[1])
    assert path_of(page, server) == ""


def test_a_trusted_browser_skips_the_code_until_the_password_changes(
    server: Server, page, new_context, two_factor_player: Player
) -> None:
    p = two_factor_player
    sign_in(page, server, p.username, p.password)
    enter_code(page, p.code(), trust=True)
    assert path_of(page, server) == ""
    assert "gatehouse_device" in cookie_names(page)

    sign_out(page)
    answer = sign_in(page, server, p.username, p.password)
    assert answer.status == 303
    assert path_of(page, server) == "", "the trusted browser was asked for a code"

    # Another browser is not trusted.
    other = new_context().new_page()
    sign_in(other, server, p.username, p.password)
    assert path_of(other, server) == "sign-in/code"

    # A credential change (here: the password) forgets every trusted browser.
    page.goto(server.account("password"))
    new_password = p.password + " and more"
    submit(
        page,
        form_with(page, "current_password"),
        {"current_password": p.password, "new_password": new_password},
    )
    assert not alert(page), alert(page)
    p.password = new_password
    sign_out(page)
    sign_in(page, server, p.username, p.password)
    assert path_of(page, server) == "sign-in/code", "still trusted after a password change"
