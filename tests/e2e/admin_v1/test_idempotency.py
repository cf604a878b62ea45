"""``Idempotency-Key`` on creations: replay, mismatch (422), in flight (409)."""

from __future__ import annotations

import json

from gatehouse.services.idempotency import KEEP_SECONDS, fingerprint
from gatehouse.wiring import Services
from tests.helpers import Tenant

from .conftest import PREFIX, Admin, assert_problem


async def test_a_retried_creation_is_replayed(operator: Admin, tenant_a: Tenant) -> None:
    path = f"/projects/{tenant_a.project_id}/clients"
    body = {"user_id": tenant_a.user_id, "name": "retry"}
    key = {"Idempotency-Key": "order-1234"}
    first = await operator.post(path, json=body, headers=key)
    assert first.status_code == 201, first.text
    again = await operator.post(path, json=body, headers=key)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    # the secret shown once is shown again to the retry (stored sealed)
    assert again.json()["client_secret"] == first.json()["client_secret"]
    listed = (await operator.get(path)).json()["items"]
    assert sum(c["name"] == "retry" for c in listed) == 1
    # the same JSON spelled differently is the same request
    spelled = json.dumps({"name": "retry", "user_id": tenant_a.user_id}, indent=2)
    third = await operator.post(
        path, content=spelled, headers={**key, "Content-Type": "application/json"}
    )
    assert third.json() == first.json()


async def test_every_creation_honours_the_key(operator: Admin, tenant_a: Tenant) -> None:
    p = f"/projects/{tenant_a.project_id}"
    for path, body in (
        ("/projects", {"name": "idem"}),
        (p + "/users", {"username": "idem"}),
        (p + "/api-keys", {"type": "server"}),
    ):
        headers = {"Idempotency-Key": f"k-{path}"}
        one = await operator.post(path, json=body, headers=headers)
        two = await operator.post(path, json=body, headers=headers)
        assert one.status_code == two.status_code == 201, (one.text, two.text)
        assert one.json() == two.json()


async def test_the_same_key_with_another_request_is_422(operator: Admin, tenant_a: Tenant) -> None:
    path = f"/projects/{tenant_a.project_id}/users"
    key = {"Idempotency-Key": "k1"}
    assert (await operator.post(path, json={"username": "x1"}, headers=key)).status_code == 201
    other = await operator.post(path, json={"username": "x2"}, headers=key)
    assert_problem(other, 422, "idempotency-key-reused")
    elsewhere = await operator.post(
        f"/projects/{tenant_a.project_id}/api-keys", json={"type": "public"}, headers=key
    )
    assert_problem(elsewhere, 422)


async def test_a_request_still_in_flight_is_409(
    operator: Admin, services: Services, tenant_a: Tenant
) -> None:
    path = f"/projects/{tenant_a.project_id}/users"
    body = json.dumps({"username": "slow"}).encode()
    caller = await services.operator_keys.authenticate(operator.key, caller="127.0.0.1")
    claimed = await services.idempotency.begin(
        caller.actor, "k2", fingerprint("POST", PREFIX + path, body)
    )
    assert claimed is None  # the "first request" now holds the key
    answer = await operator.post(
        path, content=body, headers={"Idempotency-Key": "k2", "Content-Type": "application/json"}
    )
    assert_problem(answer, 409, "idempotency-key-in-use")


async def test_keys_are_per_caller_failures_are_not_stored_and_keys_expire(
    clock, operator: Admin, project_key: Admin, services: Services, tenant_a: Tenant
) -> None:
    path = f"/projects/{tenant_a.project_id}/users"
    key = {"Idempotency-Key": "shared"}
    bad = await operator.post(path, json={"username": ""}, headers=key)
    assert_problem(bad, 400)
    good = await operator.post(path, json={"username": "y1"}, headers=key)
    assert good.status_code == 201  # a failure gave the key back
    theirs = await project_key.post(path, json={"username": "y2"}, headers=key)
    assert theirs.status_code == 201  # another caller's key space
    clock.advance(KEEP_SECONDS + 1)
    assert await services.idempotency.sweep() == 2
    later = await operator.post(path, json={"username": "y3"}, headers=key)
    assert later.status_code == 201
    assert_problem(await operator.post(path, json={}, headers={"Idempotency-Key": " "}), 400)


async def test_concurrent_duplicates_create_one_thing(operator: Admin, tenant_a: Tenant) -> None:
    import asyncio

    path = f"/projects/{tenant_a.project_id}/clients"
    body = {"user_id": tenant_a.user_id, "name": "race"}
    answers = await asyncio.gather(
        *(operator.post(path, json=body, headers={"Idempotency-Key": "race"}) for _ in range(5))
    )
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {201, 409} and 201 in statuses, statuses
    made = {a.json()["client_id"] for a in answers if a.status_code == 201}
    assert len(made) == 1
    for a in answers:
        if a.status_code == 409:
            assert_problem(a, 409, "idempotency-key-in-use")
    listed = (await operator.get(path)).json()["items"]
    assert sum(c["name"] == "race" for c in listed) == 1
