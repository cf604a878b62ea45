"""Two-factor from the player's side: enrolment with a QR code that holds the secret
shown beside it, effective only after a right code; recovery codes shown once and
downloadable; new ones replacing the old; turning it off with a current code. Every
change ends the player's other sessions."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import zxingcpp
from PIL import Image

from ._api import storage_alive, storage_session
from ._pages import alert, enter_code, form_to, path_of, sign_in, sign_in_fully, submit
from ._support import Player, Server


def recovery_codes_on(page) -> list[str]:
    items = page.locator("#recovery-codes li")
    return [items.nth(i).inner_text().strip() for i in range(items.count())]


def start_setup(page, server: Server) -> str:
    """Open the enrolment; the secret shown in text (checked against the QR code)."""
    page.goto(server.account("two-factor"))
    answer = submit(page, form_to(page, "two-factor/setup"))
    assert answer.status == 200, answer.status
    secret = page.locator("#totp-secret").inner_text()
    return "".join(secret.split()).upper()


def qr_uri(page) -> str:
    """The QR code, as a camera sees it: decoded from a screenshot of ``#qr``."""
    qr = page.locator("#qr")
    assert qr.locator("svg").count() == 1, "the QR code must be an inline <svg>"
    shot = Image.open(io.BytesIO(qr.screenshot()))
    found = zxingcpp.read_barcodes(shot)
    assert len(found) == 1, f"expected one readable QR code, found {len(found)}"
    return str(found[0].text)


def fresh_sign_in_asks_for_a_code(server: Server, new_context, player: Player) -> bool:
    page = new_context().new_page()
    sign_in(page, server, player.username, player.password)
    where = path_of(page, server)
    assert where in ("", "sign-in/code"), f"{where}: {alert(page)}"
    return where == "sign-in/code"


def test_the_qr_code_holds_the_secret_and_a_wrong_code_changes_nothing(
    server: Server, page, new_context, player: Player, check
) -> None:
    sign_in_fully(page, server, player)
    page.goto(server.account("two-factor"))
    check(page, "two-factor-off")

    secret = start_setup(page, server)
    check(page, "two-factor-setup")
    uri = qr_uri(page)
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp"), uri
    assert parse_qs(parts.query)["secret"] == [secret], (uri, secret)
    # The authenticator app lists it under the game's name.
    assert parse_qs(parts.query).get("issuer") == [server.project_name], uri

    player.totp_secret = secret  # (so the wrong code is surely none of its codes)
    refused = submit(page, form_to(page, "two-factor/enable"), {"code": player.wrong_code()})
    assert refused.status == 400
    assert alert(page)
    assert not fresh_sign_in_asks_for_a_code(server, new_context, player)


def test_a_right_code_turns_two_factor_on_with_recovery_codes_to_keep(
    server: Server, page, new_context, player: Player, check
) -> None:
    sign_in_fully(page, server, player)
    other = new_context().new_page()
    sign_in_fully(other, server, player)
    storage = storage_session(server, player)

    secret = start_setup(page, server)
    player.totp_secret = secret
    answer = submit(page, form_to(page, "two-factor/enable"), {"code": player.code()})
    assert answer.status == 200
    codes = recovery_codes_on(page)
    assert len(codes) == 10 and len(set(codes)) == 10, codes
    check(page, "two-factor-recovery-codes")

    link = page.locator("#download-codes")
    assert link.get_attribute("download") == "recovery-codes.txt"
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "recovery-codes.txt"
    lines = Path(download.value.path()).read_text().splitlines()
    assert [line.strip() for line in lines if line.strip()] == codes

    # The change ended every other session, and kept this one.
    other.goto(server.account(""))
    assert path_of(other, server) == "sign-in"
    assert not storage_alive(server, storage)
    page.goto(server.account(""))
    assert path_of(page, server) == ""
    page.goto(server.account("two-factor"))
    check(page, "two-factor-on")

    # From now on a sign-in asks for a code, and a recovery code shown here works.
    fresh = new_context().new_page()
    sign_in(fresh, server, player.username, player.password)
    assert path_of(fresh, server) == "sign-in/code"
    enter_code(fresh, codes[0])
    assert path_of(fresh, server) == ""


def test_new_recovery_codes_replace_the_old_ones(
    server: Server, page, new_context, two_factor_player: Player, check
) -> None:
    p = two_factor_player
    sign_in_fully(page, server, p)
    storage = storage_session(server, p)
    page.goto(server.account("two-factor"))
    answer = submit(page, form_to(page, "two-factor/recovery-codes"), {"code": p.code()})
    assert answer.status == 200
    codes = recovery_codes_on(page)
    assert len(codes) == 10 and not set(codes) & set(p.recovery_codes), codes
    check(page, "two-factor-new-recovery-codes")
    assert not storage_alive(server, storage)

    fresh = new_context().new_page()
    sign_in(fresh, server, p.username, p.password)
    old = enter_code(fresh, p.recovery_codes[0])
    assert old.status == 400, "an old recovery code still works"
    enter_code(fresh, codes[0])
    assert path_of(fresh, server) == ""


def test_turning_two_factor_off_takes_a_current_code(
    server: Server, page, new_context, two_factor_player: Player
) -> None:
    p = two_factor_player
    sign_in_fully(page, server, p)
    storage = storage_session(server, p)
    page.goto(server.account("two-factor"))

    refused = submit(page, form_to(page, "two-factor/disable"), {"code": p.wrong_code()})
    assert refused.status == 400
    assert alert(page)
    assert storage_alive(server, storage), "a refused change ended the other sessions"

    page.goto(server.account("two-factor"))
    answer = submit(page, form_to(page, "two-factor/disable"), {"code": p.code()})
    assert answer.status == 303
    assert path_of(page, server) == "two-factor"
    assert not storage_alive(server, storage)
    assert not fresh_sign_in_asks_for_a_code(server, new_context, p)
