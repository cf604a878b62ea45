"""Changing the password: the current one first; too short or too common refused
with a message saying why; a change ends the player's other sessions, and the new
password is the one that signs in."""

from __future__ import annotations

from ._api import storage_alive, storage_session
from ._pages import alert, form_with, notice, path_of, sign_in, sign_in_fully, submit
from ._support import Player, Server


def change_password(page, current: str, new: str):
    form = form_with(page, "current_password")
    return submit(page, form, {"current_password": current, "new_password": new})


def signs_in(server: Server, new_context, player: Player, password: str) -> bool:
    page = new_context().new_page()
    sign_in(page, server, player.username, password)
    return path_of(page, server) == ""


def test_wrong_current_too_short_and_common_passwords_are_refused(
    server: Server, page, new_context, player: Player, check
) -> None:
    sign_in_fully(page, server, player)
    page.goto(server.account("password"))
    check(page, "password")

    answer = change_password(page, "not my password", "a fine new passphrase 9")
    assert answer.status == 400
    assert alert(page), "a wrong current password must be refused"

    # The browser itself holds a short one back; past it (an old browser), the server.
    form = form_with(page, "current_password")
    form.locator("[name='current_password']").fill(player.password)
    form.locator("[name='new_password']").fill("short1")
    assert form.evaluate("f => f.checkValidity()") is False, "no minimum length in the form"
    form.evaluate("f => { f.noValidate = true }")
    answer = change_password(page, player.password, "short1")
    assert answer.status == 400
    message = alert(page).lower()
    assert "at least" in message and "characters" in message, message
    check(page, "password-refused")

    for common in ("password123", "qwertyuiop"):
        answer = change_password(page, player.password, common)
        assert answer.status == 400, common
        assert "common" in alert(page).lower(), alert(page)

    assert signs_in(server, new_context, player, player.password), "the password changed"


def test_a_new_password_ends_other_sessions_and_signs_in(
    server: Server, page, new_context, player: Player, check
) -> None:
    sign_in_fully(page, server, player)
    other = new_context().new_page()
    sign_in_fully(other, server, player)
    storage = storage_session(server, player)

    page.goto(server.account("password"))
    new_password = "moss covered granite 31"
    answer = change_password(page, player.password, new_password)
    assert answer.status in (200, 303)
    assert not alert(page), alert(page)
    assert notice(page), "the change must be confirmed (role=status)"
    check(page, "password-changed")

    other.goto(server.account(""))
    assert path_of(other, server) == "sign-in", "the other browser is still signed in"
    assert not storage_alive(server, storage)
    page.goto(server.account(""))
    assert path_of(page, server) == "", "the browser that changed it was signed out"

    old_password = player.password
    player.password = new_password
    assert signs_in(server, new_context, player, new_password)
    assert not signs_in(server, new_context, player, old_password)
