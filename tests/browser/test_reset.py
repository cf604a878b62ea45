"""A forgotten password: the same notice for any address, a mail only to a known
one, a link that opens a form, works once and ends every session; without a mail
server the page says reset by email is not available."""

from __future__ import annotations

import time
import uuid

from ._api import storage_alive, storage_session
from ._pages import alert, form_with, notice, path_of, sign_in, sign_in_fully, submit
from ._support import MailCatcher, Player, Server, check_page, link_in, token_of

SUBJECT = "Reset your password"


def ask_for_reset(page, server: Server, address: str):
    page.goto(server.account("forgot-password"))
    return submit(page, form_with(page, "email"), {"email": address})


def test_the_same_notice_for_any_address_and_mail_only_for_a_known_one(
    server: Server, page, player: Player, mail: MailCatcher, check
) -> None:
    page.goto(server.account("forgot-password"))
    check(page, "forgot-password")

    known = ask_for_reset(page, server, player.email)
    known_notice = notice(page)
    assert known_notice, "the request must be confirmed (role=status)"
    assert not alert(page)
    check(page, "forgot-password-sent")

    stranger = f"stranger-{uuid.uuid4().hex[:8]}@players.test"
    unknown = ask_for_reset(page, server, stranger)
    assert (unknown.status, notice(page)) == (known.status, known_notice)

    message = mail.wait_for_mail(player.email, SUBJECT)
    assert "accounts@game.test" in str(message["From"])
    link = link_in(message)
    assert link.startswith(server.account("reset-password?token=")), link
    time.sleep(1.0)  # the unknown address was handled as quickly; give it time to (not) send
    assert mail.to(stranger) == [], "a mail went to an address without an account"


def test_the_reset_link_sets_a_new_password_once_and_ends_every_session(
    server: Server, page, new_context, player: Player, mail: MailCatcher, check
) -> None:
    signed_in = new_context().new_page()
    sign_in_fully(signed_in, server, player)
    storage = storage_session(server, player)

    ask_for_reset(page, server, player.email)
    link = link_in(mail.wait_for_mail(player.email, SUBJECT))

    page.goto(link)
    form = form_with(page, "new_password")
    assert form.count() == 1, "the link must open the form"
    assert form.locator("input[name='token']").get_attribute("value") == token_of(link)
    check(page, "reset-password")
    # A weak choice is refused, and does not use the link up.
    answer = submit(page, form, {"new_password": "password123"})
    assert answer.status == 400
    assert "common" in alert(page).lower(), alert(page)
    form = form_with(page, "new_password")
    new_password = "tidal sundial copper 58"
    answer = submit(page, form, {"new_password": new_password})
    assert answer.status in (200, 303)
    assert not alert(page), alert(page)
    check(page, "reset-password-done")

    # Every session ended (the signed-in browser, the game's session).
    signed_in.goto(server.account(""))
    assert path_of(signed_in, server) == "sign-in"
    assert not storage_alive(server, storage)

    # The page links to sign-in, where the new password works.
    page.locator("a[href$='/sign-in']").first.click()
    page.wait_for_load_state()
    assert path_of(page, server) == "sign-in"
    sign_in(page, server, player.username, new_password)
    assert path_of(page, server) == ""
    player.password = new_password

    # The link works once.
    again = new_context().new_page()
    again.goto(link)
    assert alert(again), "a used link must say it no longer works"
    form = form_with(again, "new_password")
    if form.count():
        answer = submit(again, form, {"new_password": "another fresh choice 77"})
        assert answer.status >= 400
        assert alert(again)
    check(again, "reset-password-used")
    fresh = new_context().new_page()
    sign_in(fresh, server, player.username, new_password)
    assert path_of(fresh, server) == "", "the used link changed the password again"


def test_a_newer_link_makes_the_older_one_stop_working(
    server: Server, page, player: Player, mail: MailCatcher
) -> None:
    ask_for_reset(page, server, player.email)
    older = link_in(mail.wait_for_mail(player.email, SUBJECT))
    ask_for_reset(page, server, player.email)
    newer = link_in(mail.wait_for_mail(player.email, SUBJECT, count=2))
    assert newer != older

    page.goto(older)
    assert form_with(page, "new_password").count() == 0, "the older link still opens the form"
    assert alert(page)
    page.goto(newer)
    answer = submit(page, form_with(page, "new_password"), {"new_password": "quiet harbor 2049"})
    assert answer.status == 200
    assert not alert(page), alert(page)
    sign_in(page, server, player.username, "quiet harbor 2049")
    assert path_of(page, server) == ""


def test_without_a_mail_server_reset_by_email_is_not_available(
    bare_server: Server, browser
) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(bare_server.account("forgot-password"))
        assert "not available" in page.locator("main").inner_text().lower()
        check_page(page, "forgot-password-unavailable", bare_server)
    finally:
        context.close()
