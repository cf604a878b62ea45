"""One email is one account: HiveMP sign-in finds, registers and throttles an
address in its one normalised form (case, width and spaces do not matter)."""

from __future__ import annotations

from gatehouse.adapters.store.users import UserRepository

from ._support import PW_HASH, Hive, make_hive


def wide(text: str) -> str:
    """``text`` in full-width forms (U+FF01 ...), a look-alike NFKC folds back."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


A = "/v1/authenticate"


async def test_any_spelling_of_the_email_signs_in_to_the_one_account(client, hive: Hive) -> None:
    user = await hive.user(" Dave@Example.org ")
    assert user.email == "dave@example.org"
    for spelling in (" DAVE@Example.org ", wide("dave") + "@" + wide("example.org")):
        r = await client.put(
            A, headers=hive.h(), json={"emailAddress": spelling, "passwordHash": PW_HASH}
        )
        assert r.status_code == 200, r.text
        assert r.json()["authenticatedSession"]["accountId"] == str(user.id)


async def test_registration_cannot_make_a_look_alike_of_an_existing_email(client, services) -> None:
    hive = await make_hive(services, password_registration=True)
    victim = await hive.user("dave@example.org")
    req = {
        "emailAddress": " DAVE@Example.org ",
        "passwordHash": "3" * 64,
        "marketingPreferenceOptIn": False,
    }
    r = await client.put(A, headers=hive.h(), json=req)
    # A sign-in attempt on the existing account (wrong password), not a second account.
    assert r.status_code == 401, r.text
    async with services.db.read() as conn:
        found = await UserRepository().by_email(conn, hive.project_id, "dave@example.org")
    assert found.id == victim.id


async def test_look_alike_spellings_share_the_accounts_throttle(client, hive: Hive) -> None:
    await hive.user("dave@example.org")
    bad = {"emailAddress": "dave@example.org", "passwordHash": "1" * 64}
    for _ in range(5):
        assert (await client.put(A, headers=hive.h(), json=bad)).status_code == 401
    look_alike = {"emailAddress": wide("DAVE") + "@example.org", "passwordHash": PW_HASH}
    r = await client.put(A, headers=hive.h(), json=look_alike)
    assert r.status_code == 429 and r.json()["code"] == 6002
