"""Changing the email address: the confirmation goes to the new address, the old one
stands until the link is used (opening it changes nothing, its button does), then
the pages and the v3 user show the new, confirmed address."""

from __future__ import annotations

import uuid

from ._api import v3_login, v3_user
from ._pages import alert, form_with, notice, path_of, sign_in, sign_in_fully, submit
from ._support import MailCatcher, Player, Server, link_in, text_of, token_of

SUBJECT = "Confirm your email address"


def v3_address(server: Server, token: str) -> tuple[str, int, str, int]:
    r = v3_user(server, token)
    assert r.status_code == 200, r.text
    user = r.json()
    details = user["details"]
    return (
        user["email"],
        user["validateEmail"],
        details["emailAddress"],
        details["emailAddressValidated"],
    )


def test_a_new_address_counts_once_confirmed_from_its_inbox(
    server: Server, page, new_context, player: Player, mail: MailCatcher, check
) -> None:
    sign_in_fully(page, server, player)
    token = v3_login(server, player)
    new_address = f"new-{uuid.uuid4().hex[:8]}@players.test"

    page.goto(server.account("email"))
    assert player.email in page.locator("main").inner_text()
    check(page, "email")
    form = form_with(page, "new_email")
    refused = submit(page, form, {"new_email": new_address, "current_password": "not my password"})
    assert refused.status == 400
    assert alert(page), "a wrong password must be refused"

    answer = submit(
        page,
        form_with(page, "new_email"),
        {"new_email": new_address, "current_password": player.password},
    )
    assert answer.status in (200, 303)
    assert not alert(page), alert(page)
    assert new_address in notice(page), notice(page)
    check(page, "email-sent")

    message = mail.wait_for_mail(new_address, SUBJECT)
    assert mail.to(player.email, SUBJECT) == [], "the confirmation went to the old address"
    assert len(mail.to(new_address, SUBJECT)) == 1, "one request, one mail"
    link = link_in(message)
    assert link.startswith(server.account("email/confirm?token=")), link

    # Until the link is used the old address stands.
    page.goto(server.account("email"))
    assert player.email in page.locator("main").inner_text()
    old = v3_address(server, token)
    assert (old[0], old[2]) == (player.email, player.email), old

    # Opening the link (as a mail scanner would) changes nothing; its button does.
    page.goto(link)
    form = form_with(page, "token")
    assert form.locator("input[name='token']").get_attribute("value") == token_of(link)
    check(page, "email-confirm")
    assert v3_address(server, token)[0] == player.email
    answer = submit(page, form)
    assert answer.status in (200, 303)
    assert not alert(page), alert(page)
    check(page, "email-confirmed")

    page.goto(server.account("email"))
    assert new_address in page.locator("main").inner_text()
    assert v3_address(server, token) == (new_address, 1, new_address, 1)
    # The old address is told (someone who took over the account cannot hide it).
    told = mail.wait_for_mail(player.email, "")
    assert new_address in text_of(told)

    fresh = new_context().new_page()
    sign_in(fresh, server, new_address, player.password)
    assert path_of(fresh, server) == "", "the new address does not sign in"
