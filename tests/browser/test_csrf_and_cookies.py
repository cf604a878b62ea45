"""What keeps a player's browser session theirs: forged form posts refused (403,
nothing changed), cookies ``HttpOnly`` and ``SameSite=Strict`` (and ``Secure``
unless the operator allowed plain HTTP), a content security policy that lets no
inline script run."""

from __future__ import annotations

import contextlib
import re

import httpx
import pytest

from ._api import v3_login, v3_user
from ._pages import enter_code, path_of, session_ids, sign_in, sign_in_fully
from ._support import Player, Server


def test_a_forged_form_post_is_refused_and_changes_nothing(
    server: Server, page, player: Player, check
) -> None:
    sign_in_fully(page, server, player)
    other_token = v3_login(server, player)
    page.goto(server.account("sessions"))
    before = session_ids(page)
    assert len(before) == 2

    # The browser's own cookies, but no token or a wrong one.
    forged = [
        ("sessions/end-others", {}),
        ("sessions/end-others", {"csrf_token": "forged"}),
        ("sign-out", {"csrf_token": ""}),
        ("password", {"current_password": player.password, "new_password": "taken over 1234"}),
        ("email", {"new_email": "thief@evil.test", "current_password": player.password}),
    ]
    for path, form in forged:
        r = page.request.post(server.account(path), form=form, max_redirects=0)
        assert r.status == 403, (path, form, r.status)

    # A form on another site posting here.
    evil = page.context.new_page()
    evil.set_content(
        f"<form method='post' action='{server.account('sessions/end-others')}'>"
        "<input type='hidden' name='csrf_token' value='guessed'>"
        "<button>Win a prize</button></form>"
    )
    with evil.expect_response(lambda r: r.request.method == "POST") as answer:
        evil.locator("button").click()
    evil.wait_for_load_state()
    # (SameSite=Strict kept the cookies home, so the post arrives signed out: the
    # contract still answers it 403, "the form expired", like any post without a token.)
    assert answer.value.status == 403, f"{answer.value.status}: not refused as a forgery"
    assert "expired" in evil.locator("body").inner_text().lower()
    check(evil, "form-expired")

    # Nothing changed: same sessions, still signed in, the password still works.
    page.goto(server.account("sessions"))
    assert path_of(page, server) == "sessions"
    assert sorted(session_ids(page)) == sorted(before)
    assert v3_user(server, other_token).status_code == 200
    v3_login(server, player)  # the password did not change


def test_cookies_are_http_only_and_same_site_strict(
    server: Server, page, two_factor_player: Player
) -> None:
    p = two_factor_player
    seen: dict[str, dict] = {}

    def collect() -> None:
        seen.update({c["name"]: c for c in page.context.cookies()})

    page.goto(server.account("sign-in"))
    collect()
    sign_in(page, server, p.username, p.password)
    collect()
    enter_code(page, p.code(), trust=True)
    assert path_of(page, server) == ""
    collect()
    for name in ("gatehouse_csrf", "gatehouse_pending", "gatehouse_session", "gatehouse_device"):
        cookie = seen.get(name)
        assert cookie is not None, f"no {name} cookie: {sorted(seen)}"
        assert cookie["httpOnly"], name
        assert cookie["sameSite"] == "Strict", (name, cookie["sameSite"])
        assert cookie["path"] == server.prefix, (name, cookie["path"])


def script_sources(csp: str) -> list[str]:
    directives = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    for name in ("script-src-elem", "script-src", "default-src"):
        if name in directives:
            return directives[name]
    pytest.fail(f"the policy does not restrict scripts: {csp!r}")


def test_no_page_runs_inline_script(server: Server, page, player: Player) -> None:
    pages = ["sign-in", "forgot-password"]
    signed_in_pages = ["", "sessions", "two-factor", "password", "email", "activity"]
    for path in pages:
        assert_no_script(page, server, path)
    sign_in_fully(page, server, player)
    for path in signed_in_pages:
        assert_no_script(page, server, path)

    # A script slipped into a page (say, through a bug in escaping) does not run.
    page.goto(server.account("sessions"))
    with contextlib.suppress(Exception):  # refused by the policy
        page.add_script_tag(content="document.documentElement.dataset.pwned = 'yes'")
    assert page.evaluate("document.documentElement.dataset.pwned") is None


def assert_no_script(page, server: Server, path: str) -> None:
    response = page.goto(server.account(path))
    assert path_of(page, server) == path
    csp = response.headers.get("content-security-policy")
    assert csp, f"/{path}: no Content-Security-Policy"
    sources = script_sources(csp)
    assert "'unsafe-inline'" not in sources, (path, csp)
    assert "'unsafe-eval'" not in sources, (path, csp)
    assert "*" not in sources, (path, csp)
    assert page.locator("script").count() == 0, f"/{path} carries a <script>"


def set_cookie(response: httpx.Response, name: str) -> str:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header
    pytest.fail(f"no {name} cookie set: {response.headers.get_list('set-cookie')}")


def test_without_plain_http_allowed_the_cookies_are_secure(bare_server: Server) -> None:
    player = bare_server.make_player("secure")
    with httpx.Client(base_url=bare_server.base_url, timeout=15) as http:
        form = http.get(bare_server.account("sign-in"))
        assert form.status_code == 200
        csrf = set_cookie(form, "gatehouse_csrf")
        found = re.search(r'name="csrf_token"\s+value="([^"]+)"', form.text) or re.search(
            r'value="([^"]+)"\s+name="csrf_token"', form.text
        )
        assert found, "no csrf_token in the sign-in form"
        # The client keeps no Secure cookie over http: send it back by hand.
        cookie = csrf.split(";", 1)[0]
        http.cookies.clear()
        answer = http.post(
            bare_server.account("sign-in"),
            data={"login": player.username, "password": player.password, "csrf_token": found[1]},
            headers={"Cookie": cookie},
        )
        assert answer.status_code == 303, answer.text
        session = set_cookie(answer, "gatehouse_session")
    for header in (csrf, session):
        flags = {f.strip().lower() for f in header.split(";")[1:]}
        assert "secure" in flags, header
        assert "httponly" in flags, header
        assert "samesite=strict" in flags, header
