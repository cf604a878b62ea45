"""GET /session-storage/sessions: order, paging, keyset tokens, visibility."""

from __future__ import annotations

import base64
import os

import pytest

from gatehouse.services.projects import ProjectSettings
from tests.helpers import make_tenant

from ._helpers import SESSION_KEYS, TOKEN_RE, Api, assert_error

LISTING = "/session-storage/sessions"


async def make(api: Api, clock, n: int, step: float = 0.25) -> list[str]:
    """``n`` sessions created ``step`` seconds apart; their ids, oldest first."""
    ids = []
    for _ in range(n):
        ids.append((await api.new())["id"])
        clock.advance(step)
    return ids


async def walk(api: Api, page_size: int) -> list[list[str]]:
    pages, token = [], None
    while True:
        params = {"page_size": page_size} | ({"page_token": token} if token else {})
        resp = await api.list(**params)
        assert resp.status_code == 200, resp.text
        pages.append([s["id"] for s in resp.json()["data"]])
        token = resp.json()["next_page_token"]
        if token is None:
            return pages


async def test_empty_listing(api) -> None:
    resp = await api.list()
    assert resp.status_code == 200
    assert resp.json() == {"ok": True, "data": [], "next_page_token": None}


async def test_items_are_sessions(api) -> None:
    made = await api.new(intent="i")
    resp = await api.list()
    (item,) = resp.json()["data"]
    assert set(item) >= SESSION_KEYS
    assert {k: item[k] for k in SESSION_KEYS} == {k: made[k] for k in SESSION_KEYS}


async def test_oldest_first_by_full_precision_creation_time(api, clock) -> None:
    # Sub-second apart: the rendered times are equal, the stored ones are not, and
    # the random ids are in some other order most of the time.
    ids = await make(api, clock, 6, step=0.1)
    assert await api.ids() == ids


async def test_same_creation_time_is_ordered_by_id(api, clock) -> None:
    ids = await make(api, clock, 5, step=0)
    assert await api.ids() == sorted(ids)


async def test_default_page_size_is_20(api, services, clock, tenant) -> None:
    await services.projects.update(tenant.project_id, ProjectSettings(session_limit=0))
    ids = await make(api, clock, 25)

    first = (await api.list()).json()
    assert [s["id"] for s in first["data"]] == ids[:20]
    assert TOKEN_RE.fullmatch(first["next_page_token"])  # unpadded base64url
    second = (await api.list(page_token=first["next_page_token"])).json()
    assert [s["id"] for s in second["data"]] == ids[20:]
    assert second["next_page_token"] is None


@pytest.mark.parametrize("size", [1, 2, 3, 100])
async def test_page_sizes_walk_every_session_once(api, clock, size) -> None:
    ids = await make(api, clock, 6)
    pages = await walk(api, size)
    assert [i for page in pages for i in page] == ids
    assert all(len(page) == size for page in pages[:-1])
    assert 1 <= len(pages[-1]) <= size


async def test_no_token_when_the_last_page_is_exactly_full(api, clock) -> None:
    await make(api, clock, 3)
    resp = await api.list(page_size=3)
    assert len(resp.json()["data"]) == 3
    assert resp.json()["next_page_token"] is None


@pytest.mark.parametrize("value", ["0", "101", "-1", "abc", "1.5", ""])
async def test_bad_page_size_is_400(api, value) -> None:
    await api.new()
    assert_error(await api.list(page_size=value), 400, LISTING)


async def test_keyset_paging_survives_inserts_and_deletes(api, clock) -> None:
    s = await make(api, clock, 7)  # s0 .. s6

    page1 = (await api.list(page_size=3)).json()
    assert [x["id"] for x in page1["data"]] == s[0:3]
    # Between pages: end the session the token points at, one already seen, one
    # not yet seen, and start a new one.
    for gone in (s[2], s[0], s[4]):
        assert (await api.delete(gone)).status_code == 204
    s7 = (await api.new())["id"]
    clock.advance(1)

    page2 = (await api.list(page_size=3, page_token=page1["next_page_token"])).json()
    assert [x["id"] for x in page2["data"]] == [s[3], s[5], s[6]]
    s8 = (await api.new())["id"]
    page3 = (await api.list(page_size=3, page_token=page2["next_page_token"])).json()
    assert [x["id"] for x in page3["data"]] == [s7, s8]
    assert page3["next_page_token"] is None


