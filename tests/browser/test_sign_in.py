"""Signing in with a username or an email address and a password, a wrong password
told apart from nothing (the same alert for an unknown account), signing out, and
the pages on a phone."""

from __future__ import annotations

import uuid

from ._pages import alert, path_of, sign_in, sign_out
from ._support import Player, Server


def signed_in(page, server: Server) -> bool:
    """Does the overview open (or bounce to the sign-in page)?"""
    page.goto(server.account(""))
    return path_of(page, server) == ""


def test_a_player_signs_in_with_their_username_and_signs_out(
    server: Server, page, player: Player, check
) -> None:
    page.goto(server.account(""))
    assert path_of(page, server) == "sign-in", "the overview needs a signed-in player"
    check(page, "sign-in")

    answer = sign_in(page, server, player.username, player.password)
    assert answer.status == 303, answer
    assert path_of(page, server) == ""
    assert player.username in page.locator("main").inner_text()
    check(page, "overview")

    answer = sign_out(page)
    assert answer.status == 303
    assert path_of(page, server) == "sign-in"
    assert not signed_in(page, server)
    assert server.sessions_of(player) == [], "signing out must end the page's session"


def test_a_player_signs_in_with_their_email_address(server: Server, page, player: Player) -> None:
    answer = sign_in(page, server, player.email, player.password)
    assert answer.status == 303
    assert path_of(page, server) == ""
    assert player.username in page.locator("main").inner_text()


def test_a_wrong_password_is_refused_with_the_same_alert_as_an_unknown_account(
    server: Server, page, player: Player, check
) -> None:
    answer = sign_in(page, server, player.username, "not the password at all")
    assert answer.status == 400
    assert path_of(page, server) == "sign-in"
    message = alert(page)
    assert message, "a refused sign-in must say so (role=alert)"
    check(page, "sign-in-refused")

    unknown = sign_in(page, server, f"nobody-{uuid.uuid4().hex[:8]}", "not the password at all")
    assert unknown.status == 400
    assert alert(page) == message, "an unknown account must look like a wrong password"
    assert not signed_in(page, server)


def test_the_sign_in_page_and_the_overview_fit_a_phone(
    server: Server, new_context, player: Player, check
) -> None:
    phone = new_context(
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    ).new_page()

    def fits() -> bool:
        width = phone.evaluate("document.documentElement.scrollWidth")
        return bool(width <= 375)

    phone.goto(server.account("sign-in"))
    check(phone, "sign-in-phone")
    assert fits(), "the sign-in page scrolls sideways on a phone (no viewport meta?)"
    assert sticking_out(phone) == []
    sign_in(phone, server, player.username, player.password)
    assert path_of(phone, server) == ""
    check(phone, "overview-phone")
    assert fits(), "the overview scrolls sideways on a phone"
    assert sticking_out(phone) == [], "content sticks out of its box on a phone"


def sticking_out(page) -> list[str]:
    """Boxes whose content is wider than they are (the player's own email address,
    say, running over the edge), outside the tables made to scroll sideways."""
    return list(
        page.evaluate(
            """() => Array.from(document.querySelectorAll('header *, main *'))
              .filter(e => !e.closest('.scroll') && e.clientWidth > 0
                           && e.scrollWidth > e.clientWidth + 1)
              .map(e => `<${e.tagName.toLowerCase()} class="${e.className}">`
                        + ` ${e.scrollWidth}px of content in ${e.clientWidth}px`)"""
        )
    )
