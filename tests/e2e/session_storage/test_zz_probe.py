import json
from conftest import make_tenant

P = "/session-storage"

async def show(label, r):
    print(f"\n== {label}: {r.status_code} {dict(r.headers)}\n{r.text[:600]}")

async def test_probe(client, services, clock, tenant):
    h = tenant.headers
    r = await client.post(P + "/session", headers=h); await show("create", r)
    sid = r.json()["data"]["id"]
    for body, ct in [(b"{", "application/json"), (b"[]", "application/json"), (b"null", "application/json"),
                     (b'{"data": 5}', "application/json"), (b'{"data": {"subscriber_count": true}}', "application/json"),
                     (b'{"data": {"ttl_seconds": 1.0}}', "application/json"),
                     (b'{"data": {"ttl_seconds": 100000000000000000000000}}', "application/json"),
                     (b'{"data": {}}', "text/plain"), (b'{"data": {}}', "application/x-www-form-urlencoded"),
                     (b" " * (1024*1024 + 1), "application/json"),
                     (b"{}" + b" " * (1024*1024 - 2), "application/json"),
                     ]:
        r = await client.post(P + "/session", headers={**h, "Content-Type": ct}, content=body)
        await show(f"body {body[:40]!r} {ct}", r)
    for q in ["page_size=0", "page_size=abc", "page_size=1.5", "page_token=", "page_token=abc", "page_size=101"]:
        r = await client.get(P + "/sessions?" + q, headers=h); await show(q, r)
    for path in ["/sessions/abc", "/sessions/..%2Fx", "/sessions/" + "a"*5000, "/nope", "/sessions/x/y"]:
        r = await client.get(P + path, headers=h); await show(path, r)
    r = await client.put(P + "/sessions", headers=h); await show("PUT", r)
    r = await client.patch(P + f"/sessions/{sid}", headers=h); await show("PATCH", r)
    for q in ["ttl_seconds=0", "ttl_seconds=abc", "ttl_seconds=-5", "ttl_seconds=1.5", "", "ttl_seconds=99999999999999999999999"]:
        r = await client.post(P + f"/sessions/{sid}?" + q, headers=h); await show("ttl " + q, r)
    r = await client.delete(P + f"/sessions/{sid}", headers=h); await show("delete", r)
    r = await client.get(P + "/session", headers=[("Authorization", "Bearer x"), ("Authorization", "Bearer y")]); await show("2auth", r)
    r = await client.get(P + "/session", headers={"Authorization": "x" * 10000}); await show("10k", r)
    r = await client.post(P + "/session", headers={"ClientID": tenant.client_id}); await show("nosecret", r)
    r = await client.get(P + "/sessions", headers={**h, "Content-Length": str(2*1024*1024)}); await show("get CL", r)