async def test_a_token_can_be_replayed(api, clock) -> None:
    ids = await make(api, clock, 4)
    token = (await api.list(page_size=2)).json()["next_page_token"]
    for _ in range(2):
        again = (await api.list(page_size=2, page_token=token)).json()
        assert [x["id"] for x in again["data"]] == ids[2:]


def _flip_middle(t: str) -> str:
    i = len(t) // 2
    return t[:i] + ("A" if t[i] != "A" else "B") + t[i + 1 :]


@pytest.mark.parametrize(
    "tamper",
    [
        _flip_middle,
        lambda t: t[:1] + ("x" if t[1] != "x" else "y") + t[2:],
        lambda t: t[:-4],
        lambda t: t + "AAAA",
        lambda t: "garbage!!",
        lambda t: base64.urlsafe_b64encode(os.urandom(len(t) * 3 // 4)).decode().rstrip("="),
        lambda t: base64.urlsafe_b64encode(b'[1,"1.00000000.00000000"]' + bytes(16)).decode(),
        lambda t: "A" * 1000,
    ],
    ids=["flip-middle", "flip-second", "truncated", "extended", "garbage", "random-b64",
         "forged-b64", "huge"],
)  # fmt: skip
async def test_tampered_token_is_400(api, clock, tamper) -> None:
    await make(api, clock, 3)
    token = (await api.list(page_size=1)).json()["next_page_token"]
    bad = tamper(token)
    assert bad != token
    assert_error(await api.list(page_size=1, page_token=bad), 400, LISTING)


async def test_empty_page_token_means_the_first_page(api, clock) -> None:
    made = await make(api, clock, 2)
    resp = await api.list(page_size=1, page_token="")
    assert resp.status_code == 200
    assert [s["id"] for s in resp.json()["data"]] == made[:1]


B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _spare_bits(t: str) -> str:
    # Unpadded length 4n+2 or 4n+3: the last character carries spare bits; flip one.
    assert len(t) % 4 in (2, 3), t
    return t[:-1] + B64URL[B64URL.index(t[-1]) ^ 1]


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t + "=",
        lambda t: t + "==",
        _spare_bits,
        lambda t: t[:10] + "!" + t[10:],
        lambda t: t[:10] + "\n" + t[10:],
        lambda t: t.replace("_", "/").replace("-", "+") + ("" if "_" in t or "-" in t else "="),
    ],
    ids=["padding", "double-padding", "spare-bits", "bang-inserted", "newline-inserted",
         "standard-alphabet"],
)  # fmt: skip
async def test_edit_that_decodes_to_the_same_bytes_is_still_400(api, clock, edit) -> None:
    """One spelling per token: an edit is refused even when it decodes to the same bytes."""
    await make(api, clock, 3)
    token = (await api.list(page_size=1)).json()["next_page_token"]
    bad = edit(token)
    assert bad != token
    assert_error(await api.list(page_size=1, page_token=bad), 400, LISTING)


async def test_another_users_token_is_400(api, other_api, clock) -> None:
    await make(api, clock, 3)
    await make(other_api, clock, 3)
    theirs = (await other_api.list(page_size=1)).json()["next_page_token"]
    assert_error(await api.list(page_size=1, page_token=theirs), 400, LISTING)


async def test_expired_sessions_are_not_listed(api, clock) -> None:
    short = (await api.new(ttl_seconds=60))["id"]
    long = (await api.new())["id"]
    assert await api.ids() == sorted([short, long])  # same creation instant

    clock.advance(60)
    assert await api.ids() == [long]


async def test_other_users_sessions_are_never_listed(api, other_api, client, services, clock):
    stranger = Api(client, (await make_tenant(services, name="stranger")).headers)
    mine = await make(api, clock, 2)
    theirs = await make(other_api, clock, 2)
    far = await make(stranger, clock, 2)

    assert await api.ids() == mine
    assert await other_api.ids() == theirs
    assert await stranger.ids() == far
