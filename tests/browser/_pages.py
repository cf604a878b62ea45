"""What a player does on the account pages, as small steps the tests read as a story
(field names, paths and element ids from docs/account-pages.md)."""

from __future__ import annotations

from typing import Any

from ._support import Player, Server


def form_with(page: Any, field: str) -> Any:
    """The (one) form holding a field called ``field``."""
    return page.locator(f"form:has([name='{field}'])")


def form_to(page: Any, path: str) -> Any:
    """The form posting to ``path`` (below the project, e.g. ``sign-out``)."""
    return page.locator(f"form[action$='/{path}']")


def submit(page: Any, form: Any, fields: dict[str, str] | None = None) -> Any:
    """Fill ``fields`` of ``form``, press its button, wait for the answer page; the
    answer to the ``POST`` itself (a ``303`` or the form again)."""
    for name, value in (fields or {}).items():
        form.locator(f"[name='{name}']").fill(value)
    button = form.locator("button, input[type=submit]").first
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        button.click()
    page.wait_for_load_state()
    return answer.value


def alert(page: Any) -> str:
    """The text of the form's error (``role="alert"``); "" when there is none."""
    found = page.locator("[role=alert]")
    return found.first.inner_text().strip() if found.count() else ""


def notice(page: Any) -> str:
    """The text of the confirmation (``role="status"``); "" when there is none."""
    found = page.locator("[role=status]")
    return found.first.inner_text().strip() if found.count() else ""


def path_of(page: Any, server: Server) -> str:
    """The page's path below the project (``""`` for the overview)."""
    url = page.url.split("?", 1)[0]
    prefix = server.account("")
    assert url.startswith(prefix), f"not an account page: {page.url}"
    return url[len(prefix) :]


def sign_in(page: Any, server: Server, login: str, password: str) -> Any:
    """Fill and send the sign-in form; the answer to the ``POST``."""
    page.goto(server.account("sign-in"))
    return submit(page, form_with(page, "password"), {"login": login, "password": password})


def sign_in_fully(page: Any, server: Server, player: Player, *, trust: bool = False) -> None:
    """Sign ``player`` in, with a TOTP code when asked for one; ends on the overview."""
    sign_in(page, server, player.username, player.password)
    if path_of(page, server) == "sign-in/code":
        enter_code(page, player.code(), trust=trust)
    assert path_of(page, server) == "", f"not signed in: {page.url}\n{alert(page)}"


def enter_code(page: Any, code: str, *, trust: bool = False) -> Any:
    form = form_with(page, "code")
    if trust:
        form.locator("[name='trust_browser']").check()
    return submit(page, form, {"code": code})


def sign_out(page: Any) -> Any:
    return submit(page, form_to(page, "sign-out"))


def session_rows(page: Any) -> Any:
    return page.locator("#sessions tr[data-session-id]")


def session_ids(page: Any) -> list[str]:
    rows = session_rows(page)
    return [rows.nth(i).get_attribute("data-session-id") for i in range(rows.count())]


def this_browser_id(page: Any) -> str:
    # The row carries the mark, or holds an element that does (docs/account-pages.md).
    marked = page.locator("#sessions tr[data-session-id]:is(.this-browser, :has(.this-browser))")
    assert marked.count() == 1, "exactly one session must be marked as this browser"
    return str(marked.get_attribute("data-session-id"))
