from tests.helpers import Tenant


async def test_create_then_read_back(client, tenant: Tenant) -> None:
    created = await client.post("/session-storage/session", headers=tenant.headers)
    assert created.status_code == 201
    sid = created.json()["data"]["id"]
    got = await client.get(f"/session-storage/sessions/{sid}", headers=tenant.headers)
    assert got.status_code == 200
    assert got.json() == {
        "ok": True,
        "data": {k: created.json()["data"][k] for k in got.json()["data"]},
    }
