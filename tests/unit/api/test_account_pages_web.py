"""The pure plumbing of the account pages: cookies, forms, CSRF tokens, origins,
and what the session and activity lists say."""

from __future__ import annotations

import pytest

from gatehouse.api.account_pages.views import activity_rows, device, session_rows, surface
from gatehouse.api.account_pages.web import (
    CSP,
    CsrfTokens,
    parse_cookies,
    parse_form,
    same_origin,
    set_cookie,
)
from gatehouse.core.models import AuditEvent, Session, SessionDetail, SessionOrigin


def test_cookies_are_http_only_strict_and_secure_unless_plain_http_is_allowed() -> None:
    secure = set_cookie("gatehouse_session", "v", path="/account/1", secure=True, max_age=60)
    assert (
        secure
        == b"gatehouse_session=v; Path=/account/1; HttpOnly; SameSite=Strict; Max-Age=60; Secure"
    )
    plain = set_cookie("gatehouse_session", "v", path="/account/1", secure=False)
    assert b"Secure" not in plain and b"HttpOnly" in plain and b"SameSite=Strict" in plain


def test_cookie_header_parsing_ignores_junk() -> None:
    assert parse_cookies("a=1; gatehouse_session=ghs_x") == {"a": "1", "gatehouse_session": "ghs_x"}
    assert "gatehouse_session" not in parse_cookies("gatehouse_session")


def test_forms_decode_and_refuse_junk() -> None:
    assert parse_form(b"login=bob&password=a%26b&x=1&x=2") == {
        "login": "bob",
        "password": "a&b",
        "x": "2",
    }
    with pytest.raises(ValueError):
        parse_form(b"\xff\xfe=1")
    with pytest.raises(ValueError):
        parse_form(b"&".join(b"f%d=1" % i for i in range(50)))


def test_a_csrf_token_is_bound_to_what_the_browser_holds() -> None:
    tokens = CsrfTokens(b"k" * 32)
    mine = tokens.token("session:1.abc")
    assert tokens.valid("session:1.abc", mine)
    assert not tokens.valid("session:1.other", mine)
    assert not tokens.valid("session:1.abc", None)
    assert not tokens.valid("session:1.abc", "")
    assert not CsrfTokens(b"j" * 32).valid("session:1.abc", mine)


@pytest.mark.parametrize(
    ("headers", "ok"),
    [
        ({"sec-fetch-site": "same-origin", "origin": "http://h:1", "host": "h:1"}, True),
        ({"host": "h:1"}, True),  # an old browser that says nothing
        ({"sec-fetch-site": "cross-site", "host": "h:1"}, False),
        ({"sec-fetch-site": "same-site", "host": "h:1"}, False),
        ({"origin": "https://evil.test", "host": "h:1"}, False),
        # Chromium's own same-origin form under Referrer-Policy: no-referrer
        ({"sec-fetch-site": "same-origin", "origin": "null", "host": "h:1"}, True),
        ({"sec-fetch-site": "cross-site", "origin": "null", "host": "h:1"}, False),
    ],
)
def test_posts_must_come_from_this_site(headers: dict[str, str], ok: bool) -> None:
    assert same_origin(headers) is ok


def test_the_content_security_policy_allows_no_script() -> None:
    assert "default-src 'none'" in CSP and "script-src" not in CSP and "unsafe" not in CSP


def test_session_rows_say_where_each_session_comes_from_and_mark_this_browser() -> None:
    def detail(sid: str, origin: SessionOrigin, ua: str, ip: str) -> SessionDetail:
        session = Session(sid, 1, 7, 10, 10, 99, origin=origin)
        return SessionDetail(session, ip, ua, 20)

    chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36"
    rows = session_rows(
        [
            detail("7.a", SessionOrigin.PAGES, chrome, "8.8.8.8"),
            detail("7.b", SessionOrigin.HIVEMP, "UnityPlayer/2022", ""),
        ],
        "7.a",
        {"8.8.8.8": "United States of America"},
    )
    assert [(r.surface, r.device, r.this_browser) for r in rows] == [
        ("Account pages", "Chrome on Linux", True),
        ("Game sign-in (User Session API)", "UnityPlayer/2022", False),
    ]
    assert rows[0].country == "United States of America" and rows[0].last_used_at == 20
    assert device("") == "Unknown device"
    assert surface("storage") == "Session Storage API"


def test_activity_rows_name_the_event_and_leave_out_renewals() -> None:
    def event(action: str, detail: str = "") -> AuditEvent:
        return AuditEvent(1, 5, 1, 7, None, action, "pages", detail, "127.0.0.1")

    rows = activity_rows(
        [event("sign-in-failed", "second-factor"), event("renewed"), event("password-changed")],
        {},
    )
    assert [r.event for r in rows] == ["Failed sign-in (wrong code)", "Password changed"]
    assert rows[0].surface == "Account pages" and rows[0].ip == "127.0.0.1"
