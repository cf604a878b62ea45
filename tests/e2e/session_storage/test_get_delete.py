"""GET and DELETE /session-storage/sessions/{id}: own, foreign, missing, malformed."""

from __future__ import annotations

import pytest

from ._helpers import SESSION_KEYS, P, assert_error, iso, whoami, without


async def test_get_own_session(api, clock) -> None:
    made = await api.new()
    resp = await api.get(made["id"])

    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"ok", "data"} and body["ok"] is True
    assert set(body["data"]) >= SESSION_KEYS
    assert {k: body["data"][k] for k in SESSION_KEYS} == {
        "id": made["id"],
        "created_at": iso(clock),
        "updated_at": iso(clock),
        "expires_at": made["expires_at"],
    }


async def test_delete_ends_the_session_and_its_tokens_at_once(api, client) -> None:
    made = await api.new(subscriber_count=2)
    kept = await api.new()
    tokens = [made["publisher"], *made["subscriber"]]
    for token in tokens:
        assert (await whoami(client, token)).status_code == 200

    resp = await api.delete(made["id"])

    assert resp.status_code == 204
    assert resp.content == b""
    assert_error(await api.get(made["id"]), 404, f"{P}/sessions/{made['id']}")
    assert await api.ids() == [kept["id"]]
    for token in tokens:
        assert_error(await whoami(client, token), 401, f"{P}/session")
    assert (await whoami(client, kept["publisher"])).status_code == 200


async def test_second_delete_is_404(api) -> None:
    made = await api.new()
    assert (await api.delete(made["id"])).status_code == 204
    assert_error(await api.delete(made["id"]), 404, f"{P}/sessions/{made['id']}")


async def test_expired_session_is_404(api, clock) -> None:
    made = await api.new(ttl_seconds=30)
    clock.advance(30)
    assert_error(await api.get(made["id"]), 404)
    assert_error(await api.delete(made["id"]), 404)


async def test_another_users_session_looks_like_a_missing_one(
    api, other_api, client, clock
) -> None:
    theirs = await other_api.new()
    clock.advance(10)  # a successful ttl update would now show in updated_at
    sid = theirs["id"]
    user, a, b = sid.split(".")
    missing = f"{user}.{b}.{a}"  # same shape and owner, never issued

    calls = {"get": api.get, "delete": api.delete, "ttl": lambda i: api.ttl(i, 60)}
    for name, call in calls.items():
        foreign, absent = await call(sid), await call(missing)
        assert foreign.status_code == absent.status_code == 404, name
        assert_error(foreign, 404, f"{P}/sessions/{sid}")
        assert without(foreign.json(), "instance", "detail") == without(
            absent.json(), "instance", "detail"
        )
        assert foreign.json()["errors"][0]["detail"] == absent.json()["errors"][0][
            "detail"
        ].replace(missing, sid)

    # ... and it was neither deleted nor touched.
    still = await other_api.get_ok(sid)
    assert (still["updated_at"], still["expires_at"]) == (
        theirs["updated_at"],
        theirs["expires_at"],
    )
    assert (await whoami(client, theirs["publisher"])).status_code == 200
    assert await other_api.ids() == [sid]


async def test_own_id_of_another_user_prefix_is_404(api, other, other_api) -> None:
    """Forging the user-id prefix of an id does not reach another user's session."""
    mine = await api.new()
    forged = f"{other.user_id}." + mine["id"].split(".", 1)[1]
    assert_error(await api.get(forged), 404)
    assert_error(await other_api.get(mine["id"]), 404)
    assert await api.ids() == [mine["id"]]


@pytest.mark.parametrize(
    "sid",
    [
        "abc",
        "..%2Fx",
        "1." + "a" * 5000,
        "9" * 4000 + ".0123abcd.0123abcd",
        "1.ABCDEF12.ABCDEF12",
        "1.abcdef12",
        "1.abcdef12.abcdef12.abcdef12",
        "1.abcdef1g.abcdef12",
        "%20",
        "1.abcdef12.abcdef12%00",
    ],
    ids=["abc", "dotdot", "long-hex", "long-user", "upper", "short", "extra", "non-hex",
         "space", "nul"],
)  # fmt: skip
async def test_malformed_id_is_404(api, sid) -> None:
    await api.new()
    assert_error(await api.get(sid), 404)
    assert_error(await api.delete(sid), 404)
    assert_error(await api.ttl(sid, 60), 404)
    assert len(await api.ids()) == 1


async def test_uppercase_form_of_a_real_id_is_not_that_session(api) -> None:
    made = await api.new()
    upper = made["id"].upper()
    if upper == made["id"]:  # all-digit hex: nothing to change
        pytest.skip("id has no letters")
    assert_error(await api.get(upper), 404)
    assert_error(await api.delete(upper), 404)
    assert await api.ids() == [made["id"]]
