"""Activity: the player's sign-ins (failed ones too) and revocations, newest first,
each with the address it came from."""

from __future__ import annotations

import re

from ._api import storage_session
from ._pages import sign_in, sign_in_fully, submit
from ._support import Player, Server

FAILED = re.compile(r"fail|wrong|refused", re.I)
SIGNED_IN = re.compile(r"sign(ed)?[ -]?in", re.I)
ENDED = re.compile(r"revoked|ended|signed out", re.I)


def test_activity_lists_failed_and_good_sign_ins_and_revocations_newest_first(
    server: Server, page, player: Player, check
) -> None:
    sign_in(page, server, player.username, "not the password at all")
    sign_in_fully(page, server, player)
    storage = storage_session(server, player)
    page.goto(server.account("sessions"))
    submit(
        page,
        page.locator(
            f"form[action$='/sessions/end']:has(input[name='session_id'][value='{storage.id}'])"
        ),
    )

    page.goto(server.account("activity"))
    check(page, "activity")
    rows = page.locator("#activity tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert len(texts) >= 3, texts
    for text in texts:
        assert "127.0.0.1" in text, f"an event without its address: {text!r}"

    def first(pattern: re.Pattern[str], exclude: re.Pattern[str] | None = None) -> int:
        for i, text in enumerate(texts):
            if pattern.search(text) and not (exclude and exclude.search(text)):
                return i
        raise AssertionError(f"no event matching {pattern.pattern!r} in {texts!r}")

    ended = first(ENDED)
    good = first(SIGNED_IN, exclude=FAILED)
    failed = first(FAILED)
    assert ended < good < failed, f"not newest first: {texts!r}"

    # Where the times are machine-readable (<time datetime>), they go back in time too.
    stamps = [
        stamp
        for i in range(len(texts))
        if rows.nth(i).locator("time[datetime]").count()
        and (stamp := rows.nth(i).locator("time[datetime]").first.get_attribute("datetime"))
    ]
    assert stamps == sorted(stamps, reverse=True), stamps
