"""My sessions: every active session of the player, from every surface, this
browser's marked; ending one, ending all others; a page session ended elsewhere is
thrown out on its next click."""

from __future__ import annotations

from ._api import storage_alive, storage_session, v3_login, v3_user
from ._pages import (
    form_to,
    path_of,
    session_ids,
    session_rows,
    sign_in_fully,
    submit,
    this_browser_id,
)
from ._support import Player, Server


def end_session(page, session_id: str):
    form = page.locator(
        f"form[action$='/sessions/end']:has(input[name='session_id'][value='{session_id}'])"
    )
    assert form.count() == 1, f"no form to end session {session_id}"
    return submit(page, form)


def test_my_sessions_lists_every_surface_and_ends_one_or_all_others(
    server: Server, page, player: Player, check
) -> None:
    sign_in_fully(page, server, player)
    token = v3_login(server, player)
    storage = storage_session(server, player)

    page.goto(server.account("sessions"))
    check(page, "sessions")
    ids = session_ids(page)
    assert len(ids) == 3, ids
    assert len(set(ids)) == 3
    this = this_browser_id(page)
    assert storage.id in ids
    listed = {s["id"] for s in server.sessions_of(player)}
    assert set(ids) == listed, "the page must list exactly the player's active sessions"
    for i in range(3):
        row = session_rows(page).nth(i)
        assert "127.0.0.1" in row.inner_text(), "each session shows its address"

    # End one (the Session Storage session): its token stops working at once.
    answer = end_session(page, storage.id)
    assert answer.status == 303
    assert path_of(page, server) == "sessions"
    assert storage.id not in session_ids(page)
    assert len(session_ids(page)) == 2
    assert not storage_alive(server, storage)
    assert v3_user(server, token).status_code == 200

    # End all others: only this browser stays, the v3 session is logged out.
    answer = submit(page, form_to(page, "sessions/end-others"))
    assert answer.status == 303
    assert path_of(page, server) == "sessions"
    assert session_ids(page) == [this]
    assert v3_user(server, token).status_code == 404


def test_ending_this_browsers_own_session_signs_it_out(
    server: Server, page, player: Player
) -> None:
    sign_in_fully(page, server, player)
    page.goto(server.account("sessions"))
    end_session(page, this_browser_id(page))
    page.goto(server.account(""))
    assert path_of(page, server) == "sign-in"
    assert server.sessions_of(player) == []


def test_a_page_session_ended_from_another_browser_is_thrown_out_on_its_next_click(
    server: Server, page, new_context, player: Player
) -> None:
    sign_in_fully(page, server, player)
    page.goto(server.account("sessions"))
    mine = this_browser_id(page)

    other = new_context().new_page()
    sign_in_fully(other, server, player)
    other.goto(server.account("sessions"))
    assert this_browser_id(other) != mine
    end_session(other, mine)
    assert mine not in session_ids(other)

    page.locator("a[href$='/activity']").first.click()
    page.wait_for_load_state()
    assert path_of(page, server) == "sign-in"


def test_a_page_session_revoked_through_the_cli_is_thrown_out_on_its_next_click(
    server: Server, page, player: Player
) -> None:
    sign_in_fully(page, server, player)
    page.goto(server.account("sessions"))
    server.cli("session", "revoke", this_browser_id(page))

    page.locator("a[href$='/two-factor']").first.click()
    page.wait_for_load_state()
    assert path_of(page, server) == "sign-in"
